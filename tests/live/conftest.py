"""Tests against the real application under gunicorn on a kernel-given port."""
from collections.abc import Iterator

import pytest

from tests.browser.live_server import LiveApp


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveApp]:
    """One migrated gunicorn server for the module, stopped afterwards."""
    server = LiveApp(tmp_path_factory.mktemp("live"))
    server.migrate()
    server.start()
    yield server
    server.stop()
