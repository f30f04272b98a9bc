"""A diary file that cannot be used is never overwritten, and the user is told."""

from __future__ import annotations

from collections.abc import Callable
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.migraine_tracker import store
from custom_components.migraine_tracker.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .conftest import call, make_entry, setup_entry
from .diary_files import diary_files

GOOD_DATA: dict[str, Any] = {
    "created_at": "2026-01-01T08:00:00+00:00",
    "doses": [
        {
            "id": "d1",
            "taken_at": "2026-01-02T08:00:00+00:00",
            "amount_mg": 400,
            "note": None,
        }
    ],
    "episodes": [
        {
            "id": "e1",
            "started_at": "2026-01-03T08:00:00+00:00",
            "ended_at": "2026-01-03T12:00:00+00:00",
            "severity": 5,
            "aura": False,
            "symptoms": ["nausea"],
            "triggers": [],
            "acute_medications": [],
            "relief": "partial",
            "note": None,
        }
    ],
    "undo": [{"action": "log_dose", "entry_id": "d1", "before": None}],
}


def wrapped(data: Any, version: Any = 1, minor_version: Any = 1) -> bytes:
    """Return a diary file's bytes as the integration writes them."""
    return json.dumps(
        {
            "version": version,
            "minor_version": minor_version,
            "key": "migraine_tracker.x",
            "data": data,
        },
        indent=2,
    ).encode()


def with_data(**changes: Any) -> dict[str, Any]:
    """Return the good data with some top-level keys changed."""
    return json.loads(json.dumps(GOOD_DATA)) | changes


def bad_dose(**changes: Any) -> dict[str, Any]:
    """Return the good data with its dose changed."""
    return with_data(doses=[GOOD_DATA["doses"][0] | changes])


def bad_episode(**changes: Any) -> dict[str, Any]:
    """Return the good data with its episode changed."""
    return with_data(episodes=[GOOD_DATA["episodes"][0] | changes])


# Each broken file, and words its reason must contain.
BROKEN_FILES: dict[str, tuple[bytes, str]] = {
    "corrupt": (b'{"version": 1, "data": {"doses": [', "not valid JSON"),
    "truncated": (wrapped(GOOD_DATA)[:150], "not valid JSON"),
    "empty": (b"", "is empty"),
    "whitespace": (b"  \n\t\n", "is empty"),
    "binary": (bytes(range(256)), "not valid JSON"),
    "newer_version": (
        wrapped(GOOD_DATA, version=store.STORAGE_VERSION + 1),
        f"unknown version ({store.STORAGE_VERSION + 1})",
    ),
    "version_zero": (wrapped(GOOD_DATA, version=0), "unknown version (0)"),
    "version_text": (wrapped(GOOD_DATA, version="1"), "no storage version"),
    "json_list": (b"[1, 2, 3]", "does not hold diary data"),
    "json_string": (b'"diary"', "does not hold diary data"),
    "json_null": (b"null", "does not hold diary data"),
    "data_not_dict": (wrapped([1, 2]), "does not hold diary data"),
    "no_data": (b'{"version": 1, "minor_version": 1}', "does not hold diary data"),
    "missing_doses": (
        wrapped({"created_at": "2026-01-01T08:00:00+00:00", "episodes": []}),
        "invalid data",
    ),
    "amount_zero": (wrapped(bad_dose(amount_mg=0)), "invalid data"),
    "amount_text": (wrapped(bad_dose(amount_mg="400")), "invalid data"),
    "naive_time": (wrapped(bad_dose(taken_at="2026-01-02T08:00:00")), "invalid data"),
    "bad_time": (wrapped(bad_dose(taken_at="yesterday")), "invalid data"),
    "end_before_start": (
        wrapped(bad_episode(ended_at="2026-01-03T07:00:00+00:00")),
        "invalid data",
    ),
    "severity_11": (wrapped(bad_episode(severity=11)), "invalid data"),
    "relief_unknown": (wrapped(bad_episode(relief="total")), "invalid data"),
    "symptoms_not_list": (wrapped(bad_episode(symptoms="nausea")), "invalid data"),
    "duplicate_ids": (
        wrapped(with_data(doses=GOOD_DATA["doses"] * 2)),
        "invalid data",
    ),
    "two_ongoing": (
        wrapped(
            with_data(
                episodes=[
                    GOOD_DATA["episodes"][0] | {"id": "a", "ended_at": None},
                    GOOD_DATA["episodes"][0] | {"id": "b", "ended_at": None},
                ]
            )
        ),
        "invalid data",
    ),
    "undo_unknown_entry": (
        wrapped(with_data(undo=[{"action": "log_dose", "entry_id": "zz"}])),
        "invalid data",
    ),
}


