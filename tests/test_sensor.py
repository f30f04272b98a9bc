"""Tests for the sensors and binary sensors as days go by."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.migraine_tracker.const import CONF_DOSES_PER_DAY, DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .conftest import call, make_entry, setup_entry

SENSORS = (
    "days_since_last_migraine",
    "last_migraine",
    "migraine_days_30d",
    "dose_adherence_30d",
    "dose_adherence_7d",
    "dose_streak",
    "doses_today",
    "last_dose",
)


def state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


def numbers(hass: HomeAssistant, name: str = "alex") -> dict[str, str]:
    """Return the day-dependent sensors of a diary."""
    return {
        "days_since": state(hass, f"sensor.{name}_days_since_last_migraine"),
        "migraine_days": state(hass, f"sensor.{name}_migraine_days_30d"),
        "adherence_7d": state(hass, f"sensor.{name}_dose_adherence_7d"),
        "adherence_30d": state(hass, f"sensor.{name}_dose_adherence_30d"),
        "streak": state(hass, f"sensor.{name}_dose_streak"),
        "today": state(hass, f"sensor.{name}_doses_today"),
        "taken": state(hass, f"binary_sensor.{name}_dose_taken_today"),
    }


async def move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: str
) -> None:
    """Move the clock and let timers fire."""
    freezer.move_to(moment)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_entities_and_device(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every entity of the SPEC exists on the diary's device, with its unique id."""
    freezer.move_to("2026-06-15 12:00:00+02:00")
    entry = await setup_entry(hass, make_entry())
    device = device_registry.async_get_device(identifiers={(DOMAIN, entry.entry_id)})
    assert device is not None
    assert device.name == "Alex"
    registered = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert sorted(e.unique_id for e in registered) == sorted(
        f"{entry.entry_id}_{key}"
        for key in (
            *SENSORS,
            "dose_taken_today",
            "migraine_ongoing",
            "log_dose",
            "start_migraine",
            "end_migraine",
            "undo_last",
            "diary",
        )
    )
    assert all(e.device_id == device.id for e in registered)
    assert all(e.translation_key == e.unique_id.split("_", 1)[1] for e in registered)
    summary = {
        e.entity_id: {
            "state": state(hass, e.entity_id),
            "attributes": dict(hass.states.get(e.entity_id).attributes),
        }
        for e in sorted(registered, key=lambda e: e.entity_id)
    }
    assert summary == snapshot


