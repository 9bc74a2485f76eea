"""Where a webhook may point, checked at registration and again at every delivery.

A webhook URL is chosen by an admin, but the server is the one that connects: a URL naming
loopback, a private network or a link-local address (cloud metadata at 169.254.169.254)
would let the API reach what only it can reach. Such addresses are refused unless
WEBHOOK_ALLOW_PRIVATE is set (a receiver on the same host or LAN). At delivery the name is
resolved again and the connection goes to an address that passed the check, so a DNS answer
that changed since registration (rebinding) cannot steer it inside.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from http.client import HTTPConnection, HTTPSConnection
from typing import Any, cast
from urllib.parse import urlsplit


class TargetRefused(OSError):
    """The URL's host is, or resolves to, an address webhooks may not reach."""


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are IPv4

def url_problem(url: str) -> str | None:
    """Why a URL cannot be a webhook target by its form alone (None if it can)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Not a valid URL."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Must be an absolute http or https URL."
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "Must not carry credentials (user:password@); the delivery is signed instead."
    if port == 0:
        return "Not a valid port."
    return None


def _blocked(address: str) -> bool:
    """True for loopback, private, link-local, multicast, reserved or unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):  # an IPv4 address inside an IPv6 one
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    return not ip.is_global or ip.is_multicast


def _addresses(host: str, port: int) -> list[tuple[Any, ...]]:
    """getaddrinfo's stream entries for host:port (socket.gaierror when it cannot resolve)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def check_target(url: str, allow_private: bool) -> str | None:
    """Why `url` may not be registered (None if it may).

    A name that does not resolve now is accepted (DNS may not be set up yet); delivery checks
    it again before every connection."""
    problem = url_problem(url)
    if problem or allow_private:
        return problem
    parts = urlsplit(url)
    try:
        infos = _addresses(cast(str, parts.hostname), parts.port or 443)  # url_problem: a host
    except (socket.gaierror, UnicodeError):
        return None
    if any(_blocked(info[4][0]) for info in infos):
        return "Must not point at a loopback, private or link-local address."
    return None


def _guarded_connection(allow_private: bool) -> Callable[..., socket.socket]:
    """A replacement for socket.create_connection that connects only to allowed addresses."""
    def connect(address: tuple[str, int], timeout: float | None = None, source_address: object = None,
                **_kwargs: object) -> socket.socket:
        host, port = address
        infos = _addresses(host, port)
        if not allow_private and any(_blocked(info[4][0]) for info in infos):
            raise TargetRefused(f"{host} resolves to a loopback, private or link-local address")
        error = None
        for family, kind, proto, _name, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(timeout)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error or OSError(f"cannot connect to {host}")
    return connect


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool) -> int:
    """POST `body` to `url` (no redirects followed) and return the HTTP status."""
    problem = url_problem(url)
    if problem:
        raise TargetRefused(problem)
    parts = urlsplit(url)
    kind = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    connection = kind(cast(str, parts.hostname), parts.port, timeout=timeout)  # url_problem: a host
    # http.client opens its socket through this attribute (HTTPS wraps it afterwards, with
    # the URL's host name for SNI and certificate checks).
    connection._create_connection = _guarded_connection(allow_private)  # type: ignore[attr-defined]
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body, headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()
