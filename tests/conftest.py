"""Shared fixtures for the Migraine Tracker tests."""

from __future__ import annotations

from pathlib import Path
import sys
from typing import Any

import pytest

# The harness ships a custom_components package of its own; ours must be
# imported first or Home Assistant cannot find the integration.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: E402

import custom_components.migraine_tracker  # noqa: E402, F401
from custom_components.migraine_tracker.const import (  # noqa: E402
    CONF_DOSE_MG,
    CONF_DOSES_PER_DAY,
    CONF_MEDICATION_NAME,
    DOMAIN,
)
from homeassistant.core import HomeAssistant, ServiceResponse  # noqa: E402

TIME_ZONE = "Europe/Berlin"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom integrations in every test."""


@pytest.fixture(autouse=True)
async def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Give each test its own config folder, so diary files stay apart."""
    hass.config.config_dir = str(tmp_path)
    await hass.config.async_set_time_zone(TIME_ZONE)
    return tmp_path


def make_entry(
    name: str = "Alex",
    *,
    dose_mg: int = 400,
    doses_per_day: int = 1,
    person: str | None = None,
) -> MockConfigEntry:
    """Return a diary's config entry."""
    data: dict[str, Any] = {"name": name}
    if person:
        data["person"] = person
    return MockConfigEntry(
        domain=DOMAIN,
        title=name,
        data=data,
        options={
            CONF_MEDICATION_NAME: "Magnesium glycinate",
            CONF_DOSE_MG: dose_mg,
            CONF_DOSES_PER_DAY: doses_per_day,
        },
    )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add a config entry and set it up."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def diary_entry(hass: HomeAssistant) -> MockConfigEntry:
    """Set up one diary, Alex's, with the default settings."""
    return await setup_entry(hass, make_entry())


async def call(hass: HomeAssistant, service: str, **data: Any) -> ServiceResponse:
    """Call a diary service, blocking, and return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )
