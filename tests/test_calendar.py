"""Tests for the diary calendar, read as dashboards and automations read it."""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from pathlib import Path
from typing import Any

from freezegun import api as freezegun_api
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.migraine_tracker.const import DOMAIN
from custom_components.migraine_tracker.timeline import Timeline
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .conftest import call, make_entry, setup_entry

NOW = "2026-06-15 12:00:00+02:00"
CALENDAR = "calendar.alex_diary"


@pytest.fixture(autouse=True)
def frozen_now(freezer: FrozenDateTimeFactory) -> None:
    """Run each test at a fixed moment."""
    freezer.move_to(NOW)


async def get_events(
    hass: HomeAssistant, start: str, end: str, entity_id: str = CALENDAR
) -> list[dict[str, Any]]:
    """Return the events of a range through the calendar.get_events action."""
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": entity_id, "start_date_time": start, "end_date_time": end},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    events = response[entity_id]["events"]
    assert isinstance(events, list)
    return events


async def test_calendar_entity(
    hass: HomeAssistant,
    diary_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The calendar hangs off the diary's device and is off while empty."""
    entity = entity_registry.async_get(CALENDAR)
    assert entity is not None
    assert entity.unique_id == f"{diary_entry.entry_id}_diary"
    assert entity.translation_key == "diary"
    sensor = entity_registry.async_get("sensor.alex_doses_today")
    assert sensor is not None
    assert entity.device_id == sensor.device_id
    state = hass.states.get(CALENDAR)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["friendly_name"] == "Alex Diary"
    assert await get_events(hass, "2026-06-01 00:00:00", "2026-07-01 00:00:00") == []


async def test_dose_is_a_one_minute_event(
    hass: HomeAssistant, diary_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A dose is an event for one minute; the calendar is on during it."""
    response = await call(hass, "log_dose", note="with breakfast")
    assert isinstance(response, dict)
    state = hass.states.get(CALENDAR)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["message"] == "Magnesium glycinate 400 mg"
    assert state.attributes["description"] == "with breakfast"
    assert state.attributes["start_time"] == "2026-06-15 12:00:00"
    assert state.attributes["end_time"] == "2026-06-15 12:01:00"

    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(CALENDAR)
    assert state is not None
    assert state.state == "off"

    events = await get_events(hass, "2026-06-15 00:00:00", "2026-06-16 00:00:00")
    assert events == [
        {
            "start": "2026-06-15T12:00:00+02:00",
            "end": "2026-06-15T12:01:00+02:00",
            "summary": "Magnesium glycinate 400 mg",
            "description": "with breakfast",
        }
    ]


async def test_episode_event_lists_its_details(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """An episode's event is titled with its severity and describes the rest."""
    await call(
        hass,
        "log_episode",
        started_at="2026-06-14 07:30:00",
        ended_at="2026-06-14 15:00:00",
        severity=7,
        aura=True,
        symptoms=["nausea", "light sensitivity"],
        triggers=["poor sleep"],
        acute_medications=["ibuprofen 400 mg"],
        relief="partial",
        note="Had to leave work.",
    )
    await call(
        hass,
        "log_episode",
        started_at="2026-06-12 20:00:00",
        ended_at="2026-06-12 22:00:00",
    )
    events = await get_events(hass, "2026-06-12 00:00:00", "2026-06-15 00:00:00")
    assert events == [
        {
            "start": "2026-06-12T20:00:00+02:00",
            "end": "2026-06-12T22:00:00+02:00",
            "summary": "Migraine",
        },
        {
            "start": "2026-06-14T07:30:00+02:00",
            "end": "2026-06-14T15:00:00+02:00",
            "summary": "Migraine (severity 7)",
            "description": (
                "Severity: 7/10\n"
                "Aura: yes\n"
                "Triggers: poor sleep\n"
                "Symptoms: nausea, light sensitivity\n"
                "Acute medications: ibuprofen 400 mg\n"
                "Relief: partial\n"
                "Note: Had to leave work."
            ),
        },
    ]
    state = hass.states.get(CALENDAR)
    assert state is not None
    assert state.state == "off"


async def test_ranges_cut_episodes(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Episodes reaching into a range from before or beyond it are in it."""
    await call(
        hass,
        "log_episode",
        started_at="2026-06-10 22:00:00",
        ended_at="2026-06-12 03:00:00",
        severity=8,
    )
    await call(hass, "log_dose", taken_at="2026-06-11 08:00:00")
    await call(hass, "log_dose", taken_at="2026-06-12 23:59:30")

    def summaries(events: list[dict[str, Any]]) -> list[str]:
        return [event["summary"] for event in events]

    day_11 = await get_events(hass, "2026-06-11 00:00:00", "2026-06-12 00:00:00")
    assert summaries(day_11) == ["Migraine (severity 8)", "Magnesium glycinate 400 mg"]
    # The event keeps its own times; the range only selects it.
    assert day_11[0]["start"] == "2026-06-10T22:00:00+02:00"
    assert day_11[0]["end"] == "2026-06-12T03:00:00+02:00"
    day_12 = await get_events(hass, "2026-06-12 00:00:00", "2026-06-13 00:00:00")
    assert summaries(day_12) == ["Migraine (severity 8)", "Magnesium glycinate 400 mg"]
    # The late dose's minute reaches past midnight.
    day_13 = await get_events(hass, "2026-06-13 00:00:00", "2026-06-14 00:00:00")
    assert summaries(day_13) == ["Magnesium glycinate 400 mg"]
    assert await get_events(hass, "2026-06-12 03:00:00", "2026-06-12 23:00:00") == []


async def test_ongoing_episode_lasts_until_tonight(
    hass: HomeAssistant, diary_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """An ongoing episode is shown up to midnight and keeps the calendar on."""
    await call(hass, "log_episode", started_at="2026-06-15 09:00:00", severity=6)
    state = hass.states.get(CALENDAR)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["message"] == "Migraine (severity 6, ongoing)"
    assert state.attributes["end_time"] == "2026-06-16 00:00:00"
    events = await get_events(hass, "2026-06-15 00:00:00", "2026-06-16 00:00:00")
    assert [(event["summary"], event["end"]) for event in events] == [
        ("Migraine (severity 6, ongoing)", "2026-06-16T00:00:00+02:00")
    ]

    # Still going the next day: the open end moves on at midnight.
    freezer.move_to("2026-06-16 00:00:01+02:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(CALENDAR)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["end_time"] == "2026-06-17 00:00:00"
    assert await get_events(hass, "2026-06-16 00:00:00", "2026-06-17 00:00:00")

    freezer.move_to("2026-06-16 10:00:00+02:00")
    await call(hass, "end_episode", relief="complete")
    state = hass.states.get(CALENDAR)
    assert state is not None
    assert state.state == "off"
    events = await get_events(hass, "2026-06-15 00:00:00", "2026-06-17 00:00:00")
    assert [(event["summary"], event["end"]) for event in events] == [
        ("Migraine (severity 6)", "2026-06-16T10:00:00+02:00")
    ]
    assert events[0]["description"] == "Severity: 6/10\nRelief: complete"


async def test_calendar_follows_edits_and_options(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Edits, deletions, undo and a new supplement name show at once."""
    response = await call(hass, "log_dose", taken_at="2026-06-14 08:00:00")
    assert isinstance(response, dict)
    await call(hass, "update_entry", entry_id=response["id"], amount_mg=200)
    hass.config_entries.async_update_entry(
        diary_entry, options={**diary_entry.options, "medication_name": "Magnesium"}
    )
    await hass.async_block_till_done()
    events = await get_events(hass, "2026-06-14 00:00:00", "2026-06-15 00:00:00")
    assert [event["summary"] for event in events] == ["Magnesium 200 mg"]
    await call(hass, "delete_entry", entry_id=response["id"])
    assert await get_events(hass, "2026-06-14 00:00:00", "2026-06-15 00:00:00") == []
    await call(hass, "log_dose")
    await call(hass, "undo_last")
    assert await get_events(hass, "2026-06-15 00:00:00", "2026-06-16 00:00:00") == []


async def test_event_uid_is_the_entry_id(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Each event carries its entry's id, the one update_entry takes."""
    dose = await call(hass, "log_dose", taken_at="2026-06-14 08:00:00")
    assert isinstance(dose, dict)
    calendar = hass.data["calendar"].get_entity(CALENDAR)
    events = await calendar.async_get_events(
        hass,
        dt_util.parse_datetime("2026-06-14T00:00:00+02:00"),
        dt_util.parse_datetime("2026-06-15T00:00:00+02:00"),
    )
    assert [event.uid for event in events] == [dose["id"]]


def ten_year_diary(end: datetime) -> dict[str, Any]:
    """Return the file data of a diary kept for ten years up to `end`."""
    doses: list[dict[str, Any]] = []
    episodes: list[dict[str, Any]] = []
    days = 3650
    first = end - timedelta(days=days)
    for day in range(days):
        morning = first + timedelta(days=day, hours=8)
        # About 4,000 doses: one a day, a second one every tenth day.
        doses.append(
            {"id": f"d{day}", "taken_at": morning.isoformat(), "amount_mg": 400}
        )
        if day % 10 == 0:
            doses.append(
                {
                    "id": f"e{day}",
                    "taken_at": (morning + timedelta(hours=12)).isoformat(),
                    "amount_mg": 200,
                }
            )
        # About 600 episodes: one every six days, a few hours each.
        if day % 6 == 0:
            episodes.append(
                {
                    "id": f"m{day}",
                    "started_at": (morning + timedelta(hours=6)).isoformat(),
                    "ended_at": (morning + timedelta(hours=11)).isoformat(),
                    "severity": day % 11,
                    "triggers": ["poor sleep"],
                }
            )
    return {
        "created_at": first.isoformat(),
        "doses": doses,
        "episodes": episodes,
        "undo": [],
    }


async def test_benchmark_one_month_of_a_ten_year_diary(hass: HomeAssistant) -> None:
    """Print how long a month of a ten-year diary takes to show (no timed assertion).

    The clock is frozen for the diary; `real_perf_counter` measures real time.
    """
    entry = make_entry()
    data = ten_year_diary(dt_util.utcnow())
    path = Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "minor_version": 1, "data": data}))
    await setup_entry(hass, entry)
    calendar = hass.data["calendar"].get_entity(CALENDAR)
    start = dt_util.parse_datetime("2026-05-01T00:00:00+02:00")
    end = dt_util.parse_datetime("2026-06-01T00:00:00+02:00")
    assert start is not None
    assert end is not None

    rounds = 50
    began = freezegun_api.real_perf_counter()
    for _ in range(rounds):
        events = await calendar.async_get_events(hass, start, end)
    month = (freezegun_api.real_perf_counter() - began) / rounds

    utc_start, utc_end = dt_util.as_utc(start), dt_util.as_utc(end)
    began = freezegun_api.real_perf_counter()
    for _ in range(rounds):
        calendar.timeline.overlapping(utc_start, utc_end, utc_end)
    lookup = (freezegun_api.real_perf_counter() - began) / rounds
    records = calendar.diary.records
    began = freezegun_api.real_perf_counter()
    for _ in range(rounds):
        Timeline(records.doses.values(), records.episodes.values())
    build = (freezegun_api.real_perf_counter() - began) / rounds

    began = freezegun_api.real_perf_counter()
    await call(hass, "log_dose")
    log = freezegun_api.real_perf_counter() - began

    began = freezegun_api.real_perf_counter()
    response = await get_events(hass, "2026-05-01 00:00:00", "2026-06-01 00:00:00")
    service = freezegun_api.real_perf_counter() - began

    # A benchmark reports its figures; run with -s to see them.
    print(  # noqa: T201
        f"\n10-year diary ({len(data['doses'])} doses, {len(data['episodes'])} "
        f"episodes): one month = {len(events)} events; "
        f"async_get_events {month * 1000:.2f} ms (of which the lookup "
        f"{lookup * 1000:.3f} ms), building the timeline (at load) {build * 1000:.2f} ms, "
        f"calendar.get_events action {service * 1000:.2f} ms, "
        f"log_dose with the calendar's update {log * 1000:.2f} ms"
    )
    assert len(events) == len(response)
    # May: 31 morning doses, 3 evening doses, 5 episodes.
    assert sum(event.summary.startswith("Migraine") for event in events) in (5, 6)
    assert len(events) > 31
