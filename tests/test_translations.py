"""Consistency checks hassfest would make: strings, icons, services, manifest."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

from custom_components.migraine_tracker.binary_sensor import BINARY_SENSORS
from custom_components.migraine_tracker.button import BUTTONS
from custom_components.migraine_tracker.sensor import SENSORS
from custom_components.migraine_tracker.services import SERVICES

INTEGRATION = (
    Path(__file__).resolve().parents[1] / "custom_components" / "migraine_tracker"
)


def load(name: str) -> Any:
    """Return a JSON or YAML file of the integration."""
    text = (INTEGRATION / name).read_text(encoding="utf-8")
    return yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)


STRINGS = load("strings.json")


def test_english_translation_is_strings_json() -> None:
    """translations/en.json is strings.json, with every text written out.

    Core resolves "[%key:...%]" references when it builds its translations;
    a custom integration's file is served as it is, so a reference would show
    up in the UI as raw text.
    """
    assert load("translations/en.json") == STRINGS
    assert "[%key:" not in (INTEGRATION / "strings.json").read_text(encoding="utf-8")


def test_every_service_is_described_translated_and_has_an_icon() -> None:
    """services.yaml, strings.json and icons.json name the same fields."""
    described = load("services.yaml")
    icons = load("icons.json")["services"]
    assert set(described) == {name for name, *_ in SERVICES}
    for name, schema, *_ in SERVICES:
        fields = {str(key) for key in schema.schema}
        assert set(described[name]["fields"]) == fields, name
        translated = STRINGS["services"][name]
        assert translated["name"]
        assert translated["description"]
        assert set(translated["fields"]) == fields, name
        assert all(
            field["name"] and field["description"]
            for field in translated["fields"].values()
        )
        assert icons[name]["service"].startswith("mdi:")


@pytest.mark.parametrize(
    ("platform", "descriptions"),
    [("sensor", SENSORS), ("binary_sensor", BINARY_SENSORS), ("button", BUTTONS)],
)
def test_every_entity_has_a_name_and_an_icon(platform: str, descriptions: Any) -> None:
    """Each entity's translation key has a name and an icon."""
    icons = load("icons.json")["entity"][platform]
    for description in descriptions:
        key = description.translation_key
        assert key == description.key
        assert STRINGS["entity"][platform][key]["name"]
        assert icons[key]["default"].startswith("mdi:")


def test_every_raised_translation_key_exists() -> None:
    """Each translation key the code raises has a message, and none is unused."""
    code = "\n".join(
        path.read_text(encoding="utf-8") for path in INTEGRATION.glob("*.py")
    )
    raised = set(
        re.findall(r'translation_domain=DOMAIN,\s*translation_key="([a-z_]+)"', code)
    )
    raised |= set(re.findall(r'DiaryError\(\s*"([a-z_]+)"', code))
    exceptions = STRINGS["exceptions"]
    assert raised <= set(exceptions), raised - set(exceptions)
    assert set(exceptions) <= raised, set(exceptions) - raised
    for key, value in exceptions.items():
        placeholders = set(re.findall(r"{(\w+)}", value["message"]))
        assert placeholders <= {
            "field",
            "minutes",
            "ended_at",
            "started_at",
            "entry_id",
            "fields",
            "kind",
            "allowed",
            "config_entry_id",
            "name",
            "names",
            "path",
            "error",
            "reason",
        }, key


def test_manifest_keys_are_in_hassfest_order() -> None:
    """Domain and name first, the rest sorted, with what HACS needs."""
    manifest = load("manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["iot_class"] == "calculated"
    assert manifest["config_flow"] is True
    for key in ("version", "codeowners", "documentation", "issue_tracker"):
        assert manifest[key]
    assert (INTEGRATION / "brand" / "icon.png").is_file()
