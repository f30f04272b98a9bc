"""Read a diary as it is on disk, whatever files the store keeps it in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from custom_components.migraine_tracker.const import DOMAIN
from custom_components.migraine_tracker.records import DiaryRecords
from custom_components.migraine_tracker.store import DiaryStore
from homeassistant.core import HomeAssistant


def diary_files(hass: HomeAssistant, entry_id: str) -> dict[str, bytes]:
    """Return the bytes of every file of a diary (snapshot, journal, temporary)."""
    storage = Path(hass.config.path(".storage"))
    prefix = f"{DOMAIN}.{entry_id}"
    return {
        path.name: path.read_bytes()
        for path in sorted(storage.glob(f"{prefix}*"))
        if path.is_file()
    }


async def stored_data(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    """Return the diary data as a fresh load from disk sees it."""
    data = await DiaryStore(hass, entry_id).async_load()
    assert data is not None
    return data


async def stored_records(hass: HomeAssistant, entry_id: str) -> DiaryRecords:
    """Return the diary as a fresh load from disk rebuilds it."""
    return DiaryRecords.from_dict(await stored_data(hass, entry_id))
