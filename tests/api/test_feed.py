"""The flag change feed: ordered, exactly once (also under concurrent writers), scoped, 304."""
import base64
import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.database import write_intent
from monitor.extensions import db
from monitor.models import Detention, Flag
from monitor.services.flags.feed import encode_position
from tests.factories import T0, Result, hours, make_detention, make_facility, sync_flags


def raise_flags(detention, *rules, status="overdue"):
    sync_flags(detention, [Result(rule, status) for rule in rules], T0 + hours(50))
    db.session.commit()


def poll_all(client, headers, cursor=None, limit=2, query=""):
    seen = []
    while True:
        url = f"/api/v1/flags?limit={limit}{query}" + (f"&since={cursor}" if cursor else "")
        body = client.get(url, headers=headers).get_json()
        assert body["next_cursor"]
        seen += body["items"]
        if cursor == body["next_cursor"] or not body["items"]:
            return seen, body["next_cursor"]
        cursor = body["next_cursor"]


def test_feed_returns_changes_in_order_and_only_new_ones(client, actor, auth):
    admin = actor("admin", ())
    d = make_detention(admin, make_facility(admin))
    raise_flags(d, "mx.a", "mx.b", "mx.c")
    headers = auth("partner", ["MX"])
    first, cursor = poll_all(client, headers)
    assert [f["rule"] for f in first] == ["mx.a", "mx.b", "mx.c"]
    assert poll_all(client, headers, cursor)[0] == []
    raise_flags(d, "mx.a", "mx.b", "mx.c", status="met_late")  # resolves all three
    raise_flags(d, "mx.d")
    changed, cursor2 = poll_all(client, headers, cursor)
    assert [(f["rule"], f["status"]) for f in changed] == [
        ("mx.a", "resolved"), ("mx.b", "resolved"), ("mx.c", "resolved"), ("mx.d", "open")]
    assert changed[0]["resolution"] == "met_late"
    again = client.get(f"/api/v1/flags?since={cursor2}", headers=headers).get_json()
    assert again == {"items": [], "next_cursor": cursor2}


def test_feed_is_scoped_and_filtered(client, actor, auth):
    admin = actor("admin", ())
    mx = make_detention(admin, make_facility(admin))
    ke = make_detention(admin, make_facility(admin, country="KE", tz="Africa/Nairobi"))
    raise_flags(mx, "mx.a")
    raise_flags(ke, "ke.a")
    assert [f["rule"] for f in poll_all(client, auth("partner", ["KE"]))[0]] == ["ke.a"]
    assert [f["rule"] for f in poll_all(client, auth("admin", ()), query="&country=MX")[0]] == ["mx.a"]
    assert poll_all(client, auth("partner", ["KE"]), query="&country=MX")[0] == []
    assert poll_all(client, auth("admin", ()), query="&status=resolved")[0] == []
    assert client.get("/api/v1/flags", headers=auth("researcher", [])).status_code == 403


def test_bad_cursor_and_filters_are_422(client, auth):
    headers = auth("partner", ["MX"])
    for query in ("since=garbage", "since=ZmVlZDotMQ", "status=closed", "severity=low", "limit=0"):
        assert client.get("/api/v1/flags?" + query, headers=headers).status_code == 422, query


def test_etag_and_304(client, actor, auth):
    admin = actor("admin", ())
    d = make_detention(admin, make_facility(admin))
    raise_flags(d, "mx.a")
    headers = auth("partner", ["MX"])
    first = client.get("/api/v1/flags", headers=headers)
    etag = first.headers["ETag"]
    same = client.get("/api/v1/flags", headers=dict(headers, **{"If-None-Match": etag}))
    assert same.status_code == 304 and same.get_data() == b""
    raise_flags(d, "mx.b")
    changed = client.get("/api/v1/flags", headers=dict(headers, **{"If-None-Match": etag}))
    assert changed.status_code == 200 and len(changed.get_json()["items"]) == 2