async def test_a_week_with_gaps(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Adherence and streak over a week of evening doses with two gaps."""
    freezer.move_to("2026-06-01 09:00:00+02:00")
    await setup_entry(hass, make_entry())
    # June 1-7, no dose on the 3rd and the 6th.
    for day in (1, 2, 4, 5, 7):
        await move_to(hass, freezer, f"2026-06-0{day} 21:00:00+02:00")
        await call(hass, "log_dose")
    assert numbers(hass) == {
        "days_since": "unknown",
        "migraine_days": "0",
        "adherence_7d": "71.4",
        "adherence_30d": "71.4",
        "streak": "1",
        "today": "1",
        "taken": "on",
    }
    await move_to(hass, freezer, "2026-06-08 00:00:01+02:00")
    # Today (the 8th) is not eligible until it is covered.
    assert numbers(hass) == {
        "days_since": "unknown",
        "migraine_days": "0",
        "adherence_7d": "66.7",
        "adherence_30d": "71.4",
        "streak": "1",
        "today": "0",
        "taken": "off",
    }
    await call(hass, "log_dose")
    assert numbers(hass)["streak"] == "2"
    assert numbers(hass)["adherence_7d"] == "71.4"
    assert numbers(hass)["adherence_30d"] == "75.0"


async def test_backdated_doses_before_the_diary_was_created(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Tracking starts at the earliest dose when it predates the diary."""
    freezer.move_to("2026-06-15 12:00:00+02:00")
    await setup_entry(hass, make_entry())
    assert state(hass, "sensor.alex_dose_adherence_30d") == "unknown"
    for day in (10, 11, 12, 14):
        await call(hass, "log_dose", taken_at=f"2026-06-{day} 20:00:00")
    # Eligible: June 10-14 (today not yet covered); covered: 4 of 5.
    assert state(hass, "sensor.alex_dose_adherence_30d") == "80.0"
    assert state(hass, "sensor.alex_dose_adherence_7d") == "80.0"
    assert state(hass, "sensor.alex_dose_streak") == "1"
    assert state(hass, "sensor.alex_last_dose") == "2026-06-14T18:00:00+00:00"


async def test_two_doses_a_day(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """With a target of two, one dose does not cover the day."""
    freezer.move_to("2026-06-15 08:00:00+02:00")
    await setup_entry(hass, make_entry(doses_per_day=2))
    await call(hass, "log_dose")
    assert state(hass, "sensor.alex_doses_today") == "1"
    assert state(hass, "binary_sensor.alex_dose_taken_today") == "off"
    assert state(hass, "sensor.alex_dose_streak") == "0"
    await move_to(hass, freezer, "2026-06-15 20:00:00+02:00")
    await call(hass, "log_dose")
    assert state(hass, "binary_sensor.alex_dose_taken_today") == "on"
    assert state(hass, "sensor.alex_dose_streak") == "1"
    assert state(hass, "sensor.alex_dose_adherence_7d") == "100.0"


async def test_options_apply_without_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Raising the daily target changes today's state at once."""
    freezer.move_to("2026-06-15 08:00:00+02:00")
    entry = await setup_entry(hass, make_entry())
    await call(hass, "log_dose")
    assert state(hass, "binary_sensor.alex_dose_taken_today") == "on"
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_DOSES_PER_DAY: 2}
    )
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.alex_dose_taken_today") == "off"
    assert state(hass, "sensor.alex_dose_streak") == "0"


