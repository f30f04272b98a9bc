"""Tests for the logbook's wording of the diary's events, read back from the recorder."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.migraine_tracker import logbook
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import call, make_entry, setup_entry


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then allow custom integrations.

    Replaces the suite-wide fixture: the recorder's database must be chosen
    before the `hass` fixture starts, so it is asked for first.
    """


async def logbook_entries(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> list[tuple[str, str]]:
    """Return the diary's logbook lines as (name, message), oldest first."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": (dt_util.utcnow() - timedelta(hours=1)).isoformat(),
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    return [
        (item["name"], item["message"])
        for item in response["result"]
        if item.get("domain") == "migraine_tracker"
    ]


async def test_logbook_tells_what_happened(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Each diary change is one logbook line in plain words."""
    assert await async_setup_component(hass, "logbook", {})
    entry = await setup_entry(hass, make_entry())
    dose = await call(hass, "log_dose")
    assert isinstance(dose, dict)
    await call(hass, "log_episode", severity=7)
    await call(hass, "end_episode")
    await call(
        hass,
        "log_episode",
        started_at=dt_util.now() - timedelta(days=1),
        ended_at=dt_util.now() - timedelta(days=1, hours=-2),
    )
    await call(hass, "update_entry", entry_id=dose["id"], amount_mg=200)
    await call(hass, "undo_last")
    await call(hass, "delete_entry", entry_id=dose["id"])

    assert await logbook_entries(hass, hass_ws_client) == [
        ("Alex", "took Magnesium glycinate 400 mg"),
        ("Alex's migraine", "started, severity 7"),
        ("Alex's migraine", "ended"),
        ("Alex's migraine", "was logged"),
        ("Alex's diary", "entry was edited (dose)"),
        ("Alex's diary", "entry was undone (migraine)"),
        ("Alex's diary", "entry was deleted (dose)"),
    ]
    assert entry.title == "Alex"


@pytest.mark.parametrize(
    ("describe", "data", "expected"),
    [
        (
            logbook.describe_dose_logged,
            {"name": "Sam", "medication_name": "Magnesium", "amount_mg": 200},
            ("Sam", "took Magnesium 200 mg"),
        ),
        (logbook.describe_dose_logged, {}, ("Migraine diary", "took a dose")),
        (
            logbook.describe_episode_started,
            {"name": "Sam", "severity": 0},
            ("Sam's migraine", "started, severity 0"),
        ),
        (
            logbook.describe_entry_changed,
            {"name": "Sam", "action": "something new"},
            ("Sam's diary", "entry was changed"),
        ),
    ],
)
def test_descriptions_cope_with_missing_data(
    describe: Any, data: dict[str, Any], expected: tuple[str, str]
) -> None:
    """Events from older versions or odd data still read well."""
    described = describe(SimpleNamespace(data=data, context_id="abc"))
    assert (described["name"], described["message"]) == expected
    assert described["context_id"] == "abc"
