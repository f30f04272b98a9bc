"""Tests for the dashboard buttons."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError


async def press(hass: HomeAssistant, name: str) -> None:
    """Press one of Alex's buttons."""
    await hass.services.async_call(
        "button", "press", {"entity_id": f"button.alex_{name}"}, blocking=True
    )


def state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def test_buttons_do_what_they_say(
    hass: HomeAssistant, diary_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Log dose, start and end a migraine, undo: each with its defaults."""
    freezer.move_to("2026-06-15 21:00:00+02:00")
    await press(hass, "log_dose")
    assert state(hass, "sensor.alex_doses_today") == "1"
    assert state(hass, "button.alex_log_dose") == "2026-06-15T19:00:00+00:00"
    await press(hass, "start_migraine")
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "on"
    with pytest.raises(ServiceValidationError) as err:
        await press(hass, "start_migraine")
    assert err.value.translation_key == "episode_already_ongoing"
    await press(hass, "end_migraine")
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "off"
    with pytest.raises(ServiceValidationError) as err:
        await press(hass, "end_migraine")
    assert err.value.translation_key == "no_ongoing_episode"
    await press(hass, "undo_last")
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "on"
    await press(hass, "undo_last")
    await press(hass, "undo_last")
    assert state(hass, "binary_sensor.alex_migraine_ongoing") == "off"
    assert state(hass, "sensor.alex_doses_today") == "0"
    with pytest.raises(ServiceValidationError) as err:
        await press(hass, "undo_last")
    assert err.value.translation_key == "nothing_to_undo"
