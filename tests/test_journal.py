"""The diary's snapshot and journal: cheap durable logs that survive crashes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

import orjson
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.migraine_tracker import store
from custom_components.migraine_tracker.const import DOMAIN
from custom_components.migraine_tracker.records import (
    UNDO_DEPTH,
    Change,
    DiaryRecords,
    Dose,
    UndoStep,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from .conftest import call, make_entry, setup_entry

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def snapshot_file(hass: HomeAssistant, entry: MockConfigEntry) -> Path:
    """Return where a diary's snapshot lives."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}"))


def journal_file(hass: HomeAssistant, entry: MockConfigEntry) -> Path:
    """Return where a diary's journal lives."""
    return store.journal_path(snapshot_file(hass, entry))


def journal(hass: HomeAssistant, entry: MockConfigEntry) -> list[dict[str, Any]]:
    """Return the journal's lines."""
    return [
        json.loads(line) for line in journal_file(hass, entry).read_bytes().splitlines()
    ]


def snapshot(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Return the snapshot's wrapper."""
    wrapper: dict[str, Any] = json.loads(snapshot_file(hass, entry).read_bytes())
    return wrapper


async def entries(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Return everything get_entries shows for a diary."""
    response = await call(hass, "get_entries", config_entry_id=entry.entry_id)
    assert isinstance(response, dict)
    return response


async def a_bit_of_everything(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Make one change of every kind that the journal records."""
    diary = entry.entry_id
    first = await call(hass, "log_dose", config_entry_id=diary, note="with food")
    await call(hass, "log_dose", config_entry_id=diary, amount_mg=200)
    await call(
        hass,
        "log_episode",
        config_entry_id=diary,
        severity=6,
        triggers=["sleep"],
        symptoms=["nausea", "aura"],
    )
    await call(hass, "end_episode", config_entry_id=diary, relief="partial")
    await call(hass, "undo_last", config_entry_id=diary)
    await call(hass, "end_episode", config_entry_id=diary, severity=4)
    assert isinstance(first, dict)
    await call(
        hass, "update_entry", config_entry_id=diary, entry_id=first["id"], amount_mg=300
    )
    await call(hass, "log_dose", config_entry_id=diary)
    await call(hass, "delete_entry", config_entry_id=diary, entry_id=first["id"])
    await call(hass, "log_dose", config_entry_id=diary)
    await call(hass, "undo_last", config_entry_id=diary)


async def copy_of(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    spoil: Callable[[bytes], bytes] = lambda raw: raw,
) -> MockConfigEntry:
    """Set up a second diary from a copy of a diary's files, as after a kill."""
    twin = make_entry("Twin")
    twin.add_to_hass(hass)
    snapshot_file(hass, twin).write_bytes(snapshot_file(hass, entry).read_bytes())
    journal_file(hass, twin).write_bytes(spoil(journal_file(hass, entry).read_bytes()))
    await hass.config_entries.async_setup(twin.entry_id)
    await hass.async_block_till_done()
    return twin


def assert_unreadable(hass: HomeAssistant, entry: MockConfigEntry, reason: str) -> None:
    """Assert a diary did not load and a repair issue says why."""
    assert entry.state is ConfigEntryState.SETUP_ERROR
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"diary_unreadable_{entry.entry_id}"
    )
    assert issue is not None
    assert reason in (issue.translation_placeholders or {})["reason"]


async def test_a_log_appends_one_line_and_leaves_the_snapshot(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Logging writes a numbered journal line, private, and not the whole diary."""
    before = snapshot_file(hass, diary_entry).read_bytes()
    dose = await call(hass, "log_dose", amount_mg=200)
    assert isinstance(dose, dict)

    assert snapshot_file(hass, diary_entry).read_bytes() == before
    [line] = journal(hass, diary_entry)
    assert line["seq"] == 1
    assert line["action"] == "log_dose"
    assert line["entry"]["id"] == dose["id"]
    assert line["entry"]["amount_mg"] == 200
    assert journal_file(hass, diary_entry).stat().st_mode & 0o777 == 0o600
    stored = store.read_diary(snapshot_file(hass, diary_entry))
    assert stored is not None
    assert [item["id"] for item in stored["doses"]] == [dose["id"]]


async def test_killed_before_any_compaction_loses_nothing(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Snapshot plus journal, read as after a kill, is the diary in memory."""
    await a_bit_of_everything(hass, diary_entry)
    assert [line["seq"] for line in journal(hass, diary_entry)] == list(range(1, 12))

    twin = await copy_of(hass, diary_entry)
    assert twin.state is ConfigEntryState.LOADED
    original = diary_entry.runtime_data.records
    copied = twin.runtime_data.records
    assert copied.as_dict() == original.as_dict()
    assert copied.undo_stack == original.undo_stack
    # The copy goes on where the original left off.
    await call(hass, "undo_last", config_entry_id=twin.entry_id)
    assert journal(hass, twin)[-1]["seq"] == 12


async def test_unloading_compacts(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Unloading folds the journal into the snapshot and empties it."""
    await a_bit_of_everything(hass, diary_entry)
    before = await entries(hass, diary_entry)

    assert await hass.config_entries.async_unload(diary_entry.entry_id)
    await hass.async_block_till_done()

    assert journal_file(hass, diary_entry).read_bytes() == b""
    assert snapshot(hass, diary_entry)["seq"] == 11
    assert snapshot(hass, diary_entry)["version"] == store.STORAGE_VERSION
    assert await hass.config_entries.async_setup(diary_entry.entry_id)
    await hass.async_block_till_done()
    assert await entries(hass, diary_entry) == before
    await call(hass, "log_dose")
    assert [line["seq"] for line in journal(hass, diary_entry)] == [12]


async def test_compaction_every_so_many_changes(
    hass: HomeAssistant, diary_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After COMPACT_EVERY lines the snapshot is rewritten once the call returned."""
    monkeypatch.setattr(store, "COMPACT_EVERY", 3)
    for _ in range(2):
        await call(hass, "log_dose")
    await hass.async_block_till_done()
    assert len(journal(hass, diary_entry)) == 2

    await call(hass, "log_dose")
    await hass.async_block_till_done()

    assert journal(hass, diary_entry) == []
    wrapper = snapshot(hass, diary_entry)
    assert wrapper["seq"] == 3
    assert len(wrapper["data"]["doses"]) == 3
    await call(hass, "log_dose")
    assert [line["seq"] for line in journal(hass, diary_entry)] == [4]


@pytest.mark.parametrize(
    "tail",
    [b'{"seq": 2, "action": "log_d', b"\x00\x00\x00", b'{"seq": 2, "act\n', b"}\n"],
    ids=["cut_off", "zeros", "cut_off_line", "garbage_line"],
)
async def test_a_torn_last_line_is_dropped(
    hass: HomeAssistant, diary_entry: MockConfigEntry, tail: bytes
) -> None:
    """A last line cut off by a crash was never acknowledged: it is left out."""
    dose = await call(hass, "log_dose")
    assert isinstance(dose, dict)
    with journal_file(hass, diary_entry).open("ab") as file:
        file.write(tail)

    twin = await copy_of(hass, diary_entry)

    assert twin.state is ConfigEntryState.LOADED
    assert [item["id"] for item in (await entries(hass, twin))["doses"]] == [dose["id"]]
    # Loading leaves the files alone; the next change writes a new snapshot
    # instead of a line after the torn one.
    assert journal_file(hass, twin).read_bytes().endswith(tail)
    await call(hass, "log_dose", config_entry_id=twin.entry_id)
    assert journal_file(hass, twin).read_bytes() == b""
    assert len(snapshot(hass, twin)["data"]["doses"]) == 2
    assert snapshot(hass, twin)["seq"] == 2
    await call(hass, "log_dose", config_entry_id=twin.entry_id)
    assert [line["seq"] for line in journal(hass, twin)] == [3]


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda raw: raw.replace(b'"seq":1', b'"seq":"1"', 1), "line 1 is damaged"),
        (lambda raw: b"not json\n" + raw, "line 1 is damaged"),
        (
            lambda raw: raw.replace(b'"seq":2', b'"seq":5', 1),
            "skips from change 1 to 5",
        ),
        (
            lambda raw: raw.replace(b'"kind":"dose"', b'"kind":"pill"', 1),
            "does not fit",
        ),
        (
            lambda raw: raw.replace(b'"entry":{"id":"', b'"entry":{"id":"x', 1),
            "does not fit",
        ),
    ],
    ids=["bad_number", "garbage_first", "gap", "unknown_kind", "wrong_id"],
)
async def test_a_damaged_journal_is_reported_and_left_alone(
    hass: HomeAssistant,
    diary_entry: MockConfigEntry,
    spoil: Callable[[bytes], bytes],
    reason: str,
) -> None:
    """Damage anywhere but the last line makes the diary unreadable."""
    for _ in range(3):
        await call(hass, "log_dose")
    raw = journal_file(hass, diary_entry).read_bytes()
    assert spoil(raw) != raw

    twin = await copy_of(hass, diary_entry, spoil)

    assert_unreadable(hass, twin, reason)
    assert journal_file(hass, twin).read_bytes() == spoil(raw)
    assert snapshot_file(hass, twin).read_bytes() == (
        snapshot_file(hass, diary_entry).read_bytes()
    )


