"""Many calls at once: every entry is kept, ids are unique, sensors add up.

Benchmarks print their figures (run with -s to see them); nothing here asserts
a duration.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
import random
import time
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.migraine_tracker.const import DOMAIN
from custom_components.migraine_tracker.records import UNDO_DEPTH
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import make_entry, setup_entry
from .diary_files import stored_records

CALLS = 200


def plan_calls(
    entry: MockConfigEntry, now: datetime, rng: random.Random
) -> list[tuple[str, dict[str, Any]]]:
    """Return CALLS random log_dose / finished log_episode calls for a diary."""
    calls: list[tuple[str, dict[str, Any]]] = []
    for number in range(CALLS):
        if number % 4 == 3:
            start = now - timedelta(minutes=rng.randint(60, 40 * 24 * 60))
            calls.append(
                (
                    "log_episode",
                    {
                        "config_entry_id": entry.entry_id,
                        "started_at": start,
                        "ended_at": start + timedelta(minutes=rng.randint(0, 600)),
                        "severity": rng.randint(0, 10),
                        "symptoms": [f"symptom {number}"],
                    },
                )
            )
        else:
            taken_at = now - timedelta(minutes=rng.randint(0, 20 * 24 * 60))
            calls.append(
                (
                    "log_dose",
                    {
                        "config_entry_id": entry.entry_id,
                        "taken_at": taken_at,
                        "amount_mg": rng.randint(1, 5000),
                        "note": f"dose {number}",
                    },
                )
            )
    return calls


async def send(
    hass: HomeAssistant, calls: list[tuple[str, dict[str, Any]]]
) -> tuple[list[str], float]:
    """Send all calls at once; return the ids answered and the seconds taken."""
    began = time.perf_counter()
    responses = await asyncio.gather(
        *(
            hass.services.async_call(
                DOMAIN, service, data, blocking=True, return_response=True
            )
            for service, data in calls
        )
    )
    elapsed = time.perf_counter() - began
    ids = []
    for response in responses:
        assert isinstance(response, dict)
        ids.append(str(response["id"]))
    return ids, elapsed


def local_day(moment: datetime) -> date:
    """Return a moment's local date."""
    return dt_util.as_local(moment).date()


async def check_consistent(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    calls: list[tuple[str, dict[str, Any]]],
    ids: list[str],
) -> None:
    """Every call is in the file and in memory, and the sensors match them."""
    assert len(set(ids)) == len(calls)
    records = await stored_records(hass, entry.entry_id)
    diary = entry.runtime_data
    assert set(records.doses) | set(records.episodes) == set(ids)
    assert set(diary.records.doses) == set(records.doses)
    assert set(diary.records.episodes) == set(records.episodes)
    sent_doses = sorted(
        (data["taken_at"], data["amount_mg"], data["note"])
        for service, data in calls
        if service == "log_dose"
    )
    kept_doses = sorted(
        (dose.taken_at, dose.amount_mg, dose.note) for dose in records.doses.values()
    )
    assert kept_doses == sent_doses
    sent_episodes = sorted(
        (data["started_at"], data["ended_at"], data["severity"])
        for service, data in calls
        if service == "log_episode"
    )
    kept_episodes = sorted(
        (episode.started_at, episode.ended_at, episode.severity)
        for episode in records.episodes.values()
    )
    assert kept_episodes == sent_episodes
    assert len(records.undo_stack) == min(len(calls), UNDO_DEPTH)

    name = entry.title.lower()
    today = dt_util.now().date()
    doses_today = sum(
        local_day(dose.taken_at) == today for dose in records.doses.values()
    )
    assert hass.states.get(f"sensor.{name}_doses_today").state == str(doses_today)
    assert hass.states.get(f"binary_sensor.{name}_dose_taken_today").state == (
        "on" if doses_today >= 1 else "off"
    )
    window = {today - timedelta(days=back) for back in range(30)}
    touched: set[date] = set()
    for episode in records.episodes.values():
        assert episode.ended_at is not None
        day = local_day(episode.started_at)
        while day <= local_day(episode.ended_at):
            touched.add(day)
            day += timedelta(days=1)
    assert hass.states.get(f"sensor.{name}_migraine_days_30d").state == str(
        len(touched & window)
    )
    last_end = max(
        episode.ended_at for episode in records.episodes.values() if episode.ended_at
    )
    assert hass.states.get(f"sensor.{name}_days_since_last_migraine").state == str(
        (today - local_day(last_end)).days
    )
    # Timestamp sensors show whole seconds.
    last_dose = max(dose.taken_at for dose in records.doses.values())
    assert dt_util.parse_datetime(
        hass.states.get(f"sensor.{name}_last_dose").state
    ) == last_dose.replace(microsecond=0)
    last_start = max(episode.started_at for episode in records.episodes.values())
    assert dt_util.parse_datetime(
        hass.states.get(f"sensor.{name}_last_migraine").state
    ) == last_start.replace(microsecond=0)
    assert hass.states.get(f"binary_sensor.{name}_migraine_ongoing").state == "off"


async def test_200_concurrent_calls_on_one_diary(hass: HomeAssistant) -> None:
    """200 log calls at once on one diary: all kept, ids unique, sensors right."""
    entry = await setup_entry(hass, make_entry("Alex"))
    calls = plan_calls(entry, dt_util.utcnow(), random.Random(1))

    ids, elapsed = await send(hass, calls)
    await hass.async_block_till_done()

    await check_consistent(hass, entry, calls, ids)
    records = await stored_records(hass, entry.entry_id)
    print(  # noqa: T201
        f"\none diary: {len(calls)} calls sent, {len(ids)} acknowledged, "
        f"{len(records.doses) + len(records.episodes)} stored, in {elapsed:.2f} s ({elapsed / len(calls) * 1000:.1f} ms a call, "
        f"{len(calls) / elapsed:.0f} calls/s)"
    )


async def test_200_concurrent_calls_on_each_of_two_diaries(hass: HomeAssistant) -> None:
    """200 calls on each of two diaries, interleaved: nothing mixes or goes missing."""
    alex = await setup_entry(hass, make_entry("Alex"))
    sam = await setup_entry(hass, make_entry("Sam"))
    now = dt_util.utcnow()
    alex_calls = plan_calls(alex, now, random.Random(2))
    sam_calls = plan_calls(sam, now, random.Random(3))
    mixed = [call for pair in zip(alex_calls, sam_calls, strict=True) for call in pair]

    ids, elapsed = await send(hass, mixed)
    await hass.async_block_till_done()

    await check_consistent(hass, alex, alex_calls, ids[0::2])
    await check_consistent(hass, sam, sam_calls, ids[1::2])
    assert not set(ids[0::2]) & set(ids[1::2])
    stored_count = 0
    for entry in (alex, sam):
        records = await stored_records(hass, entry.entry_id)
        stored_count += len(records.doses) + len(records.episodes)
    print(  # noqa: T201
        f"\ntwo diaries: {len(mixed)} calls sent, {len(ids)} acknowledged, "
        f"{stored_count} stored, in {elapsed:.2f} s "
        f"({elapsed / len(mixed) * 1000:.1f} ms a call, {len(mixed) / elapsed:.0f} calls/s)"
    )
