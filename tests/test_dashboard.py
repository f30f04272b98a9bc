"""Tests that the shipped dashboard shows every entity of a diary, and only those."""

from __future__ import annotations

from pathlib import Path

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util.yaml import load_yaml

from .dashboard_entities import referenced_entities

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboards" / "migraine_tracker.yaml"


async def test_dashboard_shows_every_entity(
    hass: HomeAssistant,
    diary_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Each entity of Alex's diary is on the dashboard; nothing else is."""
    dashboard = load_yaml(DASHBOARD)
    assert isinstance(dashboard, dict)
    entities = {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            entity_registry, diary_entry.entry_id
        )
    }
    assert len(entities) == 15
    assert referenced_entities(dashboard) == entities
    for entity_id in entities:
        assert hass.states.get(entity_id) is not None, entity_id


async def test_dashboard_buttons_press_their_own_button(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A button tile's tap presses the button the tile shows."""
    dashboard = load_yaml(DASHBOARD)
    assert isinstance(dashboard, dict)
    tiles = [
        card
        for view in dashboard["views"]
        for section in view["sections"]
        for card in section["cards"]
        if card["type"] == "tile" and card["entity"].startswith("button.")
    ]
    assert len(tiles) == 4
    for tile in tiles:
        for action in ("tap_action", "icon_tap_action"):
            assert tile[action]["perform_action"] == "button.press"
            assert tile[action]["target"] == {"entity_id": tile["entity"]}