async def test_a_journal_without_snapshot_is_reported(hass: HomeAssistant) -> None:
    """A journal whose snapshot went missing is not taken for a new diary."""
    entry = make_entry("Sam")
    entry.add_to_hass(hass)
    path = journal_file(hass, entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'{"seq": 1}\n')

    assert not await hass.config_entries.async_setup(entry.entry_id)

    assert_unreadable(hass, entry, "is missing, but its journal is there")
    assert path.read_bytes() == b'{"seq": 1}\n'
    assert not snapshot_file(hass, entry).exists()


@pytest.mark.parametrize("snapshot_seq", [2, 3])
async def test_crash_between_snapshot_and_journal_reset(
    hass: HomeAssistant, diary_entry: MockConfigEntry, snapshot_seq: int
) -> None:
    """Lines the snapshot already holds are skipped, later ones replayed once."""
    for _ in range(3):
        await call(hass, "log_dose")
    path = snapshot_file(hass, diary_entry)
    lines = journal(hass, diary_entry)
    # The snapshot a compaction wrote before the kill cut off the reset.
    data = store.replay(snapshot(hass, diary_entry)["data"], lines[:snapshot_seq])
    wrapper = snapshot(hass, diary_entry) | {"seq": snapshot_seq, "data": data}
    path.write_bytes(orjson.dumps(wrapper))
    assert len(journal(hass, diary_entry)) == 3

    twin = await copy_of(hass, diary_entry)

    assert twin.state is ConfigEntryState.LOADED
    assert twin.runtime_data.records.as_dict() == (
        diary_entry.runtime_data.records.as_dict()
    )
    await call(hass, "log_dose", config_entry_id=twin.entry_id)
    assert journal(hass, twin)[-1]["seq"] == 4
    third = await copy_of(hass, twin)
    assert len(third.runtime_data.records.doses) == 4


async def test_a_failed_append_leaves_the_journal_as_it_was(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A line that could not be made durable is taken out again."""
    await call(hass, "log_dose")
    before = journal_file(hass, diary_entry).read_bytes()

    with (
        patch.object(store, "_sync_data", side_effect=OSError(5, "I/O error")),
        pytest.raises(Exception, match="I/O error"),
    ):
        await call(hass, "log_dose")

    assert journal_file(hass, diary_entry).read_bytes() == before
    await call(hass, "log_dose")
    assert [line["seq"] for line in journal(hass, diary_entry)] == [1, 2]
    assert len(diary_entry.runtime_data.records.doses) == 2


async def log_while_the_disk_fails(hass: HomeAssistant) -> None:
    """Log a dose whose journal line can be neither synced nor taken out."""
    with (
        patch.object(store, "_sync_data", side_effect=OSError(5, "I/O error")),
        patch.object(store.os, "ftruncate", side_effect=OSError(5, "I/O error")),
        pytest.raises(HomeAssistantError, match="I/O error"),
    ):
        await call(hass, "log_dose")


async def test_when_the_journal_cannot_be_repaired_a_snapshot_outranks_it(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """If a failed line cannot be taken out, a new snapshot replaces the journal."""
    await call(hass, "log_dose")
    await log_while_the_disk_fails(hass)

    # The refused line is gone with the journal; the snapshot has what memory has.
    assert journal_file(hass, diary_entry).read_bytes() == b""
    stored = store.read_diary(snapshot_file(hass, diary_entry))
    assert stored is not None
    assert len(stored["doses"]) == 1 == len(diary_entry.runtime_data.records.doses)
    # Logging goes on in the journal.
    await call(hass, "log_dose")
    assert len(journal(hass, diary_entry)) == 1
    stored = store.read_diary(snapshot_file(hass, diary_entry))
    assert stored is not None
    assert len(stored["doses"]) == 2


async def test_when_the_disk_refuses_even_the_repair_the_next_change_snapshots(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """If the repairing snapshot fails too, the next change writes one instead."""
    await call(hass, "log_dose")
    with patch.object(store, "_write", side_effect=OSError(5, "I/O error")):
        await log_while_the_disk_fails(hass)

    # The unacknowledged line is still in the journal, but never read again.
    assert len(journal(hass, diary_entry)) == 2
    await call(hass, "log_dose")
    assert journal_file(hass, diary_entry).read_bytes() == b""
    stored = store.read_diary(snapshot_file(hass, diary_entry))
    assert stored is not None
    assert len(stored["doses"]) == 2 == len(diary_entry.runtime_data.records.doses)


async def test_a_version_1_file_gets_a_snapshot_before_any_line(
    hass: HomeAssistant,
) -> None:
    """A build that knows no journal must never see a diary that needs one."""
    entry = make_entry("Sam")
    path = snapshot_file(hass, entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        orjson.dumps(
            {
                "version": 1,
                "minor_version": 1,
                "key": f"{DOMAIN}.{entry.entry_id}",
                "data": DiaryRecords(NOW).as_dict(),
            }
        )
    )
    await setup_entry(hass, entry)

    await call(hass, "log_dose", config_entry_id=entry.entry_id)

    assert snapshot(hass, entry)["version"] == store.STORAGE_VERSION
    assert len(snapshot(hass, entry)["data"]["doses"]) == 1
    assert journal_file(hass, entry).read_bytes() == b""
    await call(hass, "log_dose", config_entry_id=entry.entry_id)
    assert len(journal(hass, entry)) == 1


async def test_removing_a_diary_removes_its_journal(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Removing a diary leaves neither snapshot nor journal behind."""
    await call(hass, "log_dose")
    folder = snapshot_file(hass, diary_entry).parent

    await hass.config_entries.async_remove(diary_entry.entry_id)
    await hass.async_block_till_done()

    assert not [path for path in folder.iterdir() if diary_entry.entry_id in path.name]


def test_replaying_lines_rebuilds_the_records_exactly() -> None:
    """Every change, the undo stack trimmed at its depth included, replays exactly."""
    records = DiaryRecords(NOW)
    start = records.as_dict()
    lines: list[dict[str, Any]] = []

    def do(plan: str, **fields: Any) -> Change:
        change: Change = getattr(records, plan)(**fields)
        records.apply(change)
        lines.append(store.journal_line(change))
        return change

    first = do("plan_log_dose", now=NOW, amount_mg=400)
    for minutes in range(UNDO_DEPTH + 3):
        do(
            "plan_log_dose",
            now=NOW,
            amount_mg=1,
            taken_at=NOW - timedelta(minutes=minutes),
        )
    do("plan_log_episode", now=NOW, severity=5, symptoms=["aura"])
    do("plan_end_episode", now=NOW)
    do("plan_undo")
    do("plan_end_episode", now=NOW, relief="complete")
    do("plan_update", now=NOW, entry_id=first.entry.id, fields={"note": "late"})
    do("plan_delete", entry_id=next(iter(records.doses)))
    do("plan_undo")

    replayed = store.replay(start, lines)
    assert replayed == records.as_dict()
    assert DiaryRecords.from_dict(replayed).undo_stack == records.undo_stack
    # Lines stay small: the undo stack goes in as what changed in it.
    assert all("undo" not in line for line in lines)
    assert max(len(orjson.dumps(line)) for line in lines) < 1000


def test_an_undo_change_that_is_not_a_delta_is_stored_whole() -> None:
    """An undo stack that dropping and pushing cannot rebuild is written out."""
    dose = Dose("d1", NOW, 400)
    other = Dose("d2", NOW, 400)
    first, second = UndoStep("log_dose", "d1"), UndoStep("log_dose", "d2")
    change = Change("log_dose", None, other, (first, second), (second, first))
    line = store.journal_line(change)
    assert line["undo"] == [second.as_dict(), first.as_dict()]
    data = {
        "created_at": NOW.isoformat(),
        "doses": [dose.as_dict()],
        "episodes": [],
        "undo": [first.as_dict(), second.as_dict()],
    }
    assert store.replay(data, [line])["undo"] == line["undo"]


def test_a_snapshot_alone_reads_as_it_is(tmp_path: Path) -> None:
    """Without a journal the snapshot is the diary; without files there is none."""
    path = tmp_path / "diary"
    data = DiaryRecords(NOW).as_dict()
    path.write_bytes(orjson.dumps({"version": 2, "key": "k", "data": data}))
    assert store.read_diary(path) == data
    assert store.read_diary(tmp_path / "none") is None


async def test_a_failed_compaction_loses_nothing(
    hass: HomeAssistant,
    diary_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When the snapshot cannot be rewritten, the journal keeps every change."""
    await a_bit_of_everything(hass, diary_entry)
    with patch.object(store, "_write", side_effect=OSError(28, "No space left")):
        assert await hass.config_entries.async_unload(diary_entry.entry_id)
        await hass.async_block_till_done()
    assert "Could not compact diary Alex" in caplog.text
    assert len(journal(hass, diary_entry)) == 11

    assert await hass.config_entries.async_setup(diary_entry.entry_id)
    await hass.async_block_till_done()
    twin = await copy_of(hass, diary_entry)
    assert twin.runtime_data.records.as_dict() == (
        diary_entry.runtime_data.records.as_dict()
    )


async def test_a_journal_that_cannot_be_emptied_is_skipped_when_read(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A snapshot written but its journal not emptied: the lines are not replayed."""
    for _ in range(2):
        await call(hass, "log_dose")
    real_open = store.os.open

    def open_but_not_truncate(path: Any, flags: int, *args: Any) -> int:
        if str(path).endswith(store.JOURNAL_SUFFIX) and flags & store.os.O_TRUNC:
            raise OSError(30, "Read-only file system")
        return real_open(path, flags, *args)

    with patch.object(store.os, "open", open_but_not_truncate):
        await diary_entry.runtime_data.async_compact()

    assert snapshot(hass, diary_entry)["seq"] == 2
    assert len(journal(hass, diary_entry)) == 2
    assert diary_entry.runtime_data.store.journal_lines == 2
    await call(hass, "log_dose")
    twin = await copy_of(hass, diary_entry)
    assert len(twin.runtime_data.records.doses) == 3


async def test_a_snapshot_of_older_data_keeps_newer_lines(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A snapshot taken before a line was appended does not empty the journal."""
    diary = diary_entry.runtime_data
    wrapper = {
        "version": store.STORAGE_VERSION,
        "key": "k",
        "seq": 0,
        "data": diary.records.as_dict(),
    }
    await call(hass, "log_dose")

    await hass.async_add_executor_job(diary.store._snapshot, wrapper, 0)

    assert snapshot(hass, diary_entry)["seq"] == 0
    assert [line["seq"] for line in journal(hass, diary_entry)] == [1]
    twin = await copy_of(hass, diary_entry)
    assert len(twin.runtime_data.records.doses) == 1


async def test_a_missing_journal_is_started_again(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A diary restored from its snapshot alone starts a new journal."""
    journal_file(hass, diary_entry).unlink()
    await call(hass, "log_dose")
    assert [line["seq"] for line in journal(hass, diary_entry)] == [1]
    assert journal_file(hass, diary_entry).stat().st_mode & 0o777 == 0o600
