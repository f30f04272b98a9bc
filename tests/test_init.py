"""Tests for setting up a diary when its disk misbehaves."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .conftest import make_entry


async def test_new_diary_on_a_read_only_disk_is_retried(hass: HomeAssistant) -> None:
    """A first file that cannot be written means 'not ready', with the reason."""
    entry = make_entry()
    entry.add_to_hass(hass)
    with patch(
        "custom_components.migraine_tracker.store._write",
        side_effect=OSError(30, "Read-only file system", "/config/.storage/x"),
    ):
        assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None
    assert "Read-only file system" in entry.reason
    assert "/config/.storage/x" in entry.reason
    assert hass.states.get("sensor.alex_doses_today") is None
    # Once the disk accepts writes, the retry sets the diary up.
    assert await hass.config_entries.async_reload(entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
