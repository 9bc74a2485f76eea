"""Impunity statistics: what followed allegations of ill-treatment, per country, year or facility.

Two queries per request, whatever the data's size: detentions counted per group (one
GROUP BY over the detentions), and the kept accountability facts of the detentions whose
events show something (an allegation, a complaint, an investigation, a prosecution, a
conviction, an admitted confession), joined to their detentions for the group and the
filters, streamed into the pure table of monitor/domain/impunity.py.

The facts are kept as events are stored (`refresh`, called by whatever inserts a counted
event: a single event, a sync batch, the bulk generator): aggregating every hearing of every
detention at each request took 7 to 8 s over 1,000,000 detentions.
"""
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Boolean, Integer, and_, case, cast, func, or_, select
from sqlalchemy.engine import Connection

from monitor.domain.impunity import AccountabilityFacts, accountability_table
from monitor.domain.vocabulary import ACCOUNTABILITY_EVENT_TYPES
from monitor.extensions import db
from monitor.models import AccountabilityFact, CustodyEvent, Detention
from monitor.services import audit, runtime
from monitor.services.access import RESEARCH_ROLES, Actor, require_role, scoped

GROUPINGS = ("country", "year", "facility")
# The intl rule whose alert threshold "investigated within the threshold" reads, and the
# figure used if a deployment's rule files leave it out (the rule's own default).
THRESHOLD_RULE = "intl.investigation_threshold_30d"
DEFAULT_THRESHOLD_HOURS = 720.0
COUNTED_TYPES = (*ACCOUNTABILITY_EVENT_TYPES, "ill_treatment_alleged", "judicial_appearance")


def threshold() -> timedelta:
    """The investigation alert threshold of the international rule set."""
    intl = runtime.rule_sets().get("intl")
    for rule in getattr(intl, "rules", ()):
        if rule.id == THRESHOLD_RULE and rule.within_hours:
            return timedelta(hours=float(rule.within_hours))
    return timedelta(hours=DEFAULT_THRESHOLD_HOURS)


def _group_column(group_by: str) -> Any:
    """The SQL expression a detention is grouped by."""
    if group_by == "year":
        return cast(func.extract("year", Detention.arrested_at), Integer)
    if group_by == "facility":
        return Detention.current_facility_id
    # No index on this expression: a country filter then reads detentions in table order
    # rather than sorting them through the country index (as the other research reads).
    return Detention.country.concat("")


def _filtered(query: Any, actor: Actor, country: str | None, start: datetime | None,
              end: datetime | None, country_column: Any = Detention.country) -> Any:
    """Scope, country and arrest-time filters on a query over detentions."""
    return scoped(query, actor, country_column,
                  country_column == country if country else None,
                  Detention.arrested_at >= start if start else None,
                  Detention.arrested_at < end if end else None)


def event_facts() -> Any:
    """One row per detention whose counted events show something: what they show, aggregated
    by the database (the columns of accountability_facts, in its order). Callers narrow it
    with a WHERE on CustodyEvent.detention_id."""
    e = CustodyEvent
    alleged = (e.type == "ill_treatment_alleged") | and_(
        e.type == "judicial_appearance", e.details["ill_treatment_reported"].as_boolean().is_(True))
    admitted = and_(e.type == "evidence_ruling", e.details["confession_admitted"].as_boolean().is_(True))
    conviction = and_(e.type == "case_closed", e.details["outcome"].as_string() == "conviction")
    flag = lambda condition: func.max(case((condition, 1), else_=0))  # noqa: E731
    first = lambda condition: func.min(case((condition, e.occurred_at)))  # noqa: E731
    alleged_at, complaint = first(alleged), flag(e.type == "complaint_filed")
    investigated_at, prosecution = first(e.type == "investigation_opened"), flag(e.type == "prosecution_opened")
    convicted, admitted_at = flag(conviction), func.max(case((admitted, e.occurred_at)))
    something = or_(alleged_at.is_not(None), complaint == 1, investigated_at.is_not(None), prosecution == 1,
                    convicted == 1, admitted_at.is_not(None))
    return (select(e.detention_id.label("detention_id"), alleged_at.label("alleged_at"),
                   cast(complaint, Boolean).label("complaint"), investigated_at.label("investigated_at"),
                   cast(prosecution, Boolean).label("prosecution"), cast(convicted, Boolean).label("conviction"),
                   admitted_at.label("admitted_at"))
            .where(e.type.in_(COUNTED_TYPES)).group_by(e.detention_id).having(something))


FACTS = AccountabilityFact.__table__


def refresh(connection: Connection, detention_ids: Iterable[Any]) -> None:
    """Recompute the accountability facts of these detentions from their events, in the
    caller's transaction (a detention whose events show nothing has no row)."""
    ids = list(dict.fromkeys(detention_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        connection.execute(FACTS.delete().where(FACTS.c.detention_id.in_(chunk)))
        connection.execute(FACTS.insert().from_select(
            [column.name for column in FACTS.columns],
            event_facts().where(CustodyEvent.detention_id.in_(chunk))))


def _facts_query(group: Any) -> Any:
    """The kept facts with their detention's group (the filters apply to the detention)."""
    f = FACTS
    return (select(group.label("grp"), f.c.alleged_at, f.c.complaint, f.c.investigated_at,
                   f.c.prosecution, f.c.conviction, f.c.admitted_at)
            .select_from(f).join(Detention, Detention.id == f.c.detention_id))


def accountability(actor: Actor, group_by: str, now: datetime, country: str | None = None,
                   start: datetime | None = None, end: datetime | None = None) -> dict[str, Any]:
    """Impunity statistics per group (researchers and admins), audited; small cells hidden."""
    require_role(actor, *RESEARCH_ROLES)
    group = _group_column(group_by)
    sizes_query = _filtered(select(group.label("grp"), func.count()).select_from(Detention),
                            actor, country, start, end).group_by(group)
    connection = db.session.connection()
    sizes = {grp: count for grp, count in connection.execute(sizes_query)}
    # The country through an expression no index serves: SQLite would otherwise walk every
    # detention of the scope's countries by the country index and look each up among the
    # facts (4 to 6 s over 1,000,000), where reading the few facts and looking up their
    # detentions by id takes a fraction of a second.
    rows = connection.execute(_filtered(_facts_query(group), actor, country, start, end,
                                        country_column=Detention.country.concat("")))
    facts = (AccountabilityFacts(row.grp, _aware(row.alleged_at), bool(row.complaint), _aware(row.investigated_at),
                                 bool(row.prosecution), bool(row.conviction), _aware(row.admitted_at))
             for row in rows)
    limit = threshold()
    items = accountability_table(sizes, facts, limit)
    audit.record_alone(actor, "stats.accountability", now, detail={
        "group_by": group_by, "country": country, "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None})
    return {"group_by": group_by, "threshold_days": limit.total_seconds() / 86400, "items": items}


def _aware(value: Any) -> datetime | None:
    """An aggregated time as aware UTC: a datetime, or text where SQLite's MIN drops the type."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
