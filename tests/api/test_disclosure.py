"""What partners and researchers may see: never free text, never who recorded what."""
from tests.conftest import hours_ago, iso


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
