"""A running controller (uvicorn in a thread, fresh SQLite file) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.controlplane.api.server_harness import RunningServer, load_test_config, serve_in_thread


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with serve_in_thread(load_test_config(tmp_path)) as running:
        yield running
