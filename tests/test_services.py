"""Tests for the diary services, called as automations and scripts call them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)
import voluptuous as vol

from custom_components.migraine_tracker.const import DOMAIN
from custom_components.migraine_tracker.store import DiaryStore, read_diary
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import call, make_entry, setup_entry

NOW = "2026-06-15 12:00:00+02:00"


def stored(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Return the diary as it is on disk right now (snapshot and journal)."""
    path = Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}"))
    data = read_diary(path)
    assert data is not None
    return data


def state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def entries(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Return the diary's entries through get_entries."""
    response = await call(hass, "get_entries", **data)
    assert isinstance(response, dict)
    return response


@pytest.fixture(autouse=True)
def frozen_now(freezer: FrozenDateTimeFactory) -> None:
    """Run each test at a fixed moment."""
    freezer.move_to(NOW)


async def test_log_dose_is_on_disk_when_the_call_returns(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """The response id is in the file before the service returns."""
    response = await call(hass, "log_dose", note="with dinner")
    assert isinstance(response, dict)
    doses = stored(hass, diary_entry)["doses"]
    assert [dose["id"] for dose in doses] == [response["id"]]
    assert doses[0]["amount_mg"] == 400
    assert doses[0]["note"] == "with dinner"
    assert state(hass, "sensor.alex_doses_today") == "1"
    assert state(hass, "binary_sensor.alex_dose_taken_today") == "on"
    assert state(hass, "sensor.alex_last_dose") == "2026-06-15T10:00:00+00:00"


async def test_log_dose_without_response(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Automations call the service without asking for a response."""
    result = await hass.services.async_call(
        DOMAIN, "log_dose", {"amount_mg": 200}, blocking=True
    )
    assert result is None
    assert stored(hass, diary_entry)["doses"][0]["amount_mg"] == 200


async def test_naive_times_are_home_assistant_local(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A time without a zone is read in Home Assistant's time zone."""
    await call(hass, "log_dose", taken_at="2026-06-14 21:30:00")
    await call(hass, "log_dose", taken_at="2026-06-14T20:00:00+00:00")
    result = await entries(hass, kind="dose")
    assert [dose["taken_at"] for dose in result["doses"]] == [
        "2026-06-14T21:30:00+02:00",
        "2026-06-14T22:00:00+02:00",
    ]
    assert stored(hass, diary_entry)["doses"][0]["taken_at"] == (
        "2026-06-14T19:30:00+00:00"
    )


@pytest.mark.parametrize(
    ("service", "data", "key", "field"),
    [
        ("log_dose", {"taken_at": "2026-06-15 12:06:00"}, "time_in_future", "taken_at"),
        (
            "log_episode",
            {"started_at": "2026-06-16 09:00:00"},
            "time_in_future",
            "started_at",
        ),
        (
            "log_episode",
            {"started_at": "2026-06-15 10:00:00", "ended_at": "2026-06-15 12:30:00"},
            "time_in_future",
            "ended_at",
        ),
        (
            "log_episode",
            {"started_at": "2026-06-15 10:00:00", "ended_at": "2026-06-15 09:00:00"},
            "end_before_start",
            "ended_at",
        ),
        ("end_episode", {}, "no_ongoing_episode", None),
        (
            "update_entry",
            {"entry_id": "missing", "note": "x"},
            "unknown_entry",
            "entry_id",
        ),
        ("delete_entry", {"entry_id": "missing"}, "unknown_entry", "entry_id"),
        ("undo_last", {}, "nothing_to_undo", None),
        (
            "get_entries",
            {"start": "2026-06-10 00:00:00", "end": "2026-06-01 00:00:00"},
            "range_end_before_start",
            "end",
        ),
    ],
)
async def test_rule_errors_are_translated_and_change_nothing(
    hass: HomeAssistant,
    diary_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
    key: str,
    field: str | None,
) -> None:
    """A broken rule raises a translated error naming the field; nothing changes."""
    before = stored(hass, diary_entry)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, **data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    message = str(err.value)
    assert message != key
    if field:
        assert field in message
    assert stored(hass, diary_entry) == before
    assert state(hass, "sensor.alex_doses_today") == "0"


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("log_dose", {"amount_mg": 0}),
        ("log_dose", {"amount_mg": 5001}),
        ("log_dose", {"amount_mg": 7.5}),
        ("log_dose", {"amount_mg": True}),
        ("log_dose", {"amount_mg": "lots"}),
        ("log_dose", {"taken_at": "yesterday"}),
        ("log_dose", {"note": "x" * 1001}),
        ("log_dose", {"dose": 400}),
        ("log_episode", {"severity": 11}),
        ("log_episode", {"severity": -1}),
        ("log_episode", {"relief": "some"}),
        ("log_episode", {"symptoms": [f"s{n}" for n in range(21)]}),
        ("log_episode", {"triggers": ["t" * 61]}),
        ("log_episode", {"acute_medications": [{"name": "x"}]}),
        ("end_episode", {"aura": True}),
        ("update_entry", {"note": "no id"}),
        ("get_entries", {"kind": "migraines"}),
        ("log_dose", {"taken_at": "1899-12-31T23:00:00+00:00"}),
        ("log_episode", {"started_at": "0001-06-01T00:00:00+00:00"}),
    ],
)
async def test_field_errors_use_home_assistant_validation(
    hass: HomeAssistant,
    diary_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
) -> None:
    """Type and range errors are caught by the field schema; nothing changes."""
    before = stored(hass, diary_entry)
    with pytest.raises(vol.Invalid):
        await call(hass, service, **data)
    assert stored(hass, diary_entry) == before


async def test_limits_are_inclusive(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """The largest allowed values and the earliest allowed time are accepted."""
    await call(hass, "log_dose", taken_at="1900-01-01T00:00:00+00:00")
    await call(hass, "delete_entry", entry_id=(await entries(hass))["doses"][0]["id"])
    await call(hass, "log_dose", amount_mg=5000, note="n" * 1000)
    await call(
        hass,
        "log_episode",
        severity=10,
        ended_at="2026-06-15 12:05:00",
        symptoms=["s" * 60] * 20,
    )
    result = await entries(hass)
    assert result["doses"][0]["amount_mg"] == 5000
    assert result["episodes"][0]["severity"] == 10


async def test_episode_life_cycle(
    hass: HomeAssistant, diary_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Start, refuse a second, end, and read the numbers."""
    events = async_capture_events(hass, f"{DOMAIN}_episode_started")
    ended_events = async_capture_events(hass, f"{DOMAIN}_episode_ended")
    started = await call(
        hass,
        "log_episode",
        severity=7,
        aura=True,
        symptoms=["nausea", "light sensitivity"],
        triggers=["poor sleep"],
        note="left side",
    )
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "on"
    assert state(hass, "sensor.alex_days_since_last_migraine") == "0"
    assert state(hass, "sensor.alex_last_migraine") == "2026-06-15T10:00:00+00:00"
    assert state(hass, "sensor.alex_migraine_days_30d") == "1"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "log_episode")
    assert err.value.translation_key == "episode_already_ongoing"
    freezer.tick(timedelta(hours=3))
    ended = await call(hass, "end_episode", relief="partial", severity=5)
    assert ended == started
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "off"
    assert state(hass, "sensor.alex_days_since_last_migraine") == "0"
    episode = (await entries(hass))["episodes"][0]
    assert episode == {
        "id": started["id"],
        "started_at": "2026-06-15T12:00:00+02:00",
        "ended_at": "2026-06-15T15:00:00+02:00",
        "severity": 5,
        "aura": True,
        "symptoms": ["nausea", "light sensitivity"],
        "triggers": ["poor sleep"],
        "acute_medications": [],
        "relief": "partial",
        "note": "left side",
    }
    assert len(events) == 1
    assert events[0].data["id"] == started["id"]
    assert events[0].data["config_entry_id"] == diary_entry.entry_id
    assert events[0].data["severity"] == 7
    assert len(ended_events) == 1


async def test_update_entry(hass: HomeAssistant, diary_entry: MockConfigEntry) -> None:
    """Edits change only the fields given and only fields of that kind."""
    changed = async_capture_events(hass, f"{DOMAIN}_entry_changed")
    dose = await call(hass, "log_dose")
    episode = await call(
        hass,
        "log_episode",
        started_at="2026-06-14 08:00:00",
        ended_at="2026-06-14 10:00:00",
    )
    await call(hass, "update_entry", entry_id=dose["id"], amount_mg=300)
    await call(
        hass, "update_entry", entry_id=episode["id"], severity=3, triggers=["cheese"]
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "update_entry", entry_id=dose["id"], severity=3)
    assert err.value.translation_key == "field_not_for_kind"
    assert "severity" in str(err.value)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "update_entry", entry_id=dose["id"])
    assert err.value.translation_key == "nothing_to_update"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "update_entry", entry_id=episode["id"], ended_at="2026-06-14 07:00:00"
        )
    assert err.value.translation_key == "end_before_start"
    result = await entries(hass)
    assert result["doses"][0]["amount_mg"] == 300
    assert result["episodes"][0]["severity"] == 3
    assert result["episodes"][0]["triggers"] == ["cheese"]
    assert result["episodes"][0]["ended_at"] == "2026-06-14T10:00:00+02:00"
    assert [event.data["action"] for event in changed] == ["update_entry"] * 2
    assert changed[0].data["kind"] == "dose"


async def test_moving_a_dose_to_yesterday_updates_the_sensors(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Editing a dose's time moves it between days."""
    dose = await call(hass, "log_dose")
    assert state(hass, "sensor.alex_doses_today") == "1"
    await call(hass, "update_entry", entry_id=dose["id"], taken_at="2026-06-14 21:00")
    assert state(hass, "sensor.alex_doses_today") == "0"
    assert state(hass, "binary_sensor.alex_dose_taken_today") == "off"


async def test_delete_entry(hass: HomeAssistant, diary_entry: MockConfigEntry) -> None:
    """Deleting removes the entry and its undo step."""
    changed = async_capture_events(hass, f"{DOMAIN}_entry_changed")
    dose = await call(hass, "log_dose")
    await call(hass, "delete_entry", entry_id=dose["id"])
    assert stored(hass, diary_entry)["doses"] == []
    assert stored(hass, diary_entry)["undo"] == []
    assert state(hass, "sensor.alex_doses_today") == "0"
    assert changed[0].data["action"] == "delete_entry"
    with pytest.raises(ServiceValidationError):
        await call(hass, "undo_last")


async def test_undo_last_goes_by_the_order_of_logging(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Undo removes entries and reopens an ended episode, latest action first."""
    today = await call(hass, "log_dose")
    backdated = await call(hass, "log_dose", taken_at="2026-06-13 21:00:00")
    episode = await call(hass, "log_episode", started_at="2026-06-15 08:00:00")
    await call(hass, "end_episode")
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "off"

    assert await call(hass, "undo_last") == episode
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "on"
    assert (await entries(hass))["episodes"][0]["ended_at"] is None

    assert await call(hass, "undo_last") == episode
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "off"
    assert (await entries(hass))["episodes"] == []

    assert await call(hass, "undo_last") == backdated
    assert [d["id"] for d in (await entries(hass))["doses"]] == [today["id"]]
    assert await call(hass, "undo_last") == today
    assert state(hass, "sensor.alex_doses_today") == "0"


async def test_undo_survives_a_restart(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """The undo stack is stored with the diary."""
    dose = await call(hass, "log_dose")
    assert await hass.config_entries.async_reload(diary_entry.entry_id)
    await hass.async_block_till_done()
    assert await call(hass, "undo_last") == dose


async def test_get_entries_ranges(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Doses with start ≤ taken_at < end; episodes overlapping the range."""
    inside = await call(hass, "log_dose", taken_at="2026-06-10 00:00:00")
    await call(hass, "log_dose", taken_at="2026-06-12 00:00:00")
    earlier = await call(hass, "log_dose", taken_at="2026-06-09 23:59:59")
    cut = await call(
        hass,
        "log_episode",
        started_at="2026-06-09 22:00",
        ended_at="2026-06-10 03:00",
    )
    await call(
        hass,
        "log_episode",
        started_at="2026-06-08 10:00",
        ended_at="2026-06-08 12:00",
    )
    ongoing = await call(hass, "log_episode", started_at="2026-06-11 10:00")
    result = await entries(hass, start="2026-06-10 00:00:00", end="2026-06-12 00:00:00")
    assert [dose["id"] for dose in result["doses"]] == [inside["id"]]
    assert [e["id"] for e in result["episodes"]] == [cut["id"], ongoing["id"]]
    everything = await entries(hass)
    assert [dose["id"] for dose in everything["doses"]][:2] == [
        earlier["id"],
        inside["id"],
    ]
    assert len(everything["episodes"]) == 3
    only_doses = await entries(hass, kind="dose")
    assert (len(only_doses["doses"]), only_doses["episodes"]) == (3, [])
    only_episodes = await entries(hass, kind="episode")
    assert (only_episodes["doses"], len(only_episodes["episodes"])) == ([], 3)
    until = await entries(hass, end="2026-06-10 00:00:00", kind="dose")
    assert [dose["id"] for dose in until["doses"]] == [earlier["id"]]


async def test_a_failed_save_changes_nothing(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """When the disk refuses, the call fails and memory matches the file."""
    before = stored(hass, diary_entry)
    with (
        patch(
            "custom_components.migraine_tracker.store._write_all",
            side_effect=OSError(28, "No space left on device"),
        ),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "log_dose")
    assert err.value.translation_key == "save_failed"
    assert "No space left" in str(err.value)
    assert stored(hass, diary_entry) == before
    assert state(hass, "sensor.alex_doses_today") == "0"
    assert (await entries(hass))["doses"] == []
    with pytest.raises(ServiceValidationError):
        await call(hass, "undo_last")


async def test_a_refused_change_that_reached_the_disk_is_overwritten(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A journal line whose sync failed and that cannot be taken back is outranked.

    The call reports failure, so the dose must not come back after a restart.
    """
    kept = await call(hass, "log_dose", taken_at="2026-06-14 21:00:00")
    with (
        patch(
            "custom_components.migraine_tracker.store._sync_data",
            side_effect=OSError(5, "Input/output error"),
        ),
        patch(
            "custom_components.migraine_tracker.store.os.ftruncate",
            side_effect=OSError(5, "Input/output error"),
        ),
        pytest.raises(HomeAssistantError),
    ):
        await call(hass, "log_dose")
    assert [dose["id"] for dose in stored(hass, diary_entry)["doses"]] == [kept["id"]]
    assert await hass.config_entries.async_reload(diary_entry.entry_id)
    await hass.async_block_till_done()
    assert [d["id"] for d in (await entries(hass))["doses"]] == [kept["id"]]
    # The diary goes on logging normally.
    await call(hass, "log_dose")
    assert len(stored(hass, diary_entry)["doses"]) == 2


async def test_a_cancelled_caller_does_not_cut_a_change_in_half(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A script stopped while its log_dose is being saved leaves a whole change."""
    release = asyncio.Event()
    append = DiaryStore.async_append

    async def slow_append(store: DiaryStore, change: Any) -> None:
        await release.wait()
        await append(store, change)

    with patch.object(DiaryStore, "async_append", slow_append):
        caller = hass.async_create_task(call(hass, "log_dose"))
        await asyncio.sleep(0)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        release.set()
        await hass.async_block_till_done()
    # The change went through as a whole: on disk, in the numbers, undoable.
    assert len(stored(hass, diary_entry)["doses"]) == 1
    assert state(hass, "sensor.alex_doses_today") == "1"
    await call(hass, "undo_last")
    assert state(hass, "sensor.alex_doses_today") == "0"
    assert stored(hass, diary_entry)["doses"] == []


async def test_choosing_the_diary(hass: HomeAssistant) -> None:
    """One diary may be implied; with several, the call must say which."""
    assert await async_setup_component(hass, DOMAIN, {})
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "log_dose")
    assert err.value.translation_key == "no_diary"
    alex = await setup_entry(hass, make_entry("Alex"))
    sam = await setup_entry(hass, make_entry("Sam", dose_mg=200))
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "log_dose")
    assert err.value.translation_key == "choose_diary"
    assert "Alex, Sam" in str(err.value)
    await call(hass, "log_dose", config_entry_id=sam.entry_id)
    assert state(hass, "sensor.sam_doses_today") == "1"
    assert state(hass, "sensor.alex_doses_today") == "0"
    assert stored(hass, sam)["doses"][0]["amount_mg"] == 200
    assert stored(hass, alex)["doses"] == []
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "log_dose", config_entry_id="not-an-entry")
    assert err.value.translation_key == "unknown_diary"
    other = MockConfigEntry(domain="counter")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "log_dose", config_entry_id=other.entry_id)
    assert err.value.translation_key == "unknown_diary"
    await hass.config_entries.async_unload(alex.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "log_dose", config_entry_id=alex.entry_id)
    assert err.value.translation_key == "diary_not_loaded"
    # Only Sam's diary is loaded now, so it is implied again.
    await call(hass, "log_dose")
    assert state(hass, "sensor.sam_doses_today") == "2"


async def test_every_change_fires_one_event(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Dose, start, end and each edit fire exactly one event of their kind."""
    names = (
        "dose_logged",
        "episode_started",
        "episode_ended",
        "entry_changed",
    )
    captured = {name: async_capture_events(hass, f"{DOMAIN}_{name}") for name in names}
    dose = await call(hass, "log_dose", amount_mg=300)
    await call(hass, "log_episode", severity=6)
    await call(hass, "end_episode")
    await call(hass, "undo_last")
    await call(hass, "update_entry", entry_id=dose["id"], note="later")
    await call(hass, "delete_entry", entry_id=dose["id"])
    assert {name: len(events) for name, events in captured.items()} == {
        "dose_logged": 1,
        "episode_started": 1,
        "episode_ended": 1,
        "entry_changed": 3,
    }
    logged = captured["dose_logged"][0].data
    assert logged == {
        "config_entry_id": diary_entry.entry_id,
        "id": dose["id"],
        "name": "Alex",
        "medication_name": "Magnesium glycinate",
        "amount_mg": 300,
        "taken_at": "2026-06-15T10:00:00+00:00",
    }
    assert [e.data["action"] for e in captured["entry_changed"]] == [
        "undo_last",
        "update_entry",
        "delete_entry",
    ]


async def test_events_carry_the_callers_context(
    hass: HomeAssistant, diary_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    """The logbook can tell who logged: the event has the call's context."""
    logged = async_capture_events(hass, f"{DOMAIN}_dose_logged")
    changed = async_capture_events(hass, f"{DOMAIN}_entry_changed")
    context = Context(user_id="user-who-logged")
    await hass.services.async_call(
        DOMAIN, "log_dose", {}, blocking=True, context=context
    )
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.alex_undo_last"},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert logged[0].context is context
    assert changed[0].context.user_id == hass_admin_user.id


async def test_times_are_checked_against_the_real_now(
    hass: HomeAssistant, diary_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The five-minute tolerance moves with the clock."""
    later = dt_util.now() + timedelta(minutes=10)
    with pytest.raises(ServiceValidationError):
        await call(hass, "log_dose", taken_at=later.isoformat())
    freezer.tick(timedelta(minutes=6))
    await call(hass, "log_dose", taken_at=later.isoformat())
    assert isinstance(later, datetime)
    assert len(stored(hass, diary_entry)["doses"]) == 1
