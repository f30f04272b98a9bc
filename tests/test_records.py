"""Unit tests for the diary's records and their rules (no Home Assistant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.migraine_tracker.records import (
    UNDO_DEPTH,
    DiaryError,
    DiaryRecords,
    Dose,
    Episode,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def fresh() -> DiaryRecords:
    """Return an empty diary created a while ago."""
    return DiaryRecords(NOW - timedelta(days=30))


def do(records: DiaryRecords, plan: str, **kwargs: Any):
    """Plan and apply a change."""
    change = getattr(records, plan)(**kwargs)
    records.apply(change)
    return change


def test_log_dose_defaults_and_cleans_text() -> None:
    """A dose defaults to now; blank notes are dropped."""
    records = fresh()
    change = do(records, "plan_log_dose", now=NOW, amount_mg=400, note="   ")
    dose = change.after
    assert isinstance(dose, Dose)
    assert dose.taken_at == NOW
    assert dose.note is None
    assert records.doses == {dose.id: dose}


def test_future_times_are_refused_beyond_five_minutes() -> None:
    """Five minutes ahead is a clock drift; six is a mistake."""
    records = fresh()
    do(
        records,
        "plan_log_dose",
        now=NOW,
        amount_mg=1,
        taken_at=NOW + timedelta(minutes=5),
    )
    with pytest.raises(DiaryError) as err:
        records.plan_log_dose(now=NOW, amount_mg=1, taken_at=NOW + timedelta(minutes=6))
    assert err.value.key == "time_in_future"
    assert err.value.placeholders == {"field": "taken_at", "minutes": "5"}


def test_only_one_episode_can_be_ongoing() -> None:
    """A second open episode is refused; a finished one is fine."""
    records = fresh()
    do(records, "plan_log_episode", now=NOW, severity=5)
    with pytest.raises(DiaryError, match="episode_already_ongoing"):
        records.plan_log_episode(now=NOW)
    do(
        records,
        "plan_log_episode",
        now=NOW,
        started_at=NOW - timedelta(days=3),
        ended_at=NOW - timedelta(days=3) + timedelta(hours=4),
    )
    assert len(records.episodes) == 2


def test_end_before_start_is_refused() -> None:
    """An episode cannot end before it starts."""
    records = fresh()
    with pytest.raises(DiaryError) as err:
        records.plan_log_episode(
            now=NOW, started_at=NOW, ended_at=NOW - timedelta(minutes=1)
        )
    assert err.value.key == "end_before_start"
    assert set(err.value.placeholders) == {"ended_at", "started_at"}


def test_end_episode_keeps_what_it_is_not_told() -> None:
    """Ending sets the end and only the fields given."""
    records = fresh()
    with pytest.raises(DiaryError, match="no_ongoing_episode"):
        records.plan_end_episode(now=NOW)
    started = do(
        records, "plan_log_episode", now=NOW - timedelta(hours=2), severity=6, note="hi"
    ).after
    ended = do(records, "plan_end_episode", now=NOW, relief="partial").after
    assert isinstance(ended, Episode)
    assert ended.id == started.id
    assert ended.ended_at == NOW
    assert (ended.severity, ended.relief, ended.note) == (6, "partial", "hi")
    assert records.ongoing is None


def test_lists_are_stripped_and_deduplicated() -> None:
    """Blank and repeated list items are dropped, order kept."""
    records = fresh()
    episode = do(
        records,
        "plan_log_episode",
        now=NOW,
        triggers=[" wine ", "sleep", "wine", " "],
    ).after
    assert episode.triggers == ("wine", "sleep")


def test_update_checks_fields_and_rules() -> None:
    """Edits only take fields of the entry's kind and keep the rules."""
    records = fresh()
    dose = do(records, "plan_log_dose", now=NOW, amount_mg=400).after
    with pytest.raises(DiaryError) as err:
        records.plan_update(now=NOW, entry_id=dose.id, fields={"severity": 3})
    assert err.value.key == "field_not_for_kind"
    assert err.value.placeholders["fields"] == "severity"
    assert err.value.placeholders["kind"] == "dose"
    with pytest.raises(DiaryError, match="nothing_to_update"):
        records.plan_update(now=NOW, entry_id=dose.id, fields={})
    with pytest.raises(DiaryError, match="unknown_entry"):
        records.plan_update(now=NOW, entry_id="nope", fields={"amount_mg": 3})
    updated = do(
        records,
        "plan_update",
        now=NOW,
        entry_id=dose.id,
        fields={"amount_mg": 200, "note": ""},
    ).after
    assert updated.amount_mg == 200
    assert updated.note is None
    episode = do(
        records, "plan_log_episode", now=NOW, started_at=NOW - timedelta(hours=1)
    ).after
    with pytest.raises(DiaryError, match="end_before_start"):
        records.plan_update(
            now=NOW, entry_id=episode.id, fields={"ended_at": NOW - timedelta(hours=2)}
        )
    other = do(
        records,
        "plan_log_episode",
        now=NOW,
        started_at=NOW - timedelta(days=2),
        ended_at=NOW - timedelta(days=2),
    ).after
    with pytest.raises(DiaryError, match="episode_already_ongoing"):
        # Reopening an ended episode while another is ongoing is refused.
        records.plan_update(now=NOW, entry_id=other.id, fields={"ended_at": None})


