"""The bearer scheme is case-insensitive (RFC 9110); 401s never echo the token parser."""
import pytest

from monitor.api.errors import INVALID_TOKEN, MISSING_TOKEN


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR", "Bearer "])
def test_any_case_of_the_scheme_works(client, make_user, headers_for, scheme):
    token = headers_for(make_user())["Authorization"].split(" ", 1)[1]
    response = client.get("/api/v1/users/me", headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("value, detail", [
    ("Bearer a.b.c", INVALID_TOKEN), ("Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", INVALID_TOKEN),
    ("Bearer nonsense", INVALID_TOKEN), ("Bearer", INVALID_TOKEN), ("Basic abc", MISSING_TOKEN),
    ("Bearer x y", INVALID_TOKEN), ("", MISSING_TOKEN),
])
def test_401_details_say_what_to_send_and_nothing_else(client, value, detail):
    response = client.get("/api/v1/detentions", headers={"Authorization": value} if value else {})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == detail
    assert response.headers["WWW-Authenticate"] == "Bearer"
