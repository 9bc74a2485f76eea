"""Issue 17: PACE's relevant time. Hand-worked cases, to the minute.

The arrest is Monday 2 March 2026 09:00 UTC; station S1 is a police station in England and
Wales. The relevant time (s.41(2)) is the arrival at S1, or the arrest + 24 h if earlier, or
the arrest when no arrival is recorded; the first review runs 6 h from it (s.40(3))."""
from datetime import timedelta

from monitor.domain.evaluator import Case, Event, evaluate
from monitor.domain.rules import rule_to_dict
from tests.helpers import T0, h

MINUTE = timedelta(minutes=1)
PLACES = {"S1": ("GB", "police_station"), "P1": ("GB", "prison"), "F1": ("FR", "police_station")}


def gb_case(events=()):
    """A GB detention arrested at T0 with (type, hours after arrest, details) events."""
    made = [Event("arrest", T0, {}, "0")]
    made += [Event(kind, T0 + h(after), details, str(i + 1)) for i, (kind, after, details) in enumerate(events)]
    return Case(arrested_at=T0, juvenile=False, events=tuple(made), timezone="Europe/London",
                places=PLACES)


def gb(sets, the_case, rule, now):
    """The result of one gb rule."""
    return next(r for r in evaluate(the_case, [sets["gb"]], now) if r.rule == rule)


ARRIVAL = ("arrival", 2, {"facility_id": "S1"})


def test_arrival_two_hours_after_arrest_starts_the_24h(sets):
    the_case = gb_case([ARRIVAL])
    r = gb(sets, the_case, "gb.custody_24h", T0 + h(26))
    assert r.status == "pending" and r.due_at == T0 + h(26)  # Tuesday 11:00 UTC, not 09:00
    assert "from the arrival at 2026-03-02 11:00 UTC" in r.explanation
    assert gb(sets, the_case, "gb.custody_24h", T0 + h(26) + MINUTE).status == "overdue"


def test_arrival_thirty_hours_after_arrest_is_capped_at_arrest_plus_24h(sets):
    r = gb(sets, gb_case([("arrival", 30, {"facility_id": "S1"})]), "gb.custody_24h", T0 + h(40))
    assert r.status == "pending" and r.due_at == T0 + h(48)
    assert "arrest + 24 h (2026-03-03 09:00 UTC)" in r.explanation
    assert "earlier than the arrival at 2026-03-03 15:00 UTC" in r.explanation


def test_no_arrival_counts_from_the_arrest(sets):
    r = gb(sets, gb_case(), "gb.custody_24h", T0 + h(24) + MINUTE)
    assert r.status == "overdue" and r.due_at == T0 + h(24)
    assert "no arrival recorded (strict reading)" in r.explanation


def test_arrival_elsewhere_is_not_the_relevant_time(sets):
    # a prison is not a police station; a station abroad is not in England and Wales
    for place in ("P1", "F1", "unknown-facility"):
        r = gb(sets, gb_case([("arrival", 2, {"facility_id": place})]), "gb.custody_24h", T0)
        assert r.due_at == T0 + h(24), place
    # the first arrival at a station of the jurisdiction counts, after one elsewhere
    r = gb(sets, gb_case([("arrival", 1, {"facility_id": "P1"}), ("arrival", 3, {"facility_id": "S1"})]),
           "gb.custody_24h", T0)
    assert r.due_at == T0 + h(27)


def test_arrival_then_a_superintendents_extension(sets):
    # relevant time 11:00; superintendent extends by 12 h at arrest + 20 h: limit = relevant + 36 h
    extended = ("detention_extended", 20, {"authority": "superintendent", "extended_by_hours": 12})
    the_case = gb_case([ARRIVAL, extended])
    r = gb(sets, the_case, "gb.custody_24h", T0 + h(30))
    assert r.status == "pending" and r.due_at == T0 + h(38)
    assert gb(sets, the_case, "gb.custody_24h", T0 + h(38) + MINUTE).status == "overdue"
    # warrants never take it past 96 h from the relevant time
    warrant = ("detention_extended", 37, {"authority": "magistrates", "extended_by_hours": 200})
    assert gb(sets, gb_case([ARRIVAL, extended, warrant]), "gb.custody_24h", T0 + h(40)).due_at == T0 + h(98)


