"""Helpers for tests that start real servers: kernel-given ports and condition polling.

A port derived from the pid or fixed in the code can already be taken on a shared machine;
a socket bound to port 0 and handed to the child keeps the port the kernel chose, with no
window in which another process can grab it. Waits poll a condition until a generous limit,
so a slow, busy machine makes a test slower, never red.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Generous on purpose: the limit only matters when something is really broken.
DEFAULT_LIMIT_SECONDS = 120.0


def listening_socket(host: str = "127.0.0.1") -> socket.socket:
    """A TCP socket bound to a port the kernel chose, listening, inheritable by a child
    (gunicorn takes it with `-b fd://N` and `pass_fds=(N,)`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def wait_until(condition: Callable[[], T], limit: float = DEFAULT_LIMIT_SECONDS,
               interval: float = 0.01, what: str = "the condition") -> T:
    """Call `condition` until it returns something truthy and return that; raise
    AssertionError naming `what` if `limit` seconds pass first."""
    deadline = time.monotonic() + limit
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit:.0f} s waiting for {what}")
        time.sleep(interval)