def diary_file(hass: HomeAssistant, entry: MockConfigEntry) -> Path:
    """Return where a diary's file lives."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}"))


def put_file(hass: HomeAssistant, entry: MockConfigEntry, content: bytes) -> Path:
    """Write a diary file before the diary is set up."""
    path = diary_file(hass, entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def errors_besides_setup(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return ERROR records other than Home Assistant's own setup failure line."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR
        and not (
            record.name == "homeassistant.config_entries"
            and record.getMessage().startswith("Error setting up entry Sam")
        )
    ]


@pytest.mark.parametrize("case", list(BROKEN_FILES))
async def test_unusable_file_is_left_alone_and_reported(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    """The diary does not start, its file stays as it is, a repair issue says why."""
    content, reason = BROKEN_FILES[case]
    fine = await setup_entry(hass, make_entry("Alex"))
    broken = make_entry("Sam")
    broken.add_to_hass(hass)
    path = put_file(hass, broken, content)

    caplog.clear()
    assert not await hass.config_entries.async_setup(broken.entry_id)
    await hass.async_block_till_done()

    assert broken.state is ConfigEntryState.SETUP_ERROR
    assert fine.state is ConfigEntryState.LOADED
    assert path.read_bytes() == content
    assert not path.with_name(path.name + ".tmp").exists()
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"diary_unreadable_{broken.entry_id}"
    )
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_key == "diary_unreadable"
    placeholders = issue.translation_placeholders or {}
    assert placeholders["name"] == "Sam"
    assert placeholders["path"] == str(path)
    assert reason in placeholders["reason"]
    assert broken.reason is not None and reason in broken.reason
    assert errors_besides_setup(caplog) == []

    # The other diary still works, and services refuse the broken one plainly.
    await call(hass, "log_dose", config_entry_id=fine.entry_id)
    with pytest.raises(Exception, match="not loaded") as err:
        await call(hass, "log_dose", config_entry_id=broken.entry_id)
    assert getattr(err.value, "translation_key", None) == "diary_not_loaded"
    assert path.read_bytes() == content


async def test_unreadable_path_is_reported(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A diary path that cannot be read (here: a folder) is reported too."""
    broken = make_entry("Sam")
    broken.add_to_hass(hass)
    path = diary_file(hass, broken)
    path.mkdir(parents=True)

    caplog.clear()
    assert not await hass.config_entries.async_setup(broken.entry_id)

    assert broken.state is ConfigEntryState.SETUP_ERROR
    assert path.is_dir()
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"diary_unreadable_{broken.entry_id}"
    )
    assert issue is not None
    assert "cannot be read" in (issue.translation_placeholders or {})["reason"]
    assert errors_besides_setup(caplog) == []


@pytest.mark.parametrize("case", ["corrupt", "newer_version", "two_ongoing"])
async def test_fixed_file_loads_and_the_issue_goes(
    hass: HomeAssistant, case: str
) -> None:
    """After the file is restored and the diary reloaded, the issue is gone."""
    broken = make_entry("Sam")
    broken.add_to_hass(hass)
    path = put_file(hass, broken, BROKEN_FILES[case][0])
    await hass.config_entries.async_setup(broken.entry_id)
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    issue_id = f"diary_unreadable_{broken.entry_id}"
    assert issues.async_get_issue(DOMAIN, issue_id) is not None

    path.write_bytes(wrapped(GOOD_DATA))
    assert await hass.config_entries.async_reload(broken.entry_id)
    await hass.async_block_till_done()

    assert broken.state is ConfigEntryState.LOADED
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    response = await call(hass, "get_entries")
    assert isinstance(response, dict)
    assert [dose["id"] for dose in response["doses"]] == ["d1"]
    assert [episode["id"] for episode in response["episodes"]] == ["e1"]


async def test_removing_the_broken_diary_removes_the_issue(
    hass: HomeAssistant,
) -> None:
    """Removing a diary that did not load removes its issue and its file."""
    broken = make_entry("Sam")
    broken.add_to_hass(hass)
    path = put_file(hass, broken, b"{")
    await hass.config_entries.async_setup(broken.entry_id)
    await hass.async_block_till_done()

    await hass.config_entries.async_remove(broken.entry_id)
    await hass.async_block_till_done()

    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"diary_unreadable_{broken.entry_id}"
        )
        is None
    )
    assert not path.exists()
    assert diary_files(hass, broken.entry_id) == {}


async def test_version_1_file_loads(hass: HomeAssistant) -> None:
    """A file written as version 1 (the first layout) loads as it is."""
    entry = make_entry("Sam")
    put_file(hass, entry, wrapped(GOOD_DATA, version=1, minor_version=1))
    await setup_entry(hass, entry)

    response = await call(hass, "get_entries")
    assert isinstance(response, dict)
    assert [dose["amount_mg"] for dose in response["doses"]] == [400]
    assert response["episodes"][0]["symptoms"] == ["nausea"]
    # The next change keeps the undo stack that was stored.
    undone = await call(hass, "undo_last")
    assert undone == {"id": "d1"}


