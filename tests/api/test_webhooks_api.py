"""Webhooks over HTTP: same-id replays, URL checks, disabling and deleting."""
import uuid

import pytest

PROBLEM = "application/problem+json"


@pytest.fixture
def org(client, auth):
    return client.post("/api/v1/organizations", json={"name": "NGO"},
                       headers=auth("admin", ())).get_json()


def body_for(org, **extra):
    return {"id": str(uuid.uuid4()), "organization_id": org["id"],
            "url": "https://93.184.216.34/hook", "secret": "s" * 20, **extra}


def test_same_id_again_is_a_replay_or_a_conflict(client, auth, org):
    admin = auth("admin", ())
    body = body_for(org)
    first = client.post("/api/v1/webhooks", json=body, headers=admin)
    assert first.status_code == 201 and first.get_json()["secret"] == "s" * 20
    again = client.post("/api/v1/webhooks", json=body, headers=admin)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["id"] == body["id"] and "secret" not in again.get_json()
    other = client.post("/api/v1/webhooks", json=dict(body, url="https://93.184.216.35/h"),
                        headers=admin)
    assert other.status_code == 409 and other.mimetype == PROBLEM
    other_secret = client.post("/api/v1/webhooks", json=dict(body, secret="t" * 20), headers=admin)
    assert other_secret.status_code == 409
    assert len(client.get("/api/v1/webhooks", headers=admin).get_json()["items"]) == 1


@pytest.mark.parametrize("url", ["https://user:pw@93.184.216.34/h", "http://127.0.0.1:9/h",
                                 "http://169.254.169.254/latest", "http://[::1]/h",
                                 "http://localhost/h", "https://93.184.216.34:0/h"])
def test_credentials_and_inside_addresses_are_refused(client, auth, org, url):
    response = client.post("/api/v1/webhooks", json=body_for(org, url=url), headers=auth("admin", ()))
    assert response.status_code == 422 and "url" in response.get_json()["errors"]


def test_private_targets_when_the_setting_allows_them(app, client, auth, org, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    response = client.post("/api/v1/webhooks", json=body_for(org, url="http://127.0.0.1:9/h"),
                           headers=auth("admin", ()))
    assert response.status_code == 201


def test_disable_change_and_delete(client, auth, org):
    admin = auth("admin", ())
    hook = client.post("/api/v1/webhooks", json=body_for(org), headers=admin).get_json()
    path = f"/api/v1/webhooks/{hook['id']}"
    off = client.patch(path, json={"active": False, "countries": ["PH", "MX"]}, headers=admin)
    assert off.status_code == 200, off.get_json()
    assert off.get_json()["active"] is False and off.get_json()["countries"] == ["MX", "PH"]
    assert client.patch(path, json={"url": "http://10.0.0.1/h"}, headers=admin).status_code == 422
    assert client.patch(path, json={"active": "no"}, headers=admin).status_code == 422
    assert client.delete(path, headers=auth("partner", ["MX"])).status_code == 403
    assert client.patch(path, json={"active": True}, headers=auth("monitor", ["MX"])).status_code == 403
    assert client.delete(path, headers=admin).status_code == 204
    assert client.get("/api/v1/webhooks", headers=admin).get_json()["items"] == []
    assert client.get(path + "/deliveries", headers=admin).status_code == 404
    assert client.delete(path, headers=admin).status_code == 404
    assert client.patch(path, json={"active": True}, headers=admin).status_code == 404


def test_lone_surrogate_in_webhook_url_is_422(client, auth, org):
    text = ('{{"organization_id": "{}", "url": "https://93.184.216.34/\\ud800"}}'.format(org["id"]))
    response = client.post("/api/v1/webhooks", data=text.encode(), content_type="application/json",
                           headers=auth("admin", ()))
    assert response.status_code == 422 and "url" in response.get_json()["errors"]
