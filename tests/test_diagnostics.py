"""Diagnostics tell how a diary is doing and never what a person wrote in it."""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.migraine_tracker.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import call, setup_entry

# Distinctive strings in every free-text place a person can write into.
SECRETS = {
    "name": "Zebulon Quackenbush",
    "person": "person.marigold_xylophone",
    "medication_name": "Nettlebrew Elixir",
    "dose_note": "took it behind the bakery",
    "episode_note": "argument with Ottoline",
    "end_note": "dark room helped Perpetua",
    "symptom": "fizzing eyebrows",
    "trigger": "saxophone rehearsal",
    "acute": "Ibuprofenix forte",
    "updated_note": "rewritten by Quillon",
}


def secret_entry() -> MockConfigEntry:
    """Return a diary whose name, person and medication are distinctive."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=SECRETS["name"],
        data={"name": SECRETS["name"], "person": SECRETS["person"]},
        options={
            "medication_name": SECRETS["medication_name"],
            "dose_mg": 350,
            "doses_per_day": 2,
        },
    )


async def test_diagnostics_hold_no_free_text(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """No name, note, symptom, trigger or medication appears in diagnostics."""
    entry = await setup_entry(hass, secret_entry())
    now = dt_util.utcnow()
    dose = await call(hass, "log_dose", note=SECRETS["dose_note"])
    await call(
        hass,
        "log_episode",
        started_at=now - timedelta(days=2),
        ended_at=now - timedelta(days=2) + timedelta(hours=3),
        severity=6,
        aura=True,
        symptoms=[SECRETS["symptom"]],
        triggers=[SECRETS["trigger"]],
        acute_medications=[SECRETS["acute"]],
        relief="partial",
        note=SECRETS["episode_note"],
    )
    await call(hass, "log_episode", started_at=now - timedelta(hours=1), severity=4)
    await call(hass, "end_episode", note=SECRETS["end_note"], relief="complete")
    assert isinstance(dose, dict)
    await call(hass, "update_entry", entry_id=dose["id"], note=SECRETS["updated_note"])

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    dump = json.dumps(diagnostics)

    for what, secret in SECRETS.items():
        assert secret not in dump, what
        # Not even a part of a name (e.g. the first word) slips through.
        for word in secret.replace(".", " ").replace("_", " ").split():
            if len(word) > 6:
                assert word not in dump, (what, word)

    assert diagnostics["counts"] == {
        "doses": 1,
        "episodes": 2,
        "ongoing": 0,
        "undo_steps": 4,
    }
    assert diagnostics["entry"]["options"]["dose_mg"] == 350
    assert diagnostics["entry"]["options"]["doses_per_day"] == 2
    assert diagnostics["entry"]["options"]["medication_name"] == "**REDACTED**"
    assert diagnostics["entry"]["title"] == "**REDACTED**"
    assert diagnostics["stats"]["doses_today"] == 1
    assert diagnostics["stats"]["migraine_days_30d"] >= 1
    assert diagnostics["stats"]["dose_taken_today"] is False
    recent = diagnostics["recent"]
    assert [item["kind"] for item in recent] == ["episode", "episode", "dose"]
    assert recent[0]["fields_set"] == [
        "acute_medications",
        "aura",
        "note",
        "relief",
        "severity",
        "symptoms",
        "triggers",
    ]
    assert recent[2]["fields_set"] == ["amount_mg", "note"]
    assert all(
        value is None or isinstance(value, (int, float, bool))
        for value in diagnostics["stats"].values()
    )


async def test_diagnostics_show_only_the_ten_most_recent_entries(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Recent activity is the last ten entries, oldest first, no ids."""
    entry = await setup_entry(hass, secret_entry())
    now = dt_util.utcnow()
    for hours in range(15, 0, -1):
        await call(hass, "log_dose", taken_at=now - timedelta(hours=hours))

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["counts"]["doses"] == 15
    recent = diagnostics["recent"]
    assert len(recent) == 10
    assert [item["taken_at"] for item in recent] == sorted(
        item["taken_at"] for item in recent
    )
    assert all("id" not in item for item in recent)


async def test_diagnostics_of_a_diary_that_did_not_load(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """A diary whose file is unreadable still gives redacted diagnostics."""
    entry = secret_entry()
    entry.add_to_hass(hass)
    path = Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json")
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    dump = json.dumps(diagnostics)
    assert SECRETS["name"] not in dump
    assert SECRETS["medication_name"] not in dump
    assert diagnostics["entry"]["state"] == "setup_error"
    assert "counts" not in diagnostics
