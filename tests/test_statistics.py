"""Tests that the recorder compiles long-term statistics of the diary's numbers."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
    statistics_during_period,
)

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import async_list_statistic_ids
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import call, make_entry, setup_entry

MEASURED = {
    "sensor.alex_days_since_last_migraine": "d",
    "sensor.alex_migraine_days_30d": "d",
    "sensor.alex_dose_adherence_30d": "%",
    "sensor.alex_dose_adherence_7d": "%",
    "sensor.alex_dose_streak": "d",
    "sensor.alex_doses_today": None,
}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then allow custom integrations.

    Replaces the suite-wide fixture: the recorder's database must be chosen
    before the `hass` fixture starts, so it is asked for first.
    """


async def test_numbers_become_long_term_statistics(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Every measured sensor gets statistics rows; timestamps do not."""
    freezer.move_to("2026-06-15 12:00:00+02:00")
    entry = await setup_entry(hass, make_entry())
    await call(
        hass,
        "log_episode",
        started_at="2026-06-13 08:00:00",
        ended_at="2026-06-13 20:00:00",
        severity=6,
    )
    await call(hass, "log_dose", taken_at="2026-06-14 08:00:00")
    freezer.move_to("2026-06-15 12:02:00+02:00")
    await call(hass, "log_dose")
    await async_wait_recording_done(hass)

    freezer.move_to("2026-06-15 12:10:00+02:00")
    async_fire_time_changed(hass)
    start = dt_util.parse_datetime("2026-06-15T10:00:00+00:00")
    assert start is not None
    do_adhoc_statistics(hass, start=start)
    await async_wait_recording_done(hass)

    rows = await hass.async_add_executor_job(
        statistics_during_period,
        hass,
        start,
        start + timedelta(minutes=5),
        set(MEASURED) | {"sensor.alex_last_dose", "sensor.alex_last_migraine"},
        "5minute",
    )
    assert set(rows) == set(MEASURED)
    latest = {statistic_id: series[-1] for statistic_id, series in rows.items()}
    # 12:00-12:02 with 0 doses today, 12:02-12:05 with 1: the mean is time-weighted.
    assert latest["sensor.alex_doses_today"]["min"] == 0
    assert latest["sensor.alex_doses_today"]["max"] == 1
    assert latest["sensor.alex_doses_today"]["mean"] == pytest.approx(0.6)
    assert latest["sensor.alex_days_since_last_migraine"]["mean"] == 2
    assert latest["sensor.alex_migraine_days_30d"]["mean"] == 1
    assert latest["sensor.alex_dose_streak"]["max"] == 2

    metadata = {
        item["statistic_id"]: item
        for item in await async_list_statistic_ids(hass, set(MEASURED))
    }
    assert {
        statistic_id: item["statistics_unit_of_measurement"]
        for statistic_id, item in metadata.items()
    } == MEASURED
    assert all(item["has_mean"] for item in metadata.values())
    assert entry.title == "Alex"
