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


def _chunked(path: str, chunks: bytes, extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{extra}"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode() + chunks


def test_a_malformed_chunked_body_is_a_400_problem_not_a_500(live):
    account = live.new_user("monitor")
    token = live.token(account.email)
    for request in (
            _chunked("/api/v1/auth/login", b"ZZ\r\n{}\r\n0\r\n\r\n"),  # a chunk size that is not hex
            _chunked("/api/v1/auth/login", b"2\r\n{}XX0\r\n\r\n"),  # a chunk without its terminator
            _chunked("/api/v1/sync", b"ZZ\r\n{}\r\n0\r\n\r\n", f"Authorization: Bearer {token}\r\n"),
            _chunked("/api/v1/sync", b"ZZ\r\n{}\r\n0\r\n\r\n",
                     f"Authorization: Bearer {token}\r\nContent-Encoding: gzip\r\n")):
        status, headers, body = raw(live, request)
        assert status == 400, (request, status, body)
        assert headers["Content-Type"] == PROBLEM and json.loads(body)["status"] == 400
