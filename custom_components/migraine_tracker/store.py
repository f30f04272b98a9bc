"""The diary file: the one place that reads and writes a diary on disk.

Home Assistant's `Store` moves a file it cannot parse aside and starts
empty, and saves in the background. A health diary needs stricter promises:
a change is acknowledged only once it is on disk, and a file that cannot be
read is left exactly where and as it is.

A diary lives in two files in `.storage/`: the snapshot
(`migraine_tracker.<entry_id>`, the whole diary as of change number `seq`)
and its journal (`migraine_tracker.<entry_id>.journal`), one JSON line per
change made since, each appended and fsync'd before the change is
acknowledged. So a log writes a few hundred bytes however long the diary is.
Every `COMPACT_EVERY` changes, and when the diary is unloaded, the snapshot
is rewritten (temporary file, fsync, rename, directory fsync) and only then
is the journal emptied; lines a crash left behind in between are older than
the snapshot and skipped.

Reading replays the journal lines newer than the snapshot, in order. A crash
can only tear the last line, which was never acknowledged: it is dropped.
Any other damage makes the diary unreadable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
import os
from pathlib import Path
import threading
from typing import Any

import orjson

from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .records import Change, UndoStep

# Version 2 added the journal; a build that knows only the snapshot must not
# read a diary whose latest changes are in the journal.
STORAGE_VERSION = 2
STORAGE_MINOR_VERSION = 1
JOURNAL_SUFFIX = ".journal"
# Replaying this many lines when loading takes a few milliseconds.
COMPACT_EVERY = 256

# Migrations from (major version) to the next one; each takes and returns `data`.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    # Version 1 is a snapshot without journal; its data needs no change.
    1: lambda data: data,
}

# fdatasync flushes the appended bytes and the file's new size, which is all a
# journal line needs; systems without it (macOS) get fsync.
_sync_data = getattr(os, "fdatasync", os.fsync)


class DiaryFileError(Exception):
    """The diary file exists but cannot be used."""

    def __init__(self, path: Path, reason: str) -> None:
        """Keep where the file is and what is wrong with it."""
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StoredDiary:
    """What a diary's files hold."""

    data: dict[str, Any]
    seq: int
    # Lines found in the journal: replayed, older than the snapshot or torn.
    journal_lines: int
    # Whether lines can be added to the journal: it ends cleanly, and the
    # snapshot is of this version (an older build would not see the lines).
    appendable: bool


def diary_path(hass: HomeAssistant, entry_id: str) -> Path:
    """Return where a diary's snapshot lives."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}"))


def journal_path(path: Path) -> Path:
    """Return where the journal of a snapshot lives."""
    return path.with_name(path.name + JOURNAL_SUFFIX)


def migrate(version: int, minor_version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring stored data from an older layout to the current one."""
    while version < STORAGE_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    # Minor versions only add optional fields; readers fill in defaults.
    return data


def read_diary(path: Path) -> dict[str, Any] | None:
    """Return the diary data a snapshot and its journal hold; None without a file.

    Raises DiaryFileError when they cannot be used.
    """
    stored = _read(path)
    return None if stored is None else stored.data


def _read(path: Path) -> StoredDiary | None:
    """Read the snapshot, replay its journal, bring the data up to date."""
    snapshot = _read_snapshot(path)
    journal = journal_path(path)
    try:
        raw = journal.read_bytes()
    except FileNotFoundError:
        raw = b""
    except OSError as err:
        raise DiaryFileError(journal, f"cannot be read ({err.strerror})") from err
    if snapshot is None:
        if raw.strip():
            raise DiaryFileError(path, "is missing, but its journal is there")
        return None
    version, minor_version, seq, data = snapshot
    lines, clean = _journal_lines(journal, raw)
    newer = [line for line in lines if line["seq"] > seq]
    for expected, line in enumerate(newer, start=seq + 1):
        if line["seq"] != expected:
            raise DiaryFileError(
                journal, f"skips from change {expected - 1} to {line['seq']}"
            )
    if newer:
        try:
            data = replay(data, newer)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise DiaryFileError(
                journal, f"holds a change that does not fit the diary ({err!r})"
            ) from err
        seq = newer[-1]["seq"]
    return StoredDiary(
        migrate(version, minor_version, data),
        seq,
        len(lines) + (0 if clean else 1),
        clean and version == STORAGE_VERSION,
    )


