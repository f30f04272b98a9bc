"""Fixtures for the tests that run Home Assistant as a separate process."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the in-process harness: these tests start their own process."""


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path) -> Path:
    """Give each test its own config folder, without an in-process hass."""
    return tmp_path


@pytest.fixture(autouse=True)
def allow_sockets(socket_enabled: None) -> None:
    """Let the test talk to its Home Assistant process over TCP."""
