"""Diagnostics: how a diary is doing, without anything a person wrote.

A diary is health data. Diagnostics end up in public bug reports, so they
carry counts, settings, the sensors' numbers and the shape of recent
activity, and never names, notes, symptoms, triggers or medication names.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant

from . import MigraineTrackerConfigEntry
from .const import CONF_MEDICATION_NAME, CONF_PERSON
from .records import Dose, Entry, Episode
from .store import STORAGE_MINOR_VERSION, STORAGE_VERSION

TO_REDACT = {
    CONF_NAME,
    CONF_PERSON,
    CONF_MEDICATION_NAME,
    "title",
    "note",
    "symptoms",
    "triggers",
    "acute_medications",
}
RECENT_ENTRIES = 10

# The sensors' numbers; dates and times of the last events are left out.
_STAT_NUMBERS = (
    "days_since_last_migraine",
    "migraine_days_30d",
    "dose_adherence_7d",
    "dose_adherence_30d",
    "dose_streak",
    "doses_today",
    "dose_taken_today",
    "migraine_ongoing",
)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MigraineTrackerConfigEntry
) -> dict[str, Any]:
    """Return a diary's diagnostics, with every free text redacted."""
    result: dict[str, Any] = {
        "entry": async_redact_data(
            {
                "title": entry.title,
                "state": entry.state.value,
                "version": entry.version,
                "minor_version": entry.minor_version,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            TO_REDACT,
        ),
        "storage": {"version": STORAGE_VERSION, "minor_version": STORAGE_MINOR_VERSION},
    }
    if entry.state is not ConfigEntryState.LOADED:
        return result
    diary = entry.runtime_data
    records = diary.records
    entries: list[Entry] = [*records.doses.values(), *records.episodes.values()]
    entries.sort(key=_moment)
    result |= {
        "counts": {
            "doses": len(records.doses),
            "episodes": len(records.episodes),
            "ongoing": 0 if records.ongoing is None else 1,
            "undo_steps": len(records.undo_stack),
        },
        "created_at": records.created_at.isoformat(),
        "stats": {name: getattr(diary.stats, name) for name in _STAT_NUMBERS},
        "recent": [_shape(item) for item in entries[-RECENT_ENTRIES:]],
    }
    return result


def _moment(entry: Entry) -> Any:
    """Return when an entry happened, to order them."""
    return entry.taken_at if isinstance(entry, Dose) else entry.started_at


def _shape(entry: Entry) -> dict[str, Any]:
    """Return an entry's kind, times and which fields are set, without text."""
    data = entry.as_dict()
    times = ("taken_at",) if isinstance(entry, Dose) else ("started_at", "ended_at")
    shape: dict[str, Any] = {
        "kind": entry.kind,
        **{name: data[name] for name in times},
        "fields_set": sorted(
            name
            for name, value in data.items()
            if name not in ("id", *times) and value not in (None, [], "")
        ),
    }
    if isinstance(entry, Episode):
        shape["severity"] = entry.severity
    return shape