def _read_snapshot(path: Path) -> tuple[int, int, int, dict[str, Any]] | None:
    """Read and unwrap a snapshot: version, minor version, seq and data."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise DiaryFileError(path, f"cannot be read ({err.strerror})") from err
    if not raw.strip():
        raise DiaryFileError(path, "is empty")
    try:
        wrapper = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise DiaryFileError(path, f"is not valid JSON ({err})") from err
    if not isinstance(wrapper, dict) or not isinstance(wrapper.get("data"), dict):
        raise DiaryFileError(path, "does not hold diary data")
    version = wrapper.get("version")
    minor_version = wrapper.get("minor_version", 1)
    seq = wrapper.get("seq", 0)
    if not isinstance(version, int) or not isinstance(minor_version, int):
        raise DiaryFileError(path, "has no storage version")
    if version > STORAGE_VERSION or version < 1:
        raise DiaryFileError(
            path,
            f"was written by an unknown version ({version}) of the integration",
        )
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise DiaryFileError(path, f"has a bad change number ({seq!r})")
    return version, minor_version, seq, wrapper["data"]


def _journal_lines(journal: Path, raw: bytes) -> tuple[list[dict[str, Any]], bool]:
    """Parse the journal's lines; return them and whether the journal ends cleanly.

    Only the last line may be damaged (a write cut off by a crash, never
    acknowledged): it is left out. A damaged line before it is an error.
    """
    parts = raw.split(b"\n")
    # Whatever follows the last newline is a line whose write was cut off.
    clean = not parts.pop()
    lines: list[dict[str, Any]] = []
    for number, part in enumerate(parts, start=1):
        try:
            line = orjson.loads(part)
            if not isinstance(line, dict):
                raise TypeError("not an object")  # noqa: TRY301
            if not isinstance(line.get("seq"), int) or isinstance(line["seq"], bool):
                raise TypeError("no change number")  # noqa: TRY301
        except (orjson.JSONDecodeError, TypeError) as err:
            if number == len(parts) and clean:
                return lines, False
            raise DiaryFileError(journal, f"line {number} is damaged ({err})") from err
        lines.append(line)
    return lines, clean


def journal_line(change: Change) -> dict[str, Any]:
    """Describe an applied change as a journal line (without its number).

    The entry is stored whole, as it is after the change (null once removed).
    The undo stack is stored as the steps dropped and pushed, or whole when
    that would not rebuild it exactly.
    """
    entry = change.entry
    line: dict[str, Any] = {
        "action": change.action,
        "kind": entry.kind,
        "id": entry.id,
        "entry": None if change.after is None else change.after.as_dict(),
    }
    before, after = change.undo_before, change.undo_after
    if before == after:
        return line
    kept = set(after)
    dropped: set[tuple[str, str]] = {
        (step.action, step.entry_id) for step in before if step not in kept
    }
    earlier = set(before)
    pushed = [step for step in after if step not in earlier]
    if _undo_replayed(before, dropped, pushed) == list(after):
        line["undo_drop"] = [list(key) for key in sorted(dropped)]
        line["undo_push"] = [step.as_dict() for step in pushed]
    else:
        line["undo"] = [step.as_dict() for step in after]
    return line


def _undo_replayed(
    before: Iterable[UndoStep], dropped: set[tuple[str, str]], pushed: list[UndoStep]
) -> list[UndoStep]:
    """Return the undo stack a journal line's delta rebuilds."""
    return [
        step for step in before if (step.action, step.entry_id) not in dropped
    ] + pushed


def replay(data: dict[str, Any], lines: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Apply journal lines to stored diary data, as the records applied them."""
    doses = {item["id"]: item for item in data["doses"]}
    episodes = {item["id"]: item for item in data["episodes"]}
    undo = list(data.get("undo", []))
    for line in lines:
        if line["kind"] not in ("dose", "episode"):
            raise ValueError(f"unknown kind {line['kind']!r}")
        entries = doses if line["kind"] == "dose" else episodes
        entry_id = line["id"]
        entry = line["entry"]
        if entry is None:
            del entries[entry_id]
        else:
            if not isinstance(entry, dict) or entry.get("id") != entry_id:
                raise ValueError(f"entry does not match id {entry_id!r}")
            # Re-adding at the end keeps the order the records have in memory.
            entries.pop(entry_id, None)
            entries[entry_id] = entry
        if "undo" in line:
            undo = list(line["undo"])
        elif "undo_push" in line:
            dropped = {tuple(key) for key in line["undo_drop"]}
            undo = [
                step
                for step in undo
                if (step["action"], step["entry_id"]) not in dropped
            ] + list(line["undo_push"])
    return data | {
        "doses": list(doses.values()),
        "episodes": list(episodes.values()),
        "undo": undo,
    }


def _write(path: Path, payload: bytes) -> None:
    """Replace the file atomically and durably with the payload."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp")
    # Health data: readable by Home Assistant's user only.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        _write_all(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)
    temporary.replace(path)
    _sync_directory(path.parent)