def test_undo_follows_the_order_actions_were_made() -> None:
    """Undo takes back the latest action, whatever times the entries carry."""
    records = fresh()
    late = do(records, "plan_log_dose", now=NOW, amount_mg=400).after
    backdated = do(
        records,
        "plan_log_dose",
        now=NOW,
        amount_mg=400,
        taken_at=NOW - timedelta(days=3),
    ).after
    undone = do(records, "plan_undo")
    assert undone.before == backdated
    assert set(records.doses) == {late.id}
    do(records, "plan_undo")
    assert records.doses == {}
    with pytest.raises(DiaryError, match="nothing_to_undo"):
        records.plan_undo()


def test_undo_of_end_reopens_the_episode_as_it_was() -> None:
    """Undoing an end makes the episode ongoing with its earlier fields."""
    records = fresh()
    started = do(records, "plan_log_episode", now=NOW, severity=4).after
    do(records, "plan_end_episode", now=NOW, severity=8, relief="none", note="bad")
    do(records, "plan_undo")
    assert records.ongoing == started
    do(records, "plan_undo")
    assert records.episodes == {}


def test_deleting_an_entry_drops_its_undo_steps() -> None:
    """Undo never points at a deleted entry."""
    records = fresh()
    kept = do(records, "plan_log_dose", now=NOW, amount_mg=1).after
    gone = do(records, "plan_log_dose", now=NOW, amount_mg=2).after
    do(records, "plan_delete", entry_id=gone.id)
    assert [step.entry_id for step in records.undo_stack] == [kept.id]
    do(records, "plan_undo")
    assert records.doses == {}


def test_undo_stack_is_bounded() -> None:
    """Only the most recent actions can be undone."""
    records = fresh()
    for _ in range(UNDO_DEPTH + 5):
        do(records, "plan_log_dose", now=NOW, amount_mg=1)
    assert len(records.undo_stack) == UNDO_DEPTH


def test_revert_restores_records_exactly() -> None:
    """A reverted change leaves no trace."""
    records = fresh()
    do(records, "plan_log_episode", now=NOW, severity=3)
    before = records.as_dict()
    change = do(records, "plan_end_episode", now=NOW)
    records.revert(change)
    assert records.as_dict() == before


def test_round_trip_through_stored_data() -> None:
    """What is saved loads back the same."""
    records = fresh()
    do(records, "plan_log_dose", now=NOW, amount_mg=300, note="with food")
    do(
        records,
        "plan_log_episode",
        now=NOW,
        started_at=NOW - timedelta(hours=5),
        ended_at=NOW - timedelta(hours=1),
        severity=7,
        aura=True,
        symptoms=["nausea"],
        triggers=["sleep"],
        acute_medications=["ibuprofen"],
        relief="complete",
        note="n",
    )
    do(records, "plan_log_episode", now=NOW)
    do(records, "plan_end_episode", now=NOW)
    loaded = DiaryRecords.from_dict(records.as_dict())
    assert loaded.as_dict() == records.as_dict()
    assert loaded.doses == records.doses
    assert loaded.episodes == records.episodes
    assert loaded.undo_stack == records.undo_stack


def _valid() -> dict[str, Any]:
    """Return stored data with one of each kind of entry."""
    records = fresh()
    do(records, "plan_log_dose", now=NOW, amount_mg=300)
    do(records, "plan_log_episode", now=NOW)
    return records.as_dict()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.pop("created_at"),
        lambda d: d.update(created_at="2026-01-01T00:00:00"),
        lambda d: d.update(created_at=5),
        lambda d: d.update(doses="x"),
        lambda d: d["doses"][0].update(amount_mg="400"),
        lambda d: d["doses"][0].update(amount_mg=True),
        lambda d: d["doses"][0].update(amount_mg=0),
        lambda d: d["doses"][0].update(id=""),
        lambda d: d["doses"][0].update(note=3),
        lambda d: d["doses"].append(dict(d["doses"][0])),
        lambda d: d["episodes"][0].update(id=d["doses"][0]["id"]),
        lambda d: d["episodes"][0].update(severity=11),
        lambda d: d["episodes"][0].update(aura="yes"),
        lambda d: d["episodes"][0].update(relief="some"),
        lambda d: d["episodes"][0].update(symptoms="nausea"),
        lambda d: d["episodes"][0].update(ended_at="2000-01-01T00:00:00+00:00"),
        lambda d: d["episodes"].append({**d["episodes"][0], "id": "second-open"}),
        lambda d: d["undo"].append({"action": "log_dose", "entry_id": "missing"}),
        lambda d: d["undo"].append({"action": "drop", "entry_id": d["doses"][0]["id"]}),
        lambda d: d["undo"].append(
            {"action": "end_episode", "entry_id": d["doses"][0]["id"]}
        ),
    ],
)
def test_invalid_stored_data_is_refused(spoil: Any) -> None:
    """Anything off in a stored diary is a ValueError, never a half-loaded diary."""
    data = _valid()
    spoil(data)
    with pytest.raises(ValueError):
        DiaryRecords.from_dict(data)


def test_not_a_mapping_is_refused() -> None:
    """Stored data that is not a diary at all is refused."""
    with pytest.raises(ValueError):
        DiaryRecords.from_dict(["not", "a", "diary"])