async def test_older_minor_version_loads(hass: HomeAssistant) -> None:
    """A file without minor_version (written by an early build) loads."""
    entry = make_entry("Sam")
    content = json.loads(wrapped(GOOD_DATA))
    del content["minor_version"]
    put_file(hass, entry, json.dumps(content).encode())
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED


async def test_a_version_bump_migrates_old_files(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a version bump with a migration, old data passes through it."""
    current = store.STORAGE_VERSION
    seen: list[dict[str, Any]] = []

    def migrate_to_next(data: dict[str, Any]) -> dict[str, Any]:
        """Pretend the next version changed notes: here, mark every dose."""
        seen.append(data)
        for dose in data["doses"]:
            dose["note"] = "migrated"
        return data

    migrations: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
        **store.MIGRATIONS,
        current: migrate_to_next,
    }
    monkeypatch.setattr(store, "STORAGE_VERSION", current + 1)
    monkeypatch.setattr(store, "MIGRATIONS", migrations)
    entry = make_entry("Sam")
    path = put_file(hass, entry, wrapped(GOOD_DATA, version=current))
    await setup_entry(hass, entry)

    assert len(seen) == 1
    response = await call(hass, "get_entries", kind="dose")
    assert isinstance(response, dict)
    assert response["doses"][0]["note"] == "migrated"
    # Loading alone does not rewrite the file; the next change writes the new
    # version, with the migrated data.
    assert json.loads(path.read_bytes())["version"] == current
    await call(hass, "log_dose")
    written = json.loads(path.read_bytes())
    assert written["version"] == current + 1
    assert written["data"]["doses"][0]["note"] == "migrated"

    # A file of the current version does not go through the migration again.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert len(seen) == 1
    assert entry.state is ConfigEntryState.LOADED


def test_migrate_runs_each_step_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """migrate() walks 1 -> 2 -> 3 one step at a time."""
    monkeypatch.setattr(store, "STORAGE_VERSION", 3)
    monkeypatch.setattr(
        store,
        "MIGRATIONS",
        {
            1: lambda data: data | {"steps": [*data["steps"], 1]},
            2: lambda data: data | {"steps": [*data["steps"], 2]},
        },
    )
    assert store.migrate(1, 1, {"steps": []}) == {"steps": [1, 2]}
    assert store.migrate(2, 1, {"steps": []}) == {"steps": [2]}
    assert store.migrate(3, 1, {"steps": []}) == {"steps": []}


async def test_saved_files_are_private(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """The diary's files are readable by their owner only, no temporary left."""
    await call(hass, "log_dose")
    path = diary_file(hass, diary_entry)
    files = list(path.parent.glob(path.name + "*"))
    assert path in files
    for file in files:
        assert file.stat().st_mode & 0o777 == 0o600, file
    assert not path.with_name(path.name + ".tmp").exists()
    assert json.loads(path.read_bytes())["version"] == store.STORAGE_VERSION


async def test_unloading_keeps_the_file(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Unloading a diary (or restarting) keeps what its file holds."""
    await call(hass, "log_dose")
    path = diary_file(hass, diary_entry)
    before = store.read_diary(path)

    assert await hass.config_entries.async_unload(diary_entry.entry_id)
    await hass.async_block_till_done()

    assert diary_entry.state is ConfigEntryState.NOT_LOADED
    # Unloading folds the journal into the snapshot; the diary is the same.
    assert store.read_diary(path) == before
    assert await hass.config_entries.async_setup(diary_entry.entry_id)
    await hass.async_block_till_done()
    response = await call(hass, "get_entries")
    assert isinstance(response, dict)
    assert len(response["doses"]) == 1


async def test_removing_a_diary_removes_its_file_only(hass: HomeAssistant) -> None:
    """Removing one diary deletes its file; the other diary's file stays."""
    alex = await setup_entry(hass, make_entry("Alex"))
    sam = await setup_entry(hass, make_entry("Sam"))
    await call(hass, "log_dose", config_entry_id=alex.entry_id)
    await call(hass, "log_dose", config_entry_id=sam.entry_id)
    sam_file = diary_file(hass, sam)
    sam_files = diary_files(hass, sam.entry_id)
    assert diary_files(hass, alex.entry_id)

    await hass.config_entries.async_remove(alex.entry_id)
    await hass.async_block_till_done()

    assert diary_files(hass, alex.entry_id) == {}
    assert sam_file.exists()
    assert diary_files(hass, sam.entry_id) == sam_files
    assert sam.state is ConfigEntryState.LOADED