def _write_all(fd: int, payload: bytes) -> None:
    """Write every byte of the payload."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def _sync_directory(directory: Path) -> None:
    """Make renames and new files in a directory durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DiaryStore:
    """Reads and writes one diary's snapshot and journal."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Point the store at a diary's files."""
        self.hass = hass
        self.key = f"{DOMAIN}.{entry_id}"
        self.path = diary_path(hass, entry_id)
        self.journal = journal_path(self.path)
        # The number of the last change on disk, and lines in the journal.
        self._seq = 0
        self._journal_lines = 0
        # False while the journal may end in a damaged line, or the snapshot
        # is of an older version: the next change then rewrites the snapshot.
        self._appendable = True
        # Appends and snapshots run in executor threads; never at once.
        self._lock = threading.Lock()

    @property
    def journal_lines(self) -> int:
        """Return how many lines the journal holds."""
        return self._journal_lines

    @property
    def can_append(self) -> bool:
        """Return whether a change can go to the journal."""
        return self._appendable

    @property
    def compaction_due(self) -> bool:
        """Return whether the snapshot should be rewritten."""
        return self._journal_lines >= COMPACT_EVERY

    async def async_load(self) -> dict[str, Any] | None:
        """Return the stored diary data, None if there is none yet."""
        stored = await self.hass.async_add_executor_job(_read, self.path)
        if stored is None:
            return None
        self._seq = stored.seq
        self._journal_lines = stored.journal_lines
        self._appendable = stored.appendable
        return stored.data

    async def async_append(self, change: Change) -> None:
        """Add an applied change to the journal; returns once it is on disk."""
        await self.hass.async_add_executor_job(self._append, journal_line(change))

    def _append(self, line: dict[str, Any]) -> None:
        """Append a numbered line durably, in the executor.

        On failure the journal is left as it was, or marked for a snapshot.
        """
        with self._lock:
            if not self._appendable:
                raise OSError(f"{self.journal} needs a new snapshot first")
            seq = self._seq + 1
            payload = orjson.dumps({"seq": seq, **line}) + b"\n"
            created = not self.journal.exists()
            fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.fstat(fd).st_size
                try:
                    _write_all(fd, payload)
                    _sync_data(fd)
                    if created:
                        _sync_directory(self.journal.parent)
                except OSError:
                    # Not acknowledged: take the line out, so that the next
                    # one does not follow it; if that fails too, the next
                    # change rewrites the snapshot instead.
                    self._appendable = False
                    with suppress(OSError):
                        os.ftruncate(fd, size)
                        os.fsync(fd)
                        self._appendable = True
                    raise
            finally:
                os.close(fd)
            self._seq = seq
            self._journal_lines += 1

    async def async_save(
        self, data: dict[str, Any], *, new_change: bool = False
    ) -> None:
        """Write a snapshot of the whole diary, then empty the journal.

        `new_change` when the data holds a change not yet on disk (it then
        gets the next number); returns once the snapshot is on disk.
        """
        seq = self._seq + 1 if new_change else self._seq
        wrapper = {
            "version": STORAGE_VERSION,
            "minor_version": STORAGE_MINOR_VERSION,
            "key": self.key,
            "seq": seq,
            "data": data,
        }
        await self.hass.async_add_executor_job(self._snapshot, wrapper, seq)

    def _snapshot(self, wrapper: dict[str, Any], seq: int) -> None:
        """Encode and write a snapshot, then reset the journal, in the executor."""
        payload = orjson.dumps(wrapper, option=orjson.OPT_INDENT_2)
        with self._lock:
            if not self.journal.exists():
                # Created before the snapshot's rename, whose directory fsync
                # makes both lasting.
                self.path.parent.mkdir(parents=True, exist_ok=True)
                os.close(os.open(self.journal, os.O_WRONLY | os.O_CREAT, 0o600))
            _write(self.path, payload)
            self._seq = max(self._seq, seq)
            if seq < self._seq:
                # Changes were appended since the data was taken: keep them.
                return
            try:
                fd = os.open(self.journal, os.O_WRONLY | os.O_TRUNC)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError:
                # The snapshot is safe; the old lines are skipped when read.
                return
            self._journal_lines = 0
            self._appendable = True

    async def async_remove(self) -> None:
        """Delete the diary's files, if there are any."""
        await self.hass.async_add_executor_job(self._remove)

    def _remove(self) -> None:
        """Delete the snapshot, the journal and any temporary file."""
        for path in (
            self.journal,
            self.path,
            self.path.with_name(f"{self.path.name}.tmp"),
        ):
            path.unlink(missing_ok=True)
