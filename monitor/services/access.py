"""Who may do what, and where: roles and country scope."""
from dataclasses import dataclass, field

from monitor.exceptions import Forbidden

CUSTODY_WRITERS = ("admin", "monitor")
CUSTODY_READERS = ("admin", "monitor", "partner")
IDENTITY_READERS = ("admin", "monitor")


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as services see it."""

    id: object
    role: str
    countries: tuple = field(default_factory=tuple)
    organization_id: object = None

    @property
    def all_countries(self):
        """True for an admin whose country list is empty (means all)."""
        return self.role == "admin" and not self.countries

    @property
    def sees_identities(self):
        """True when names, birth dates and free text may be shown."""
        return self.role in IDENTITY_READERS


def actor_from_user(user):
    """Build the Actor of a User row."""
    return Actor(user.id, user.role, tuple(user.countries or ()), user.organization_id)


def require_role(actor, *roles):
    """Raise Forbidden unless the actor has one of `roles`."""
    if actor.role not in roles:
        raise Forbidden(f"The {actor.role} role may not do this.")


def in_scope(actor, country):
    """Is `country` inside the actor's scope?"""
    return actor.all_countries or country in actor.countries


def visible_to(actor):
    """A predicate: may `actor` know that a row with a `country` exists?"""
    return lambda row: in_scope(actor, row.country)


def scope_clause(actor, column):
    """A SQL condition restricting `column` to the actor's countries (None: no limit)."""
    if actor.all_countries:
        return None
    return column.in_(list(actor.countries))
