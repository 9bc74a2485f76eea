"""What partners and researchers may see: never free text, never who recorded what."""
from tests.helpers import hours_ago, iso


def test_partners_never_see_recorded_by(client, auth, facility, detention):
    d = detention(facility())
    writer = auth("monitor", ["MX"])
    client.post(f"/api/v1/detentions/{d['id']}/events", headers=writer,
                json={"type": "rights_notified", "occurred_at": iso(hours_ago(1))})
    partner = auth("partner", ["MX"])
    single = client.get(f"/api/v1/detentions/{d['id']}", headers=partner).get_json()
    listed = client.get("/api/v1/detentions", headers=partner).get_json()["items"]
    events = client.get(f"/api/v1/detentions/{d['id']}/events", headers=partner).get_json()
    events = events["items"] if isinstance(events, dict) else events
    assert "recorded_by" not in single and all("recorded_by" not in e for e in single["events"])
    assert listed and all("recorded_by" not in row for row in listed)
    assert len(events) == 2 and all("recorded_by" not in e for e in events)
    monitor_view = client.get(f"/api/v1/detentions/{d['id']}", headers=writer).get_json()
    assert monitor_view["recorded_by"] and all(e["recorded_by"] for e in monitor_view["events"])


# The walk: every model column and every partner and researcher answer, against the one
# list in monitor/domain/disclosure.py.

import json  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from marshmallow import fields as mfields  # noqa: E402
from marshmallow import validate as mvalidate  # noqa: E402

from monitor.domain.disclosure import COLUMNS, FREE_TEXT_DETAILS, NEVER_SHOWN_KEYS, SEALED  # noqa: E402
from monitor.domain.vocabulary import FORENSIC_CONSISTENCY, FORENSIC_EXAMINERS  # noqa: E402
from monitor.extensions import db  # noqa: E402
from monitor.models import Organization, Webhook, WebhookDelivery  # noqa: E402
from schemas.events import DETAILS  # noqa: E402
from schemas.fields import Text  # noqa: E402
from tests.helpers import evaluate_pending  # noqa: E402

MARK = "zqx"  # planted in every free-text field; ASCII, so JSON never escapes it


def test_every_model_column_is_classified_and_sealed_columns_are_ciphertext():
    for table in db.metadata.sorted_tables:
        assert set(table.columns.keys()) == set(COLUMNS.get(table.name, {})), table.name
        for column in table.columns:
            sealed = COLUMNS[table.name][column.name] == SEALED
            assert sealed == isinstance(column.type, sa.LargeBinary), (table.name, column.name)


def test_key_rotation_reseals_every_sealed_column():
    from monitor.services.ops.keys import SEALED as ROTATED
    rotated = {(model.__tablename__, column) for model, column, _ in ROTATED}
    sealed = {(t, c) for t, columns in COLUMNS.items() for c, kind in columns.items() if kind == SEALED}
    # a file's chunks are sealed under the file's own key, which rotation re-wraps
    assert sealed - {("attachment_chunks", "data")} == rotated


def _is_free_text(field):
    """Text, a list of Text, or a String without a closed list."""
    if isinstance(field, mfields.List):
        return _is_free_text(field.inner)
    if isinstance(field, Text):
        return True
    return type(field) is mfields.String and not any(
        isinstance(v, mvalidate.OneOf) for v in field.validators)


def test_every_event_detail_is_classified_structured_or_free_text():
    for kind, schema in DETAILS.items():
        for name, field in schema._declared_fields.items():
            assert _is_free_text(field) == (name in FREE_TEXT_DETAILS), (kind, name)


