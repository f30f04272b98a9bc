"""Tests for the evening dose reminder blueprint and its installer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import timedelta
import logging
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.migraine_tracker import blueprint as installer
from custom_components.migraine_tracker.blueprint import (
    BLUEPRINT_PATH,
    SHIPPED_BLUEPRINT,
    SHIPPED_VERSIONS,
    InstallResult,
    async_install_blueprint,
    install_blueprint,
    sha256,
)
from homeassistant.components.automation import (
    DOMAIN as AUTOMATION_DOMAIN,
    EVENT_AUTOMATION_RELOADED,
)
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint import Blueprint
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, STATE_OFF, STATE_ON
from homeassistant.core import CoreState, HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util

from .conftest import call, make_entry, setup_entry

REPOSITORY_BLUEPRINT = (
    Path(__file__).resolve().parents[1]
    / "blueprints"
    / "automation"
    / "migraine_tracker"
    / "evening_dose_reminder.yaml"
)
DOSE_TAKEN = "binary_sensor.alex_dose_taken_today"
DOSES_TODAY = "sensor.alex_doses_today"
PHONE_SERVICE = "mobile_app_pixel_8"
CHARGING = "binary_sensor.pixel_8_is_charging"
ACTION_EVENT = "mobile_app_notification_action"
EVENING = "2026-05-12 20:00:00+02:00"


@pytest.fixture(autouse=True)
def evening(freezer: FrozenDateTimeFactory) -> None:
    """Start every test on a May evening in Berlin, before the reminder time."""
    freezer.move_to(EVENING)


@pytest.fixture(autouse=True)
async def stop_automations(hass: HomeAssistant) -> AsyncGenerator[None]:
    """Turn every automation off after a test, so no trigger outlives it."""
    yield
    if hass.services.has_service(AUTOMATION_DOMAIN, "turn_off"):
        await hass.services.async_call(
            AUTOMATION_DOMAIN, "turn_off", {"entity_id": "all"}, blocking=True
        )


@pytest.fixture
def phone(hass: HomeAssistant) -> str:
    """Register a Companion app phone, as mobile_app would, and return its device id."""
    entry = MockConfigEntry(domain="mobile_app", title="Pixel 8")
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={("mobile_app", "pixel-8-webhook")},
        name="Pixel 8",
        manufacturer="Google",
        model="Pixel 8",
    )
    return device.id


@pytest.fixture
def notifications(hass: HomeAssistant) -> list[ServiceCall]:
    """Record what the phone's notify service is asked to do."""
    return async_mock_service(hass, "notify", PHONE_SERVICE)


async def set_up_reminder(
    hass: HomeAssistant, entry: MockConfigEntry, phone: str, **inputs: Any
) -> None:
    """Create automations from the installed blueprint, one per input set given."""
    defaults: dict[str, Any] = {
        "dose_taken_entity": DOSE_TAKEN,
        "diary": entry.entry_id,
        "notify_devices": [phone],
        "reminder_time": "21:30:00",
    }
    config = {
        AUTOMATION_DOMAIN: [
            {
                "alias": "Evening dose",
                "use_blueprint": {
                    "path": BLUEPRINT_PATH,
                    "input": {**defaults, **inputs},
                },
            }
        ]
    }
    # Written down too, as the automation editor would, so that a reload finds it.
    Path(hass.config.path("configuration.yaml")).write_text(yaml_util.dump(config))
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, config)
    await hass.async_block_till_done()
    assert hass.states.get("automation.evening_dose").state == STATE_ON


async def settle(hass: HomeAssistant) -> None:
    """Run all due work, without waiting for a reminder that waits for an answer.

    `async_block_till_done` would wait for the waiting reminder itself, and the
    frozen clock never lets a timeout end that wait; so this yields to the loop
    and waits only for file writes running in the executor.
    """
    quiet_rounds = 0
    while quiet_rounds < 3:
        for _ in range(50):
            await asyncio.sleep(0)
        writes = [
            job
            for job in hass._tasks
            if not isinstance(job, asyncio.Task) and not job.done()
        ]
        if writes:
            quiet_rounds = 0
            await asyncio.wait(writes)
        else:
            quiet_rounds += 1


