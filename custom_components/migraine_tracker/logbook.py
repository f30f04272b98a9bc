"""Describe the diary's events in the logbook, in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_CONTEXT_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.components.logbook.models import LazyEventPartialState
from homeassistant.core import HomeAssistant, callback

from .const import (
    DOMAIN,
    EVENT_DOSE_LOGGED,
    EVENT_ENTRY_CHANGED,
    EVENT_EPISODE_ENDED,
    EVENT_EPISODE_STARTED,
)

CHANGE_WORDS = {
    "update_entry": "edited",
    "delete_entry": "deleted",
    "undo_last": "undone",
}
KIND_WORDS = {"dose": "dose", "episode": "migraine"}


def _entry(event: LazyEventPartialState, name: str, message: str) -> dict[str, Any]:
    """Return a logbook entry: `name` and `message` read as one sentence."""
    return {
        LOGBOOK_ENTRY_NAME: name,
        LOGBOOK_ENTRY_MESSAGE: message,
        LOGBOOK_ENTRY_CONTEXT_ID: event.context_id,
    }


def _name(event: LazyEventPartialState) -> str:
    """Return whose diary an event is about."""
    return str(event.data.get("name") or "Migraine diary")


@callback
def describe_dose_logged(event: LazyEventPartialState) -> dict[str, Any]:
    """Describe a dose: "Alex took Magnesium glycinate 400 mg"."""
    data = event.data
    medication = data.get("medication_name") or "a dose"
    amount = data.get("amount_mg")
    dose = f"{medication} {amount} mg" if amount is not None else medication
    return _entry(event, _name(event), f"took {dose}")


@callback
def describe_episode_started(event: LazyEventPartialState) -> dict[str, Any]:
    """Describe a start: "Alex's migraine started, severity 7"."""
    # One logged afterwards, with its end, is history rather than news.
    verb = "was logged" if event.data.get("ended_at") else "started"
    severity = event.data.get("severity")
    message = verb if severity is None else f"{verb}, severity {severity}"
    return _entry(event, f"{_name(event)}'s migraine", message)


@callback
def describe_episode_ended(event: LazyEventPartialState) -> dict[str, Any]:
    """Describe an end: "Alex's migraine ended"."""
    return _entry(event, f"{_name(event)}'s migraine", "ended")


@callback
def describe_entry_changed(event: LazyEventPartialState) -> dict[str, Any]:
    """Describe an edit: "Alex's diary entry was edited (dose)"."""
    data = event.data
    verb = CHANGE_WORDS.get(data.get("action", ""), "changed")
    message = f"entry was {verb}"
    if kind := KIND_WORDS.get(data.get("kind", "")):
        message = f"{message} ({kind})"
    return _entry(event, f"{_name(event)}'s diary", message)


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[LazyEventPartialState], dict[str, Any]]], None
    ],
) -> None:
    """Tell the logbook how to word the diary's events."""
    async_describe_event(DOMAIN, EVENT_DOSE_LOGGED, describe_dose_logged)
    async_describe_event(DOMAIN, EVENT_EPISODE_STARTED, describe_episode_started)
    async_describe_event(DOMAIN, EVENT_EPISODE_ENDED, describe_episode_ended)
    async_describe_event(DOMAIN, EVENT_ENTRY_CHANGED, describe_entry_changed)
