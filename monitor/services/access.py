"""Who may do what, and where: roles and country scope."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from monitor.domain.vocabulary import ROLES
from monitor.exceptions import Forbidden

if TYPE_CHECKING:
    from sqlalchemy import Select

CUSTODY_WRITERS = ("admin", "monitor")
CUSTODY_READERS = ("admin", "monitor", "partner")
IDENTITY_READERS = ("admin", "monitor")
ADMINS = ("admin",)
FLAG_ACKNOWLEDGERS = ("admin", "partner")
EVERYONE = ROLES

RESEARCH_ROLES = ("admin", "researcher")

_Q = TypeVar("_Q", bound="Select[Any]")  # the query `scoped` narrows, of the same type

# The one table of who may call each endpoint that reads a body or query arguments (by
# Flask endpoint name). The HTTP layer checks it before it reads them, so a forbidden caller
# gets 403 whatever it sent (authorization before validation); services check again.
POLICY: dict[str | None, tuple[str, ...]] = {
    "auth.logout": EVERYONE, "auth.logout_refresh": EVERYONE, "auth.refresh": EVERYONE,
    "users.create_user": ADMINS, "users.update_user": ADMINS,
    "users.create_organization": ADMINS, "users.change_own_password": EVERYONE,
    "users.reset_password": ADMINS,
    "facilities.create_facility": CUSTODY_WRITERS,
    "detentions.create_detention": CUSTODY_WRITERS, "detentions.add_event": CUSTODY_WRITERS,
    "visits.create_visit": CUSTODY_WRITERS, "visits.sync_batch": CUSTODY_WRITERS,
    "flags.acknowledge": FLAG_ACKNOWLEDGERS, "flags.dismiss": ADMINS,
    "webhooks.register": ADMINS, "webhooks.replay": ADMINS,
    "webhooks.update": ADMINS, "webhooks.delete": ADMINS,
    "attachments.create_attachment": CUSTODY_WRITERS, "attachments.patch_upload": CUSTODY_WRITERS,
    # reads with query arguments
    "users.list_users": ADMINS, "users.list_organizations": ADMINS, "audit.list_audit": ADMINS,
    "webhooks.list_webhooks": ADMINS, "webhooks.list_deliveries": ADMINS,
    "facilities.list_facilities": CUSTODY_READERS, "detentions.list_detentions": CUSTODY_READERS,
    "visits.list_visits": CUSTODY_WRITERS, "flags.flag_feed": CUSTODY_READERS,
    "research.export_detentions": RESEARCH_ROLES, "research.compliance": RESEARCH_ROLES,
    "research.accountability": RESEARCH_ROLES,
}


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as services see it."""

    id: uuid.UUID | None  # None: the system (the CLI, seeding)
    role: str
    countries: tuple[str, ...] = field(default_factory=tuple)
    organization_id: uuid.UUID | None = None

    @property
    def all_countries(self) -> bool:
        """True for an admin whose country list is empty (means all)."""
        return self.role == "admin" and not self.countries

    @property
    def sees_identities(self) -> bool:
        """True when names, birth dates and free text may be shown."""
        return self.role in IDENTITY_READERS


def actor_from_user(user: Any) -> Actor:
    """Build the Actor of a User row."""
    return Actor(user.id, user.role, tuple(user.countries or ()), user.organization_id)


def require_endpoint_role(actor: Actor, endpoint: str | None) -> None:
    """Raise Forbidden unless POLICY lets the actor call `endpoint` (unlisted: no check
    here; the service decides)."""
    roles = POLICY.get(endpoint)
    if roles is not None:
        require_role(actor, *roles)


def require_role(actor: Actor, *roles: str) -> None:
    """Raise Forbidden unless the actor has one of `roles`."""
    if actor.role not in roles:
        raise Forbidden(f"The {actor.role} role may not do this.")


def in_scope(actor: Actor, country: str | None) -> bool:
    """Is `country` inside the actor's scope?"""
    return actor.all_countries or country in actor.countries


def visible_to(actor: Actor) -> Callable[[Any], bool]:
    """A predicate: may `actor` know that a row with a `country` exists?"""
    return lambda row: in_scope(actor, row.country)


def scoped(query: _Q, actor: Actor, column: Any, *conditions: Any) -> _Q:
    """`query` limited to the actor's countries (on `column`) and to every condition given;
    a None condition (a filter the caller did not ask for) is skipped."""
    for condition in (scope_clause(actor, column), *conditions):
        if condition is not None:
            query = query.where(condition)
    return query


def scope_clause(actor: Actor, column: Any) -> Any:
    """A SQL condition restricting `column` to the actor's countries (None: no limit)."""
    if actor.all_countries:
        return None
    return column.in_(list(actor.countries))
