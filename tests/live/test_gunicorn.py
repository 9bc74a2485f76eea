"""gunicorn's own refusals are problem+json like every other answer; the bearer scheme in any
case works through the real server."""
import json
import socket

PROBLEM = "application/problem+json"


def raw(live, request: bytes) -> tuple[int, dict, bytes]:
    """Send raw bytes, read the whole answer: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def test_an_over_long_url_is_a_414_problem(live):
    status, body, headers = live.request("GET", "/api/v1/detentions?q=" + "x" * 10000)
    assert status == 414
    assert headers["Content-Type"] == PROBLEM
    assert body["status"] == 414 and body["title"] and body["detail"]


def test_over_large_headers_are_a_431_problem(live):
    status, body, headers = live.request("GET", "/healthz", headers={"X-Big": "y" * 9000})
    assert status in (400, 431) and headers["Content-Type"] == PROBLEM
    assert body["status"] == status


def test_a_malformed_request_line_is_a_400_problem(live):
    status, headers, body = raw(live, b"GET /healthz HTTP/9.x\r\nHost: x\r\n\r\n")
    assert status == 400 and headers["Content-Type"] == PROBLEM
    assert json.loads(body)["status"] == 400


def test_lower_case_bearer_through_gunicorn(live):
    account = live.new_user("monitor")
    token = live.token(account.email)
    status, body, _ = live.request("GET", "/api/v1/users/me",
                                   headers={"Authorization": "bearer " + token})
    assert status == 200 and body["email"] == account.email