async def move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: str
) -> None:
    """Let the clock run to a local time and fire what is due."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await settle(hass)


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float
) -> None:
    """Let the clock run some minutes and fire what is due."""
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await settle(hass)


def asks(calls: list[ServiceCall]) -> list[ServiceCall]:
    """Return the notifications sent, without the clearing ones."""
    return [c for c in calls if c.data["message"] != "clear_notification"]


def clears(calls: list[ServiceCall]) -> list[ServiceCall]:
    """Return the requests to clear a notification."""
    return [c for c in calls if c.data["message"] == "clear_notification"]


def button(notification: ServiceCall, title: str) -> str:
    """Return the action identifier of a notification's button."""
    actions: list[dict[str, str]] = notification.data["data"]["actions"]
    return next(a["action"] for a in actions if a["title"] == title)


async def press(hass: HomeAssistant, action: str) -> None:
    """Press a notification button, as the Companion app reports it."""
    hass.bus.async_fire(ACTION_EVENT, {"action": action})
    await settle(hass)


async def dose_count(hass: HomeAssistant, entry: MockConfigEntry) -> int:
    """Return how many doses the diary file holds."""
    entries = await call(hass, "get_entries", config_entry_id=entry.entry_id)
    assert entries is not None
    doses: list[dict[str, Any]] = entries["doses"]  # type: ignore[assignment]
    return len(doses)


# The blueprint as Home Assistant sees it.


def test_shipped_copy_matches_repository() -> None:
    """The copy inside the integration is the repository's blueprint, byte for byte."""
    assert SHIPPED_BLUEPRINT.read_bytes() == REPOSITORY_BLUEPRINT.read_bytes()


def test_current_version_is_listed() -> None:
    """The shipped blueprint's hash is the last listed, so updates can replace it later."""
    assert SHIPPED_VERSIONS[-1] == sha256(SHIPPED_BLUEPRINT.read_bytes())
    assert len(set(SHIPPED_VERSIONS)) == len(SHIPPED_VERSIONS)


def test_blueprint_passes_validation() -> None:
    """Home Assistant's blueprint schema accepts the file and finds every input."""
    data = yaml_util.load_yaml_dict(REPOSITORY_BLUEPRINT)
    blueprint = Blueprint(
        data, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )
    assert blueprint.validate() is None
    assert set(blueprint.inputs) == {
        "dose_taken_entity",
        "diary",
        "reminder_time",
        "bedtime_entities",
        "bedtime_not_before",
        "notify_devices",
        "speakers",
        "tts_engine",
        "snooze_minutes",
        "max_repeats",
        "title",
        "message",
        "took_text",
        "snooze_text",
        "skip_text",
    }
    required = {
        name for name, spec in blueprint.inputs.items() if "default" not in spec
    }
    assert required == {"dose_taken_entity", "diary", "notify_devices"}


async def test_installed_blueprint_is_listed(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """After setup the automation editor lists the blueprint, loaded without error."""
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, {})
    blueprints = await async_get_blueprints(hass).async_get_blueprints()
    blueprint = blueprints[BLUEPRINT_PATH]
    assert isinstance(blueprint, Blueprint)
    assert blueprint.name == "Migraine Tracker evening dose reminder"
    assert blueprint.metadata["source_url"].endswith(
        "/blob/main/blueprints/automation/migraine_tracker/evening_dose_reminder.yaml"
    )


# What the reminder does.


