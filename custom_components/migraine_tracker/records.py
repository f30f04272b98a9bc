"""The diary's records: doses, episodes and the changes made to them.

Pure logic: nothing here imports Home Assistant. Every change is first
planned (validated, nothing touched), then applied; an applied change can be
reverted exactly, which is what keeps memory and disk in step when a save
fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar, Literal
import uuid

from .const import (
    DOSE_MG_MAX,
    DOSE_MG_MIN,
    FUTURE_TOLERANCE,
    SEVERITY_MAX,
    SEVERITY_MIN,
)

type EntryKind = Literal["dose", "episode"]
type UndoAction = Literal["log_dose", "log_episode", "end_episode"]

RELIEF_VALUES = ("none", "partial", "complete")
DOSE_FIELDS = frozenset({"taken_at", "amount_mg", "note"})
EPISODE_FIELDS = frozenset(
    {
        "started_at",
        "ended_at",
        "severity",
        "aura",
        "symptoms",
        "triggers",
        "acute_medications",
        "relief",
        "note",
    }
)
LIST_FIELDS = ("symptoms", "triggers", "acute_medications")
# Enough to walk back a bad evening; the stack lives in the diary file.
UNDO_DEPTH = 100


class DiaryError(Exception):
    """A rule of the diary was broken; nothing was changed."""

    def __init__(self, key: str, **placeholders: str) -> None:
        """Name the rule (a translation key) and what to tell the user."""
        super().__init__(key)
        self.key = key
        self.placeholders = placeholders


@dataclass(frozen=True, slots=True)
class Dose:
    """One dose of the supplement."""

    kind: ClassVar[EntryKind] = "dose"

    id: str
    taken_at: datetime
    amount_mg: int
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the dose as JSON-ready data."""
        return {
            "id": self.id,
            "taken_at": self.taken_at.isoformat(),
            "amount_mg": self.amount_mg,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Episode:
    """One migraine episode; without an end it is ongoing."""

    kind: ClassVar[EntryKind] = "episode"

    id: str
    started_at: datetime
    ended_at: datetime | None = None
    severity: int | None = None
    aura: bool | None = None
    symptoms: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    acute_medications: tuple[str, ...] = ()
    relief: str | None = None
    note: str | None = None

    @property
    def ongoing(self) -> bool:
        """Return whether the episode has not ended."""
        return self.ended_at is None

    def as_dict(self) -> dict[str, Any]:
        """Return the episode as JSON-ready data."""
        return {
            "id": self.id,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "severity": self.severity,
            "aura": self.aura,
            "symptoms": list(self.symptoms),
            "triggers": list(self.triggers),
            "acute_medications": list(self.acute_medications),
            "relief": self.relief,
            "note": self.note,
        }


type Entry = Dose | Episode


@dataclass(frozen=True, slots=True)
class UndoStep:
    """A logging action that `undo_last` can take back."""

    action: UndoAction
    entry_id: str
    # For end_episode: the episode as it was before it was ended.
    before: Episode | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the step as JSON-ready data."""
        return {
            "action": self.action,
            "entry_id": self.entry_id,
            "before": self.before.as_dict() if self.before else None,
        }


@dataclass(frozen=True, slots=True)
class Change:
    """One planned change: an entry before and after, and the undo stack."""

    action: str
    before: Entry | None
    after: Entry | None
    undo_before: tuple[UndoStep, ...]
    undo_after: tuple[UndoStep, ...]

    @property
    def entry(self) -> Entry:
        """Return the entry the change is about (after it, else before it)."""
        entry = self.after or self.before
        assert entry is not None
        return entry


def new_id() -> str:
    """Return a fresh entry id."""
    return uuid.uuid4().hex


def _check_not_future(field: str, moment: datetime | None, now: datetime) -> None:
    """Refuse a time more than the tolerance ahead of now."""
    if moment is not None and moment > now + FUTURE_TOLERANCE:
        raise DiaryError(
            "time_in_future",
            field=field,
            minutes=str(int(FUTURE_TOLERANCE.total_seconds() // 60)),
        )


def _clean_text(value: str | None) -> str | None:
    """Return the stripped text, or None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _clean_list(values: Iterable[str] | None) -> tuple[str, ...]:
    """Return stripped, non-empty items, first occurrence kept."""
    if not values:
        return ()
    seen: dict[str, None] = {}
    for value in values:
        if item := value.strip():
            seen.setdefault(item, None)
    return tuple(seen)


class DiaryRecords:
    """All doses and episodes of one diary, with its undo stack."""

    def __init__(self, created_at: datetime) -> None:
        """Start an empty diary created at the given moment."""
        self.created_at = created_at
        self.doses: dict[str, Dose] = {}
        self.episodes: dict[str, Episode] = {}
        self.undo_stack: tuple[UndoStep, ...] = ()
        self._ongoing_id: str | None = None
        # JSON-ready copies, kept per entry so a save does not rebuild them all.
        self._dose_data: dict[str, dict[str, Any]] = {}
        self._episode_data: dict[str, dict[str, Any]] = {}

    @property
    def ongoing(self) -> Episode | None:
        """Return the ongoing episode, if any."""
        return self.episodes.get(self._ongoing_id) if self._ongoing_id else None

    def get(self, entry_id: str) -> Entry:
        """Return the dose or episode with that id."""
        if (entry := self.doses.get(entry_id) or self.episodes.get(entry_id)) is None:
            raise DiaryError("unknown_entry", entry_id=entry_id)
        return entry

    # Planning: validate and describe a change, touch nothing.

    def plan_log_dose(
        self,
        *,
        now: datetime,
        amount_mg: int,
        taken_at: datetime | None = None,
        note: str | None = None,
    ) -> Change:
        """Plan a new dose."""
        taken_at = taken_at or now
        _check_not_future("taken_at", taken_at, now)
        dose = Dose(new_id(), taken_at, amount_mg, _clean_text(note))
        return self._plan(
            "log_dose", None, dose, (*self.undo_stack, UndoStep("log_dose", dose.id))
        )

    def plan_log_episode(
        self,
        *,
        now: datetime,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
        severity: int | None = None,
        aura: bool | None = None,
        symptoms: Iterable[str] | None = None,
        triggers: Iterable[str] | None = None,
        acute_medications: Iterable[str] | None = None,
        relief: str | None = None,
        note: str | None = None,
    ) -> Change:
        """Plan a new episode, ongoing when it has no end."""
        episode = Episode(
            id=new_id(),
            started_at=started_at or now,
            ended_at=ended_at,
            severity=severity,
            aura=aura,
            symptoms=_clean_list(symptoms),
            triggers=_clean_list(triggers),
            acute_medications=_clean_list(acute_medications),
            relief=relief,
            note=_clean_text(note),
        )
        self._check_episode(episode, now)
        return self._plan(
            "log_episode",
            None,
            episode,
            (*self.undo_stack, UndoStep("log_episode", episode.id)),
        )

    def plan_end_episode(
        self,
        *,
        now: datetime,
        ended_at: datetime | None = None,
        severity: int | None = None,
        relief: str | None = None,
        note: str | None = None,
    ) -> Change:
        """Plan the end of the ongoing episode."""
        if (ongoing := self.ongoing) is None:
            raise DiaryError("no_ongoing_episode")
        ended = replace(
            ongoing,
            ended_at=ended_at or now,
            severity=ongoing.severity if severity is None else severity,
            relief=relief or ongoing.relief,
            note=_clean_text(note) or ongoing.note,
        )
        self._check_episode(ended, now)
        return self._plan(
            "end_episode",
            ongoing,
            ended,
            (*self.undo_stack, UndoStep("end_episode", ongoing.id, ongoing)),
        )

    def plan_update(
        self, *, now: datetime, entry_id: str, fields: Mapping[str, Any]
    ) -> Change:
        """Plan an edit of some fields of a dose or an episode."""
        entry = self.get(entry_id)
        allowed = DOSE_FIELDS if isinstance(entry, Dose) else EPISODE_FIELDS
        if wrong := sorted(set(fields) - allowed):
            raise DiaryError(
                "field_not_for_kind",
                fields=", ".join(wrong),
                kind=entry.kind,
                allowed=", ".join(sorted(allowed)),
            )
        if not fields:
            raise DiaryError("nothing_to_update")
        changes = dict(fields)
        if "note" in changes:
            changes["note"] = _clean_text(changes["note"])
        for name in LIST_FIELDS:
            if name in changes:
                changes[name] = _clean_list(changes[name])
        updated = replace(entry, **changes)
        if isinstance(updated, Dose):
            _check_not_future("taken_at", updated.taken_at, now)
        else:
            self._check_episode(updated, now)
        return self._plan("update_entry", entry, updated, self.undo_stack)

    def plan_delete(self, entry_id: str) -> Change:
        """Plan the removal of a dose or an episode."""
        entry = self.get(entry_id)
        undo = tuple(step for step in self.undo_stack if step.entry_id != entry_id)
        return self._plan("delete_entry", entry, None, undo)

    def plan_undo(self) -> Change:
        """Plan taking back the most recent logging action."""
        if not self.undo_stack:
            raise DiaryError("nothing_to_undo")
        step = self.undo_stack[-1]
        rest = self.undo_stack[:-1]
        entry = self.get(step.entry_id)
        if step.action != "end_episode":
            return self._plan("undo_last", entry, None, rest)
        assert isinstance(entry, Episode)
        assert step.before is not None
        if (ongoing := self.ongoing) is not None and ongoing.id != entry.id:
            raise DiaryError("episode_already_ongoing")
        reopened = replace(
            entry,
            ended_at=None,
            severity=step.before.severity,
            relief=step.before.relief,
            note=step.before.note,
        )
        return self._plan("undo_last", entry, reopened, rest)

    def _check_episode(self, episode: Episode, now: datetime) -> None:
        """Check an episode's times and the one-ongoing rule."""
        _check_not_future("started_at", episode.started_at, now)
        _check_not_future("ended_at", episode.ended_at, now)
        if episode.ended_at is not None and episode.ended_at < episode.started_at:
            raise DiaryError(
                "end_before_start",
                ended_at=episode.ended_at.isoformat(),
                started_at=episode.started_at.isoformat(),
            )
        if (
            episode.ended_at is None
            and self._ongoing_id is not None
            and self._ongoing_id != episode.id
        ):
            raise DiaryError("episode_already_ongoing")

    def _plan(
        self,
        action: str,
        before: Entry | None,
        after: Entry | None,
        undo_after: tuple[UndoStep, ...],
    ) -> Change:
        """Describe a change, trimming the undo stack to its depth."""
        return Change(action, before, after, self.undo_stack, undo_after[-UNDO_DEPTH:])

    # Applying: the only methods that touch the records.

    def apply(self, change: Change) -> None:
        """Make a planned change."""
        self._swap(change.before, change.after)
        self.undo_stack = change.undo_after

    def revert(self, change: Change) -> None:
        """Take back an applied change exactly."""
        self._swap(change.after, change.before)
        self.undo_stack = change.undo_before

    def _swap(self, old: Entry | None, new: Entry | None) -> None:
        """Replace one entry by another (either may be missing)."""
        if old is not None:
            self._remove(old)
        if new is not None:
            self._add(new)

    def _add(self, entry: Entry) -> None:
        """Store an entry."""
        if isinstance(entry, Dose):
            self.doses[entry.id] = entry
            self._dose_data[entry.id] = entry.as_dict()
            return
        self.episodes[entry.id] = entry
        self._episode_data[entry.id] = entry.as_dict()
        if entry.ongoing:
            self._ongoing_id = entry.id

    def _remove(self, entry: Entry) -> None:
        """Drop an entry."""
        if isinstance(entry, Dose):
            del self.doses[entry.id]
            del self._dose_data[entry.id]
            return
        del self.episodes[entry.id]
        del self._episode_data[entry.id]
        if self._ongoing_id == entry.id:
            self._ongoing_id = None

    # Serialisation.

    def as_dict(self) -> dict[str, Any]:
        """Return the whole diary as JSON-ready data."""
        return {
            "created_at": self.created_at.isoformat(),
            "doses": list(self._dose_data.values()),
            "episodes": list(self._episode_data.values()),
            "undo": [step.as_dict() for step in self.undo_stack],
        }

    @classmethod
    def from_dict(cls, data: Any) -> DiaryRecords:
        """Rebuild a diary from stored data; raise ValueError if it is not valid."""
        try:
            records = cls(_parse_time(data["created_at"]))
            for item in data["doses"]:
                records._add(dose_from_dict(item))
            for item in data["episodes"]:
                episode = episode_from_dict(item)
                if episode.ongoing and records.ongoing is not None:
                    raise ValueError("more than one ongoing episode")
                records._add(episode)
            records.undo_stack = tuple(
                _undo_from_dict(item) for item in data.get("undo", [])
            )
        except (KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"malformed diary data: {err!r}") from err
        if len(records.doses) != len(data["doses"]) or len(records.episodes) != len(
            data["episodes"]
        ):
            raise ValueError("duplicate entry ids")
        if set(records.doses) & set(records.episodes):
            raise ValueError("an id is used by a dose and an episode")
        for step in records.undo_stack:
            if (
                step.entry_id not in records.doses
                and step.entry_id not in records.episodes
            ):
                raise ValueError(f"undo step for unknown entry {step.entry_id}")
        return records


def _parse_time(value: Any) -> datetime:
    """Parse a stored, time-zone aware ISO time."""
    if not isinstance(value, str):
        raise TypeError(f"not a time: {value!r}")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time without time zone: {value!r}")
    return moment


def _text(value: Any, *, optional: bool = True) -> str | None:
    """Return a stored text, refusing anything else."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected text: {value!r}")
    return value


def _id(value: Any) -> str:
    """Return a stored entry id."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"bad id: {value!r}")
    return value


def _whole(value: Any, low: int, high: int, *, optional: bool) -> int | None:
    """Return a stored whole number within its range."""
    if value is None and optional:
        return None
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not low <= value <= high
    ):
        raise ValueError(f"expected a whole number {low}-{high}: {value!r}")
    return value


