"""The suite's own habits: kernel-given ports, polled waits, no Hypothesis deadline."""
import socket
import threading

import pytest
from hypothesis import settings

from tests.processes import listening_socket, wait_until


def test_a_listening_socket_has_a_kernel_port_and_accepts():
    with listening_socket() as sock:
        port = sock.getsockname()[1]
        assert port > 0 and sock.get_inheritable()
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            conn, _ = sock.accept()
            conn.close()


def test_two_listening_sockets_never_share_a_port():
    with listening_socket() as a, listening_socket() as b:
        assert a.getsockname()[1] != b.getsockname()[1]


def test_wait_until_returns_the_first_truthy_value():
    ready = threading.Event()
    threading.Timer(0.01, ready.set).start()
    assert wait_until(lambda: ready.is_set() and "done", what="the timer") == "done"


def test_wait_until_names_what_it_waited_for_when_the_limit_passes():
    with pytest.raises(AssertionError, match="the impossible"):
        wait_until(lambda: False, limit=0.02, what="the impossible")


def test_the_suite_profile_turns_hypothesis_deadlines_off():
    assert settings().deadline is None