def test_exactly_once_under_concurrent_writers(app, client, actor, auth):
    admin = actor("admin", ())
    facility = make_facility(admin)
    made = [make_detention(admin, facility) for _ in range(6)]
    ids = [d.id for d in made]
    headers = auth("partner", ["MX"])
    db.session.remove()
    changes = {}  # (detention id, rule) -> number of committed changes
    lock = threading.Lock()

    def writer(k):
        with app.app_context(), write_intent():
            for round_ in range(15):
                # as the services do: the detention row is locked while its flags change
                lock_row = {"of": Detention} if db.engine.dialect.name == "postgresql" else None
                d = db.session.get(Detention, ids[(k + round_) % len(ids)], with_for_update=lock_row)
                status = "overdue" if round_ % 2 == 0 else "met_late"
                made = sync_flags(d, [Result(f"mx.r{k}", status), Result("mx.shared", status)], T0)
                db.session.commit()
                with lock:
                    for change in made:
                        changes[(d.id, change.rule)] = changes.get((d.id, change.rule), 0) + 1
            db.session.remove()

    seen, cursor = [], None
    writers = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
    for w in writers:
        w.start()
    while any(w.is_alive() for w in writers):
        page, cursor = poll_all(client, headers, cursor, limit=3)
        seen += page
    page, cursor = poll_all(client, headers, cursor, limit=3)
    seen += page
    with app.app_context():
        final = {str(f.id): f for f in db.session.scalars(db.select(Flag))}
    # nothing repeated: a flag is never returned more often than it changed
    appearances = {}
    for f in seen:
        appearances[f["id"]] = appearances.get(f["id"], 0) + 1
    for flag_id, flag in final.items():
        assert appearances[flag_id] <= changes[(flag.detention_id, flag.rule)]
    # nothing missed: the last change seen for every flag is its stored final state
    last = {}
    for f in seen:
        last[f["id"]] = f
    assert set(last) == set(final)
    for flag_id, flag in final.items():
        assert (last[flag_id]["status"], last[flag_id]["resolution"]) == (flag.status, flag.resolution)


def since_for(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("position", ["9223372036854775808", "9" * 40, "+5", " 5", "5_0", "-0", "",
                                      "0", "12"])
def test_forged_feed_positions_are_422(client, auth, position):
    # Positions are sealed: the old readable form ("feed:N" in base64) is refused like any forgery.
    response = client.get("/api/v1/flags?since=" + since_for("feed:" + position),
                          headers=auth("partner", ["MX"]))
    assert response.status_code == 422 and "since" in response.get_json()["errors"]


def test_a_tampered_cursor_is_422(client, auth):
    cursor = encode_position(41)
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    for index in (0, 13, len(raw) - 1):
        bent = bytearray(raw)
        bent[index] ^= 1
        text = base64.urlsafe_b64encode(bytes(bent)).decode().rstrip("=")
        response = client.get("/api/v1/flags?since=" + text, headers=auth("partner", ["MX"]))
        assert response.status_code == 422 and "since" in response.get_json()["errors"]


def test_largest_feed_position_is_accepted(client, auth):
    response = client.get("/api/v1/flags?since=" + encode_position(9223372036854775807),
                          headers=auth("partner", ["MX"]))
    assert response.status_code == 200 and response.get_json()["items"] == []


def test_full_page_links_to_the_next_with_the_same_filters(client, actor, auth):
    admin = actor("admin", ())
    d = make_detention(admin, make_facility(admin))
    raise_flags(d, "mx.a", "mx.b", "mx.c")
    headers = auth("partner", ["MX"])
    full = client.get("/api/v1/flags?limit=2&status=open&cursor=" + encode_position(0), headers=headers)
    link = full.headers["Link"]
    assert link.endswith('>; rel="next"')
    query = parse_qs(urlsplit(link[1:link.index(">")]).query)
    assert query == {"limit": ["2"], "status": ["open"], "since": [full.get_json()["next_cursor"]]}
    rest = client.get(link[1:link.index(">")], headers=headers)
    assert [f["rule"] for f in rest.get_json()["items"]] == ["mx.c"]
    assert "Link" not in rest.headers


@pytest.mark.parametrize("template", ['W/{etag}', '"other", W/{etag}', "*"])
def test_weak_and_star_if_none_match_give_304(client, actor, auth, template):
    admin = actor("admin", ())
    raise_flags(make_detention(admin, make_facility(admin)), "mx.a")
    headers = auth("partner", ["MX"])
    etag = client.get("/api/v1/flags", headers=headers).headers["ETag"]
    same = client.get("/api/v1/flags", headers=dict(headers, **{"If-None-Match": template.format(etag=etag)}))
    assert same.status_code == 304 and same.headers["ETag"] == etag
    other = client.get("/api/v1/flags", headers=dict(headers, **{"If-None-Match": 'W/"nope"'}))
    assert other.status_code == 200