def _keys(value, path=""):
    """Every key path of a JSON value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key, f"{path}.{key}"
            yield from _keys(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner, path)


EVENTS = [
    ("lawyer_access", {"lawyer_name": MARK + "lawyer"}),
    ("family_notified", {"relationship": MARK + "relation"}),
    ("detention_extended", {"authority": MARK + "authority", "extended_by_hours": 24}),
    ("detention_review", {"reviewer": MARK + "reviewer"}),
    ("ill_treatment_alleged", {"alleged_by": MARK + "alleged", "methods": [MARK + "method"]}),
    ("lawyer_delay_authorised", {"authority": MARK + "delay", "delay_hours": 2}),
    ("investigation_opened", {"body": MARK + "body", "independent": True}),
    ("forensic_report", {"findings": MARK + "findings", "examiner": FORENSIC_EXAMINERS[0],
                         "consistency": FORENSIC_CONSISTENCY[0]}),
]


def test_no_free_text_reaches_partners_researchers_or_clear_columns(client, auth, facility):
    admin = auth("admin", ())
    fac = facility()
    org = Organization(name="hooks " + MARK[:0] + "org")
    db.session.add(org)
    db.session.flush()
    hook = Webhook(organization_id=org.id, url="https://hooks.example.org/h", countries=["MX"],
                   active=True, created_at=hours_ago(0), secret_enc=b"\x01")
    db.session.add(hook)
    db.session.commit()
    body = {"person": {"name": MARK + "name", "sex": "female", "birth_date": "1990-01-02",
                       "groups": ["political"]},
            "facility_id": fac["id"], "arrested_at": iso(hours_ago(100)),
            "arresting_authority": MARK + "officer", "grounds": MARK + "grounds",
            "notes": MARK + "notes"}
    d = client.post("/api/v1/detentions", json=body, headers=admin).get_json()
    for offset, (kind, details) in enumerate(EVENTS):
        response = client.post(f"/api/v1/detentions/{d['id']}/events", headers=admin, json={
            "type": kind, "occurred_at": iso(hours_ago(99 - offset)), "details": details,
            "notes": MARK + "eventnote"})
        assert response.status_code == 201, (kind, response.get_json())
    visit = client.post("/api/v1/visits", headers=admin, json={
        "facility_id": fac["id"], "started_at": iso(hours_ago(50)), "access": "full",
        "summary": MARK + "summary", "detention_ids": [d["id"]]})
    assert visit.status_code == 201, visit.get_json()
    evaluate_pending()
    partner, researcher = auth("partner", ["MX"]), auth("researcher", ["MX"])
    feed = client.get("/api/v1/flags?limit=500", headers=partner).get_json()["items"]
    assert len(feed) >= 2
    assert client.post(f"/api/v1/flags/{feed[0]['id']}/acknowledge", headers=partner,
                       json={"note": MARK + "acknote"}).status_code == 200
    assert client.post(f"/api/v1/flags/{feed[1]['id']}/dismiss", headers=admin,
                       json={"reason": MARK + "reason"}).status_code == 200
    # The monitor's own view still holds all of it (nothing was lost, only sealed).
    full = json.dumps(client.get(f"/api/v1/detentions/{d['id']}", headers=admin).get_json())
    for planted in ("name", "officer", "grounds", "notes", "lawyer", "method", "findings"):
        assert MARK + planted in full, planted

    requests = {
        "detention": (f"/api/v1/detentions/{d['id']}", partner),
        "list": ("/api/v1/detentions", partner),
        "events": (f"/api/v1/detentions/{d['id']}/events", partner),
        "safeguards": (f"/api/v1/detentions/{d['id']}/safeguards", partner),
        "feed": ("/api/v1/flags?limit=500", partner),
        "facility": (f"/api/v1/facilities/{fac['id']}", partner),
        "export ndjson": ("/api/v1/exports/detentions?format=ndjson", researcher),
        "export json": ("/api/v1/exports/detentions?format=json", researcher),
        "export csv": ("/api/v1/exports/detentions?format=csv", researcher),
        "stats": ("/api/v1/stats/compliance?group_by=safeguard", researcher),
    }
    texts = {}
    for name, (path, headers) in requests.items():
        response = client.get(path, headers=headers)  # streamed exports: read each at once
        texts[name] = response.get_data(as_text=True)
        assert response.status_code == 200, name
    payloads = db.session.scalars(sa.select(WebhookDelivery.payload)).all()
    assert payloads, "the webhook received nothing: the walk would prove nothing"
    texts["webhooks"] = json.dumps(payloads)
    assert "political" in texts["export csv"] and d["id"] in texts["detention"]
    for name, text in texts.items():
        assert MARK not in text, name
    for name in ("detention", "list", "events", "feed", "stats", "export json"):
        shown = {key for key, _ in _keys(json.loads(texts[name]))}
        assert not shown & NEVER_SHOWN_KEYS, (name, shown & NEVER_SHOWN_KEYS)
    assert not {k for p in payloads for k, _ in _keys(p)} & NEVER_SHOWN_KEYS

    # At rest: the planted text is in no clear column of any table.
    for table in db.metadata.sorted_tables:
        clear = [c for c in table.columns if COLUMNS[table.name][c.name] != SEALED]
        for row in db.session.execute(sa.select(*clear)).all():
            assert MARK not in json.dumps([str(v) for v in row]), table.name