async def test_no_notification_when_already_taken(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """A dose logged before the reminder time means no notification."""
    await set_up_reminder(hass, diary_entry, phone)
    await call(hass, "log_dose")
    assert hass.states.get(DOSE_TAKEN).state == STATE_ON

    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")

    assert notifications == []


async def test_notification_when_not_taken(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """At the reminder time a missing dose sends one actionable notification."""
    await set_up_reminder(hass, diary_entry, phone)

    await move_to(hass, freezer, "2026-05-12 21:29:00+02:00")
    assert notifications == []
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")

    assert len(notifications) == 1
    data = notifications[0].data
    assert data["title"] == "Evening dose"
    assert data["message"] == "Today's dose is not logged yet. Did you take it?"
    assert data["data"]["tag"] == "migraine_tracker_reminder_automation.evening_dose"
    context_id = notifications[0].context.id  # the automation run's
    assert data["data"]["actions"] == [
        {"action": f"MIGRAINE_TOOK_{context_id}", "title": "Took it"},
        {"action": f"MIGRAINE_SNOOZE_{context_id}", "title": "Snooze"},
        {"action": f"MIGRAINE_SKIP_{context_id}", "title": "Skip today"},
    ]
    assert hass.states.get("automation.evening_dose").attributes["current"] == 1


async def test_took_it_logs_exactly_one_dose(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """The "Took it" button logs the diary's usual dose once and ends the reminder."""
    await set_up_reminder(hass, diary_entry, phone)
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")
    took = button(notifications[0], "Took it")

    await press(hass, took)
    await press(hass, took)  # a second tap reaches nobody: the run is over

    assert hass.states.get(DOSES_TODAY).state == "1"
    assert hass.states.get(DOSE_TAKEN).state == STATE_ON
    entries = await call(hass, "get_entries", config_entry_id=diary_entry.entry_id)
    assert entries is not None
    assert [dose["amount_mg"] for dose in entries["doses"]] == [400]  # type: ignore[index, union-attr]
    assert [c.data["data"]["tag"] for c in clears(notifications)] == [
        notifications[0].data["data"]["tag"]
    ]
    assert hass.states.get("automation.evening_dose").attributes["current"] == 0

    await tick(hass, freezer, 60)
    assert len(asks(notifications)) == 1


async def test_took_it_uses_the_chosen_diary(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """With two diaries the dose goes into the one the reminder names."""
    alex = await setup_entry(hass, make_entry("Alex"))
    sam = await setup_entry(hass, make_entry("Sam", dose_mg=200))
    await set_up_reminder(
        hass,
        sam,
        phone,
        dose_taken_entity="binary_sensor.sam_dose_taken_today",
        reminder_time="21:30",  # as typed in YAML, without seconds
    )
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")

    await press(hass, button(notifications[0], "Took it"))

    assert await dose_count(hass, alex) == 0
    entries = await call(hass, "get_entries", config_entry_id=sam.entry_id)
    assert entries is not None
    assert [dose["amount_mg"] for dose in entries["doses"]] == [200]  # type: ignore[index, union-attr]
    assert hass.states.get("sensor.sam_doses_today").state == "1"


async def test_snooze_asks_again_and_stops_once_logged(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """Snooze asks again after the snooze minutes; a dose logged elsewhere ends it."""
    await set_up_reminder(hass, diary_entry, phone, snooze_minutes=15)
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")
    tag = notifications[0].data["data"]["tag"]

    await tick(hass, freezer, 2)
    await press(hass, button(notifications[0], "Snooze"))
    assert len(clears(notifications)) == 1
    await tick(hass, freezer, 14)
    assert len(asks(notifications)) == 1
    await tick(hass, freezer, 1)
    assert len(asks(notifications)) == 2
    assert asks(notifications)[1].data["data"]["tag"] == tag

    await call(hass, "log_dose")  # from the dashboard, not the notification
    await settle(hass)

    assert clears(notifications)[-1].data["data"]["tag"] == tag
    assert len(clears(notifications)) == 2
    assert hass.states.get("automation.evening_dose").attributes["current"] == 0
    await tick(hass, freezer, 120)
    assert len(asks(notifications)) == 2
    assert await dose_count(hass, diary_entry) == 1


async def test_dose_logged_during_snooze_ends_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """A dose logged while snoozed means the reminder does not come back."""
    await set_up_reminder(hass, diary_entry, phone)
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")
    await press(hass, button(notifications[0], "Snooze"))

    await tick(hass, freezer, 5)
    await call(hass, "log_dose")
    await settle(hass)
    await tick(hass, freezer, 60)

    assert len(asks(notifications)) == 1
    assert hass.states.get("automation.evening_dose").attributes["current"] == 0


async def test_unanswered_reminder_repeats_at_most_max_repeats(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """Left alone it asks max_repeats more times; the last has no Snooze and stays."""
    await set_up_reminder(hass, diary_entry, phone, snooze_minutes=5, max_repeats=2)
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")

    for _ in range(12):
        await tick(hass, freezer, 5)

    sent = asks(notifications)
    assert len(sent) == 3
    assert [len(n.data["data"]["actions"]) for n in sent] == [3, 3, 2]
    assert [a["title"] for a in sent[-1].data["data"]["actions"]] == [
        "Took it",
        "Skip today",
    ]
    assert len({n.data["data"]["tag"] for n in sent}) == 1

    # An hour later the last notification still answers.
    await press(hass, button(sent[-1], "Took it"))
    assert hass.states.get(DOSES_TODAY).state == "1"
    assert hass.states.get("automation.evening_dose").attributes["current"] == 0


async def test_last_reminder_is_cleared_at_midnight(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """An unanswered last reminder is about yesterday once the day is over."""
    await set_up_reminder(hass, diary_entry, phone, max_repeats=0)
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")
    assert [a["title"] for a in notifications[0].data["data"]["actions"]] == [
        "Took it",
        "Skip today",
    ]

    await move_to(hass, freezer, "2026-05-12 23:59:00+02:00")
    assert clears(notifications) == []
    await move_to(hass, freezer, "2026-05-13 00:00:00+02:00")

    assert len(clears(notifications)) == 1
    assert hass.states.get("automation.evening_dose").attributes["current"] == 0
    assert await dose_count(hass, diary_entry) == 0


async def test_skip_today_stops_until_tomorrow(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """The "Skip today" button clears the notification; nothing reminds again that day."""
    hass.states.async_set(CHARGING, STATE_OFF)
    await set_up_reminder(hass, diary_entry, phone, bedtime_entities=[CHARGING])
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")

    await press(hass, button(notifications[0], "Skip today"))
    assert len(clears(notifications)) == 1

    await tick(hass, freezer, 60)
    hass.states.async_set(CHARGING, STATE_ON)  # going to bed later on
    await settle(hass)
    await tick(hass, freezer, 60)

    assert len(asks(notifications)) == 1
    assert await dose_count(hass, diary_entry) == 0

    hass.states.async_set(CHARGING, STATE_OFF)
    await move_to(hass, freezer, "2026-05-13 00:00:00+02:00")
    assert hass.states.get("automation.evening_dose").attributes["current"] == 0
    await move_to(hass, freezer, "2026-05-13 21:30:00+02:00")
    first, second = asks(notifications)
    assert button(second, "Took it") != button(first, "Took it")


async def test_bedtime_trigger_reminds(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """Without a reminder time, plugging the phone in at night reminds and "Took it" logs."""
    hass.states.async_set(CHARGING, STATE_OFF)
    await set_up_reminder(
        hass, diary_entry, phone, reminder_time="", bedtime_entities=[CHARGING]
    )
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")
    assert notifications == []

    await move_to(hass, freezer, "2026-05-12 22:45:00+02:00")
    hass.states.async_set(CHARGING, STATE_ON)
    await settle(hass)

    assert len(asks(notifications)) == 1
    await press(hass, button(notifications[0], "Took it"))
    assert hass.states.get(DOSES_TODAY).state == "1"


async def test_bedtime_trigger_ignored_in_the_afternoon(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """Charging the phone before "counts from" does not remind; off->on only."""
    hass.states.async_set(CHARGING, STATE_OFF)
    await set_up_reminder(
        hass,
        diary_entry,
        phone,
        reminder_time="",
        bedtime_entities=[CHARGING],
        bedtime_not_before="21:00:00",
    )

    hass.states.async_set(CHARGING, STATE_ON)
    await settle(hass)
    assert notifications == []

    hass.states.async_set(CHARGING, "unavailable")
    await move_to(hass, freezer, "2026-05-12 22:00:00+02:00")
    hass.states.async_set(CHARGING, STATE_ON)
    await settle(hass)
    assert notifications == []

    hass.states.async_set(CHARGING, STATE_OFF)
    hass.states.async_set(CHARGING, STATE_ON)
    await settle(hass)
    assert len(asks(notifications)) == 1


async def test_second_trigger_while_waiting_is_dropped(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bedtime trigger during a pending reminder sends no second notification."""
    hass.states.async_set(CHARGING, STATE_OFF)
    await set_up_reminder(hass, diary_entry, phone, bedtime_entities=[CHARGING])
    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")

    hass.states.async_set(CHARGING, STATE_ON)
    await settle(hass)

    assert len(asks(notifications)) == 1
    assert "Already running" not in caplog.text


async def test_restart_clears_a_left_over_notification(
    hass: HomeAssistant,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """A reminder cut off by a restart loses its notification, not a dose."""
    hass.set_state(CoreState.not_running)
    await set_up_reminder(hass, diary_entry, phone)

    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await settle(hass)

    assert asks(notifications) == []
    assert [c.data["data"]["tag"] for c in clears(notifications)] == [
        "migraine_tracker_reminder_automation.evening_dose"
    ]
    assert hass.states.get("automation.evening_dose").attributes["current"] == 0


async def test_two_reminders_do_not_answer_each_other(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """Two diaries reminding on one phone get distinct tags and buttons."""
    alex = await setup_entry(hass, make_entry("Alex"))
    sam = await setup_entry(hass, make_entry("Sam"))
    config = {
        AUTOMATION_DOMAIN: [
            {
                "alias": f"Evening dose {entry.title}",
                "use_blueprint": {
                    "path": BLUEPRINT_PATH,
                    "input": {
                        "dose_taken_entity": f"binary_sensor.{entry.title.lower()}_dose_taken_today",
                        "diary": entry.entry_id,
                        "notify_devices": [phone],
                        "reminder_time": "21:30:00",
                    },
                },
            }
            for entry in (alex, sam)
        ]
    }
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, config)
    await settle(hass)

    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")

    assert len(notifications) == 2
    tags = {n.data["data"]["tag"] for n in notifications}
    assert len(tags) == 2
    first, second = notifications
    assert button(first, "Took it") != button(second, "Took it")

    await press(hass, button(second, "Took it"))

    counts = [await dose_count(hass, alex), await dose_count(hass, sam)]
    assert sorted(counts) == [0, 1]
    assert [c.data["data"]["tag"] for c in clears(notifications)] == [
        second.data["data"]["tag"]
    ]

    await press(hass, button(first, "Took it"))

    assert [await dose_count(hass, alex), await dose_count(hass, sam)] == [1, 1]


async def test_several_phones_and_speakers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    diary_entry: MockConfigEntry,
    phone: str,
    notifications: list[ServiceCall],
) -> None:
    """Every phone gets the notification; media players and voice assistants say it."""
    entry = MockConfigEntry(domain="mobile_app", title="Sam's iPhone")
    entry.add_to_hass(hass)
    iphone = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={("mobile_app", "iphone-webhook")},
        name="Sam's iPhone",
    )
    iphone_calls = async_mock_service(hass, "notify", "mobile_app_sam_s_iphone")
    speak = async_mock_service(hass, "tts", "speak")
    announce = async_mock_service(hass, "assist_satellite", "announce")
    hass.states.async_set("tts.piper", "unknown")
    await set_up_reminder(
        hass,
        diary_entry,
        phone,
        notify_devices=[phone, iphone.id],
        speakers=["media_player.bedroom", "assist_satellite.kitchen"],
        message="Magnesium time",
    )

    await move_to(hass, freezer, "2026-05-12 21:30:00+02:00")

    assert len(notifications) == 1
    assert len(iphone_calls) == 1
    assert iphone_calls[0].data["data"] == notifications[0].data["data"]
    assert len(speak) == 1
    assert speak[0].data["entity_id"] == ["tts.piper"]
    assert speak[0].data["media_player_entity_id"] == ["media_player.bedroom"]
    assert speak[0].data["message"] == "Magnesium time"
    assert len(announce) == 1
    assert announce[0].data["entity_id"] == ["assist_satellite.kitchen"]
    assert announce[0].data["message"] == "Magnesium time"

    await press(hass, button(iphone_calls[0], "Took it"))
    assert len(clears(notifications)) == 1
    assert len(clears(iphone_calls)) == 1
    assert hass.states.get(DOSES_TODAY).state == "1"


# The installer.


def installed(hass: HomeAssistant) -> Path:
    """Return where the blueprint is installed in the config folder."""
    return Path(hass.config.path("blueprints", "automation", BLUEPRINT_PATH))


async def test_installer_copies_when_missing(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Setting up the first diary installs the blueprint."""
    caplog.set_level(logging.INFO)
    assert not installed(hass).exists()

    await setup_entry(hass, make_entry())

    assert installed(hass).read_bytes() == SHIPPED_BLUEPRINT.read_bytes()
    assert "Installed the evening dose reminder blueprint" in caplog.text
    assert not list(installed(hass).parent.glob(".*.tmp"))


async def test_installer_waits_for_home_assistant_to_start(
    hass: HomeAssistant,
) -> None:
    """During startup the file is written only once Home Assistant has started."""
    hass.set_state(CoreState.not_running)

    await setup_entry(hass, make_entry())
    assert not installed(hass).exists()

    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    assert installed(hass).read_bytes() == SHIPPED_BLUEPRINT.read_bytes()


async def test_installer_keeps_a_user_edit(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A changed file in the blueprints folder is never overwritten."""
    caplog.set_level(logging.INFO)
    edited = SHIPPED_BLUEPRINT.read_bytes().replace(b"default: 10", b"default: 20")
    installed(hass).parent.mkdir(parents=True)
    installed(hass).write_bytes(edited)

    await setup_entry(hass, make_entry())

    assert installed(hass).read_bytes() == edited
    assert "was changed" in caplog.text


async def test_installer_leaves_an_unchanged_file_alone(hass: HomeAssistant) -> None:
    """An installed current version is not rewritten."""
    installed(hass).parent.mkdir(parents=True)
    installed(hass).write_bytes(SHIPPED_BLUEPRINT.read_bytes())
    modified = installed(hass).stat().st_mtime_ns

    await setup_entry(hass, make_entry())

    assert installed(hass).stat().st_mtime_ns == modified


async def test_installer_updates_an_earlier_shipped_version(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    diary_entry: MockConfigEntry,
    phone: str,
) -> None:
    """An untouched earlier version is replaced, and automations using it reload."""
    earlier = SHIPPED_BLUEPRINT.read_bytes().replace(
        b"name: Migraine Tracker evening dose reminder",
        b"name: Migraine Tracker bedtime reminder",
    )
    installed(hass).write_bytes(earlier)
    await set_up_reminder(hass, diary_entry, phone)
    blueprints = async_get_blueprints(hass)
    assert (await blueprints.async_get_blueprint(BLUEPRINT_PATH)).name == (
        "Migraine Tracker bedtime reminder"
    )
    monkeypatch.setattr(
        installer, "SHIPPED_VERSIONS", (sha256(earlier), *SHIPPED_VERSIONS)
    )
    reloads = async_capture_events(hass, EVENT_AUTOMATION_RELOADED)

    await async_install_blueprint(hass)
    await hass.async_block_till_done()

    assert len(reloads) == 1

    assert installed(hass).read_bytes() == SHIPPED_BLUEPRINT.read_bytes()
    assert (await blueprints.async_get_blueprint(BLUEPRINT_PATH)).name == (
        "Migraine Tracker evening dose reminder"
    )
    assert hass.states.get("automation.evening_dose").state == STATE_ON


async def test_installer_survives_an_unwritable_folder(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A blueprints folder that cannot take the file is logged; the diary still loads."""
    installed(hass).parent.parent.mkdir(parents=True)
    installed(hass).parent.write_text("not a folder")

    entry = await setup_entry(hass, make_entry())

    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(DOSE_TAKEN) is not None
    assert "Could not install the reminder blueprint" in caplog.text


@pytest.mark.parametrize(
    ("before", "result"),
    [
        (None, InstallResult.INSTALLED),
        (b"old", InstallResult.UPDATED),
        (b"mine", InstallResult.KEPT_USER_EDIT),
        (b"new", InstallResult.UNCHANGED),
    ],
)
def test_install_blueprint_decisions(
    tmp_path: Path, before: bytes | None, result: InstallResult
) -> None:
    """Missing or earlier shipped files get the new version; anything else stays."""
    shipped = tmp_path / "shipped.yaml"
    shipped.write_bytes(b"new")
    target = tmp_path / "blueprints" / "automation" / "x" / "reminder.yaml"
    if before is not None:
        target.parent.mkdir(parents=True)
        target.write_bytes(before)
    expected: dict[InstallResult, bytes] = {
        InstallResult.INSTALLED: b"new",
        InstallResult.UPDATED: b"new",
        InstallResult.KEPT_USER_EDIT: b"mine",
        InstallResult.UNCHANGED: b"new",
    }

    assert (
        install_blueprint(shipped, target, {sha256(b"old"), sha256(b"new")}) is result
    )
    assert target.read_bytes() == expected[result]