def test_charge_before_the_arrival_still_meets_the_limit(sets):
    r = gb(sets, gb_case([("charge", 1, {}), ("arrival", 3, {"facility_id": "S1"})]), "gb.custody_24h", T0 + h(30))
    assert r.status == "met" and r.met_at == T0 + h(1)


def test_first_review_six_hours_after_arrival_then_every_nine(sets):
    assert gb(sets, gb_case([ARRIVAL]), "gb.review_6h_9h", T0 + h(7)).due_at == T0 + h(8)
    assert gb(sets, gb_case([ARRIVAL]), "gb.review_6h_9h", T0 + h(8) + MINUTE).status == "overdue"
    reviews = [ARRIVAL, ("detention_review", 8, {}), ("detention_review", 17, {})]
    r = gb(sets, gb_case(reviews[:2]), "gb.review_6h_9h", T0 + h(10))
    assert r.status == "pending" and r.due_at == T0 + h(17)
    r = gb(sets, gb_case(reviews), "gb.review_6h_9h", T0 + h(20))
    assert r.status == "pending" and r.due_at == T0 + h(26) and r.met_at == T0 + h(17)
    assert "first from the arrival at 2026-03-02 11:00 UTC" in r.explanation
    # without an arrival the first review is due 6 h after the arrest
    assert gb(sets, gb_case(), "gb.review_6h_9h", T0).due_at == T0 + h(6)


def test_rules_show_where_their_clock_starts(sets):
    shape = rule_to_dict(next(r for r in sets["gb"].rules if r.id == "gb.custody_24h"))
    assert shape["start"] == {"event": "arrival", "cap_hours": 24.0, "facility_kinds": ["police_station"]}
    mx = next(r for r in sets["mx"].rules if r.id == "mx.judicial_48h")
    assert mx.start is None and "from the arrest on purpose" in mx.note


def test_a_lawful_delay_never_runs_past_36h_from_the_relevant_time(sets):
    # relevant time 11:00 (arrival at +2 h); solicitor requested at +10 h; a delay of 40 h is
    # authorised at +11 h: the law's cap is relevant time + 36 h = arrest + 38 h, not the
    # request + 36 h (= arrest + 46 h)
    events = [ARRIVAL, ("lawyer_requested", 10, {}),
              ("lawyer_delay_authorised", 11, {"authority": "superintendent", "delay_hours": 40})]
    r = gb(sets, gb_case(events), "gb.solicitor_on_request", T0 + h(20))
    assert r.status == "pending" and r.due_at == T0 + h(38)
    assert "delay at most 36 h from the relevant time" in r.explanation
    # without an arrival the cap runs from the arrest: arrest + 36 h
    r = gb(sets, gb_case(events[1:]), "gb.solicitor_on_request", T0 + h(20))
    assert r.due_at == T0 + h(36)
    # a request made after the cap still gets its 2 h, with no delay allowed past it
    late = [ARRIVAL, ("family_notification_requested", 40, {}),
            ("family_delay_authorised", 41, {"delay_hours": 10})]
    assert gb(sets, gb_case(late), "gb.someone_informed", T0 + h(41)).due_at == T0 + h(42)
    # a short delay well inside the cap is unchanged
    short = [ARRIVAL, ("lawyer_requested", 10, {}), ("lawyer_delay_authorised", 11, {"delay_hours": 4})]
    assert gb(sets, gb_case(short), "gb.solicitor_on_request", T0 + h(12)).due_at == T0 + h(16)