def _flag(value: Any) -> bool | None:
    """Return a stored yes/no that may be missing."""
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"expected true or false: {value!r}")
    return value


def _strings(value: Any) -> tuple[str, ...]:
    """Return a stored list of strings as a tuple."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of strings: {value!r}")
    return tuple(value)


def dose_from_dict(data: Mapping[str, Any]) -> Dose:
    """Rebuild a dose from stored data."""
    amount = _whole(data["amount_mg"], DOSE_MG_MIN, DOSE_MG_MAX, optional=False)
    assert amount is not None
    return Dose(
        id=_id(data["id"]),
        taken_at=_parse_time(data["taken_at"]),
        amount_mg=amount,
        note=_text(data.get("note")),
    )


def episode_from_dict(data: Mapping[str, Any]) -> Episode:
    """Rebuild an episode from stored data."""
    ended = data.get("ended_at")
    episode = Episode(
        id=_id(data["id"]),
        started_at=_parse_time(data["started_at"]),
        ended_at=None if ended is None else _parse_time(ended),
        severity=_whole(
            data.get("severity"), SEVERITY_MIN, SEVERITY_MAX, optional=True
        ),
        aura=_flag(data.get("aura")),
        symptoms=_strings(data.get("symptoms", [])),
        triggers=_strings(data.get("triggers", [])),
        acute_medications=_strings(data.get("acute_medications", [])),
        relief=_text(data.get("relief")),
        note=_text(data.get("note")),
    )
    if episode.ended_at is not None and episode.ended_at < episode.started_at:
        raise ValueError(f"episode {episode.id} ends before it starts")
    if episode.relief is not None and episode.relief not in RELIEF_VALUES:
        raise ValueError(f"bad relief: {episode.relief!r}")
    return episode


def _undo_from_dict(data: Mapping[str, Any]) -> UndoStep:
    """Rebuild an undo step from stored data."""
    action = data["action"]
    if action not in ("log_dose", "log_episode", "end_episode"):
        raise ValueError(f"bad undo action: {action!r}")
    before = data.get("before")
    step = UndoStep(
        action=action,
        entry_id=_id(data["entry_id"]),
        before=None if before is None else episode_from_dict(before),
    )
    if (step.action == "end_episode") is (step.before is None):
        raise ValueError("end_episode undo step without the episode before")
    return step
