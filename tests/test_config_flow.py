"""Tests for the config, options and reconfigure flows."""

from __future__ import annotations

from custom_components.migraine_tracker.const import DOMAIN
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .conftest import make_entry, setup_entry

MEDICATION = {
    "medication_name": "Magnesium glycinate",
    "dose_mg": 400,
    "doses_per_day": 1,
}


async def test_create_a_diary(hass: HomeAssistant) -> None:
    """Name and person, then the supplement: one entry titled after the person."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "  Alex ", "person": "person.alex"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "medication"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "medication_name": " Magnesium citrate ",
            "dose_mg": 300.0,
            "doses_per_day": 2.0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Alex"
    assert result["data"] == {"name": "Alex", "person": "person.alex"}
    assert result["options"] == {
        "medication_name": "Magnesium citrate",
        "dose_mg": 300,
        "doses_per_day": 2,
    }
    await hass.async_block_till_done()
    assert hass.states.get("sensor.alex_doses_today") is not None


async def test_defaults_and_no_person(hass: HomeAssistant) -> None:
    """The person is optional and the supplement form comes filled in."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Sam"}
    )
    schema = result["data_schema"].schema
    defaults = {str(key): key.default() for key in schema}
    assert defaults == MEDICATION
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], MEDICATION
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"name": "Sam"}


async def test_names_must_differ_and_fit(hass: HomeAssistant) -> None:
    """A second diary with the same name, or an empty name, is refused."""
    await setup_entry(hass, make_entry("Alex"))
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "alex"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "name_exists"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "   "}
    )
    assert result["errors"] == {"name": "name_length"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Sam"}
    )
    assert result["step_id"] == "medication"


async def test_medication_rules(hass: HomeAssistant) -> None:
    """Out-of-range supplement settings are shown as field errors."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Alex"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"medication_name": "x" * 61, "dose_mg": 400.5, "doses_per_day": 1.5},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        "medication_name": "medication_name_length",
        "dose_mg": "dose_mg_range",
        "doses_per_day": "doses_per_day_range",
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], MEDICATION
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_options_flow(hass: HomeAssistant) -> None:
    """The options flow changes the supplement and applies at once."""
    entry = await setup_entry(hass, make_entry())
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"medication_name": "", "dose_mg": 250.5, "doses_per_day": 2.5},
    )
    assert result["errors"] == {
        "medication_name": "medication_name_length",
        "dose_mg": "dose_mg_range",
        "doses_per_day": "doses_per_day_range",
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"medication_name": "Magnesium citrate", "dose_mg": 250, "doses_per_day": 2},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "medication_name": "Magnesium citrate",
        "dose_mg": 250,
        "doses_per_day": 2,
    }
    await hass.async_block_till_done()
    assert entry.state is config_entries.ConfigEntryState.LOADED
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.alex_log_dose"}, blocking=True
    )
    response = await hass.services.async_call(
        DOMAIN, "get_entries", {}, blocking=True, return_response=True
    )
    assert response["doses"][0]["amount_mg"] == 250


async def test_reconfigure(hass: HomeAssistant) -> None:
    """A diary can be renamed and linked to a person; names stay unique."""
    await setup_entry(hass, make_entry("Sam"))
    entry = await setup_entry(hass, make_entry("Alex"))
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Sam"}
    )
    assert result["errors"] == {"name": "name_exists"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Alexandra", "person": "person.alex"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.title == "Alexandra"
    assert entry.data == {"name": "Alexandra", "person": "person.alex"}
    assert entry.state is config_entries.ConfigEntryState.LOADED