async def test_days_since_last_migraine_rolls_over_at_midnight(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """An episode ended in the evening is 0 days ago until midnight, then 1."""
    freezer.move_to("2026-06-15 18:00:00+02:00")
    await setup_entry(hass, make_entry())
    await call(hass, "log_episode", started_at="2026-06-15 14:00", severity=6)
    await move_to(hass, freezer, "2026-06-15 22:30:00+02:00")
    await call(hass, "end_episode")
    assert state(hass, "sensor.alex_days_since_last_migraine") == "0"
    await move_to(hass, freezer, "2026-06-15 23:59:59+02:00")
    assert state(hass, "sensor.alex_days_since_last_migraine") == "0"
    await move_to(hass, freezer, "2026-06-16 00:00:00+02:00")
    assert state(hass, "sensor.alex_days_since_last_migraine") == "1"
    await move_to(hass, freezer, "2026-06-26 00:00:00+02:00")
    assert state(hass, "sensor.alex_days_since_last_migraine") == "11"
    assert state(hass, "sensor.alex_migraine_days_30d") == "1"
    await move_to(hass, freezer, "2026-07-15 00:00:00+02:00")
    assert state(hass, "sensor.alex_migraine_days_30d") == "0"


async def test_an_ongoing_migraine_counts_each_new_day(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Migraine days grow at midnight while an episode goes on."""
    freezer.move_to("2026-06-15 22:00:00+02:00")
    await setup_entry(hass, make_entry())
    await call(hass, "log_episode")
    assert state(hass, "sensor.alex_migraine_days_30d") == "1"
    await move_to(hass, freezer, "2026-06-16 00:00:01+02:00")
    assert state(hass, "sensor.alex_migraine_days_30d") == "2"
    assert state(hass, "sensor.alex_days_since_last_migraine") == "0"


@pytest.mark.parametrize(
    ("evening", "before_midnight", "after_midnight"),
    [
        # Clocks go forward at 02:00 on 2026-03-29: a 23-hour day.
        (
            "2026-03-28 21:00:00+01:00",
            "2026-03-28 23:59:59+01:00",
            "2026-03-29 00:00:00+01:00",
        ),
        # The 23-hour day itself ends at midnight summer time.
        (
            "2026-03-29 21:00:00+02:00",
            "2026-03-29 23:59:59+02:00",
            "2026-03-30 00:00:00+02:00",
        ),
        # Clocks go back at 03:00 on 2026-10-25: a 25-hour day.
        (
            "2026-10-25 21:00:00+01:00",
            "2026-10-25 23:59:59+01:00",
            "2026-10-26 00:00:00+01:00",
        ),
        (
            "2026-10-24 21:00:00+02:00",
            "2026-10-24 23:59:59+02:00",
            "2026-10-25 00:00:00+02:00",
        ),
    ],
    ids=[
        "before-spring-forward",
        "spring-forward-day",
        "fall-back-day",
        "before-fall-back",
    ],
)
async def test_rollover_on_dst_nights(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    evening: str,
    before_midnight: str,
    after_midnight: str,
) -> None:
    """Today's numbers reset exactly at local midnight around DST changes."""
    freezer.move_to(evening)
    await setup_entry(hass, make_entry())
    await call(hass, "log_dose")
    await move_to(hass, freezer, before_midnight)
    assert state(hass, "sensor.alex_doses_today") == "1"
    assert state(hass, "binary_sensor.alex_dose_taken_today") == "on"
    await move_to(hass, freezer, after_midnight)
    assert state(hass, "sensor.alex_doses_today") == "0"
    assert state(hass, "binary_sensor.alex_dose_taken_today") == "off"
    assert state(hass, "sensor.alex_dose_streak") == "1"
    # The timer is re-armed: the next night rolls over too. 25 hours after
    # one midnight is past the next one, whatever the length of the day.
    freezer.tick(timedelta(hours=20))
    await call(hass, "log_dose")
    assert state(hass, "sensor.alex_doses_today") == "1"
    freezer.tick(timedelta(hours=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert state(hass, "sensor.alex_doses_today") == "0"
    assert state(hass, "sensor.alex_dose_streak") == "2"


async def test_time_zone_change_recounts_days(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Moving Home Assistant to another zone moves doses to their new local dates."""
    # 05:30 in Berlin is 23:30 the evening before in New York.
    freezer.move_to("2026-06-15 05:30:00+02:00")
    await setup_entry(hass, make_entry())
    await call(hass, "log_dose")
    assert state(hass, "sensor.alex_doses_today") == "1"
    await hass.config.async_update(time_zone="America/New_York")
    await hass.async_block_till_done()
    assert state(hass, "sensor.alex_doses_today") == "1"
    # New York's midnight comes six hours after Berlin's.
    await move_to(hass, freezer, "2026-06-15 06:00:00+02:00")
    assert state(hass, "sensor.alex_doses_today") == "0"
    assert state(hass, "sensor.alex_dose_streak") == "1"


async def test_two_diaries_side_by_side(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Each diary has its own device, entities and numbers."""
    freezer.move_to("2026-06-15 08:00:00+02:00")
    alex: MockConfigEntry = await setup_entry(hass, make_entry("Alex"))
    sam: MockConfigEntry = await setup_entry(hass, make_entry("Sam", doses_per_day=2))
    await call(hass, "log_dose", config_entry_id=alex.entry_id)
    await call(hass, "log_dose", config_entry_id=sam.entry_id)
    await call(hass, "log_episode", config_entry_id=sam.entry_id, severity=4)
    assert numbers(hass, "alex")["taken"] == "on"
    assert numbers(hass, "sam")["taken"] == "off"
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "off"
    assert state(hass, "binary_sensor.sam_migraine_ongoing") == "on"
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.sam_end_migraine"}, blocking=True
    )
    assert state(hass, "binary_sensor.sam_migraine_ongoing") == "off"
    assert state(hass, "sensor.sam_days_since_last_migraine") == "0"
    assert state(hass, "sensor.alex_days_since_last_migraine") == "unknown"
