"""The OpenAPI document says what the server checks: country codes, time zones, text that
must not be blank, cursors."""
import re

import pytest
from marshmallow import ValidationError

from schemas.fields import Country, Text, TimeZone


@pytest.fixture
def doc(client):
    return client.get("/api/v1/openapi.json").get_json()


def props(doc, name):
    return doc["components"]["schemas"][name]["properties"]


def test_country_and_time_zone_are_closed_lists_the_server_accepts(doc):
    facility = props(doc, "FacilityIn")
    countries, zones = facility["country"]["enum"], facility["timezone"]["enum"]
    assert "MX" in countries and "ZZ" not in countries and len(countries) > 240
    assert "America/Mexico_City" in zones and "Mars/Olympus" not in zones
    assert all(Country().deserialize(code) == code for code in countries)
    assert all(TimeZone().deserialize(zone) == zone for zone in zones)


def test_required_text_is_documented_as_not_blank(doc):
    name = props(doc, "FacilityIn")["name"]
    assert name["minLength"] == 1 and name["maxLength"] == 300
    pattern = re.compile(name["pattern"])
    for blank in ("", "   ", "\t\n", "a\x00b"):
        assert not pattern.search(blank), repr(blank)
        with pytest.raises(ValidationError):
            Text(required=True, max_length=300).deserialize(blank)
    assert pattern.search(" Estación Norte ")


def test_cursor_is_documented_as_url_safe_base64(doc):
    parameters = doc["paths"]["/api/v1/facilities"]["get"]["parameters"]
    cursor = next(p for p in parameters if p["name"] == "cursor")
    pattern = re.compile(cursor["schema"]["pattern"])
    assert pattern.search("WyIyMDI2LTAzLTAyVDA5OjAwOjAwKzAwOjAwIiwgIngiXQ")
    assert not pattern.search("%%%") and not pattern.search("a b")


def test_feed_cursors_are_documented_as_the_server_reads_them(doc, client, auth):
    parameters = doc["paths"]["/api/v1/flags"]["get"]["parameters"]
    headers = auth("partner", ["MX"])
    real = client.get("/api/v1/flags", headers=headers).get_json()["next_cursor"]
    for name in ("since", "cursor"):
        pattern = re.compile(next(p for p in parameters if p["name"] == name)["schema"]["pattern"])
        assert pattern.search(real)
        for odd in ("abc", "x" * 47, real + "A", real[:-1] + "%"):
            assert not pattern.search(odd)  # the document refuses what the server refuses
            assert client.get(f"/api/v1/flags?{name}={odd}", headers=headers).status_code == 422
