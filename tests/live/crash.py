"""Kill Home Assistant again and again while it logs, and check nothing is lost.

The promise under test: a logging service returns only once the entry is on
disk, so a process killed right after the call returns loses nothing, and the
diary file is always readable.

One run starts Home Assistant on a throw-away config folder, creates a diary
through the config flow API, then repeats: make one to three calls through the
REST API (log_dose, log_episode, end_episode, undo_last), sometimes with a
second call in flight, SIGKILL the process, start it again, log in, and
compare what `get_entries` returns and what the diary file holds with every
call that was acknowledged.

Run it with `scripts/crashtest` (or `python -m tests.live.crash --kills 60`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from typing import Any

import orjson

from .hass_process import HassError, HassProcess, write_config

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from custom_components.migraine_tracker.records import DiaryRecords  # noqa: E402
from custom_components.migraine_tracker.store import (  # noqa: E402
    STORAGE_VERSION,
    DiaryFileError,
    read_diary,
)

DOMAIN = "migraine_tracker"


@dataclass
class Model:
    """What the diary must hold, after every acknowledged call."""

    doses: set[str] = field(default_factory=set)
    # Episode id -> whether it has ended.
    episodes: dict[str, bool] = field(default_factory=dict)
    # The undo stack, oldest first: (action, entry id).
    undo: list[tuple[str, str]] = field(default_factory=list)
    # Entries an acknowledged undo took away: they must never come back.
    removed: set[str] = field(default_factory=set)

    @classmethod
    def from_records(cls, records: DiaryRecords, removed: set[str]) -> Model:
        """Take the model from what the file holds."""
        return cls(
            doses=set(records.doses),
            episodes={
                episode_id: not episode.ongoing
                for episode_id, episode in records.episodes.items()
            },
            undo=[(step.action, step.entry_id) for step in records.undo_stack],
            removed=removed,
        )

    @property
    def ongoing(self) -> str | None:
        """Return the ongoing episode's id, if any."""
        return next((i for i, ended in self.episodes.items() if not ended), None)


@dataclass
class Report:
    """The figures of one run."""

    kills: int = 0
    acknowledged_entries: int = 0
    acknowledged_calls: int = 0
    unacknowledged_calls: int = 0
    in_flight_landed: int = 0
    shutdown_kills: int = 0
    rejected: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)
    start_seconds: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0

    def summary(self) -> str:
        """Return the figures in a few lines."""
        starts = self.start_seconds or [0.0]
        return (
            f"{self.kills} kills, {self.acknowledged_entries} entries acknowledged, "
            f"{self.lost} lost\n"
            f"  {self.acknowledged_calls} calls acknowledged, "
            f"{self.unacknowledged_calls} cut off by a kill "
            f"({self.in_flight_landed} of them had landed anyway), "
            f"{self.rejected} rejected; {self.shutdown_kills} kills during a "
            "clean shutdown\n"
            f"  restart to running: median {statistics.median(starts):.2f} s, "
            f"max {max(starts):.2f} s; whole run {self.wall_seconds:.0f} s"
        )


def _iso(moment: datetime) -> str:
    """Return an aware ISO time."""
    return moment.isoformat()


class CrashRun:
    """One crash test run against one Home Assistant process."""

    def __init__(self, config_dir: Path, seed: int, log: Callable[[str], None]) -> None:
        """Prepare the run."""
        self.config_dir = config_dir
        self.rng = random.Random(seed)
        self.log = log
        self.hass = HassProcess(config_dir)
        self.report = Report()
        self.model = Model()
        self.entry_id = ""

    @property
    def diary_file(self) -> Path:
        """Return the diary's file."""
        return self.config_dir / ".storage" / f"{DOMAIN}.{self.entry_id}"

    def setup(self) -> None:
        """Start Home Assistant, onboard and create the diary."""
        write_config(self.config_dir)
        self._timed_start()
        self.hass.onboard()
        self.entry_id = self.hass.create_config_entry(
            DOMAIN,
            [
                {"name": "Crash"},
                {
                    "medication_name": "Magnesium glycinate",
                    "dose_mg": 400,
                    "doses_per_day": 1,
                },
            ],
        )

    def _timed_start(self) -> None:
        """Start Home Assistant and note how long it took to be running."""
        began = time.monotonic()
        self.hass.start()
        if self.hass.token is not None:
            self.report.start_seconds.append(time.monotonic() - began)

    # Calls.

    def _call(self, service: str, data: dict[str, Any]) -> dict[str, Any]:
        """Call a diary service and return its response."""
        response: dict[str, Any] = self.hass.call_service(
            DOMAIN,
            service,
            {"config_entry_id": self.entry_id, **data},
            return_response=True,
        )
        return response

    def _dose_data(self) -> dict[str, Any]:
        """Return the fields of a random dose."""
        now = datetime.now(UTC)
        data: dict[str, Any] = {"amount_mg": self.rng.choice([200, 300, 400, 600])}
        if self.rng.random() < 0.5:
            data["taken_at"] = _iso(now - timedelta(minutes=self.rng.randint(0, 5000)))
        if self.rng.random() < 0.3:
            data["note"] = f"with breakfast {self.rng.randint(0, 999)}"
        return data

    def _finished_episode_data(self) -> dict[str, Any]:
        """Return the fields of a random finished episode."""
        now = datetime.now(UTC)
        start = now - timedelta(minutes=self.rng.randint(60, 50000))
        return {
            "started_at": _iso(start),
            "ended_at": _iso(start + timedelta(minutes=self.rng.randint(0, 59))),
            "severity": self.rng.randint(0, 10),
            "symptoms": ["nausea", "aura"][: self.rng.randint(0, 2)],
        }

    def _log_dose(self) -> None:
        """Log a dose and note it in the model."""
        entry = self._call("log_dose", self._dose_data())["id"]
        self.model.doses.add(entry)
        self.model.undo.append(("log_dose", entry))
        self.report.acknowledged_entries += 1

    def _log_finished_episode(self) -> None:
        """Log a finished episode and note it in the model."""
        entry = self._call("log_episode", self._finished_episode_data())["id"]
        self.model.episodes[entry] = True
        self.model.undo.append(("log_episode", entry))
        self.report.acknowledged_entries += 1

    def _start_episode(self) -> None:
        """Log an ongoing episode and note it in the model."""
        entry = self._call("log_episode", {"severity": self.rng.randint(0, 10)})["id"]
        self.model.episodes[entry] = False
        self.model.undo.append(("log_episode", entry))
        self.report.acknowledged_entries += 1

    def _end_episode(self) -> None:
        """End the ongoing episode and note it in the model."""
        entry = self._call("end_episode", {"relief": "partial"})["id"]
        self.model.episodes[entry] = True
        self.model.undo.append(("end_episode", entry))

    def _undo_last(self) -> None:
        """Undo the last logging action and note it in the model."""
        action, expected = self.model.undo.pop()
        entry = self._call("undo_last", {})["id"]
        if entry != expected:
            self._problem(f"undo_last took back {entry}, expected {expected}")
        if action == "end_episode":
            self.model.episodes[entry] = False
        elif action == "log_dose":
            self.model.doses.discard(entry)
            self.model.removed.add(entry)
        else:
            self.model.episodes.pop(entry, None)
            self.model.removed.add(entry)

    def _undo_possible(self) -> bool:
        """Return whether undo_last would succeed now."""
        if not self.model.undo:
            return False
        action, entry = self.model.undo[-1]
        ongoing = self.model.ongoing
        return action != "end_episode" or ongoing is None or ongoing == entry

    def _one_call(self, concurrent: bool) -> None:
        """Make one random call, and count a refusal as a broken promise."""
        try:
            self._random_call(concurrent)
        except HassError as err:
            # The model only makes calls that are valid; a refusal means the
            # diary is not what the acknowledged calls made it.
            self.report.rejected += 1
            self._problem(f"call refused: {err}")

    def _random_call(self, concurrent: bool) -> None:
        """Make one random call; order-independent ones only when concurrent."""
        roll = self.rng.random()
        if concurrent:
            (self._log_dose if roll < 0.7 else self._log_finished_episode)()
            return
        ongoing = self.model.ongoing
        if roll < 0.45:
            self._log_dose()
        elif roll < 0.65:
            self._log_finished_episode()
        elif roll < 0.8 and ongoing is None:
            self._start_episode()
        elif roll < 0.8 or (roll < 0.9 and ongoing is not None):
            if ongoing is not None:
                self._end_episode()
            else:
                self._log_dose()
        elif self._undo_possible():
            self._undo_last()
        else:
            self._log_dose()
        self.report.acknowledged_calls += 1

    # One life of the process.

    def life(self) -> None:
        """Make some calls, then kill the process in one of four ways."""
        mode = self.rng.random()
        calls = self.rng.randint(1, 3)
        background: list[threading.Thread] = []
        outcome: list[bool] = []
        if mode < 0.45:
            for _ in range(calls):
                self._one_call(concurrent=False)
        elif mode < 0.55:
            # Kill during a clean shutdown, when the diary is unloaded and
            # may be rewriting its files.
            for _ in range(calls):
                self._one_call(concurrent=False)
            self.hass.terminate()
            time.sleep(self.rng.uniform(0, 0.3))
            self.report.shutdown_kills += 1
        else:
            background.append(self._background_log(outcome))
            if mode < 0.85:
                # Kill right after a call returns while another is in flight.
                self._one_call(concurrent=True)
                self.report.acknowledged_calls += 1
            else:
                # Kill while the call is in flight, after 0-50 ms.
                time.sleep(self.rng.uniform(0, 0.05))
        self.hass.kill()
        self.report.kills += 1
        for thread in background:
            thread.join(30)
        self._in_flight = outcome.count(False)
        self.report.unacknowledged_calls += self._in_flight
        if any(outcome):
            self.report.acknowledged_calls += outcome.count(True)

    def _background_log(self, outcome: list[bool]) -> threading.Thread:
        """Log a dose from another thread; note whether it was acknowledged."""
        data = {"config_entry_id": self.entry_id, **self._dose_data()}
        # Its own client: the main one is used meanwhile.
        client = HassProcess(self.config_dir, self.hass.port)
        client.token = self.hass.token

        def run() -> None:
            try:
                response = client.call_service(DOMAIN, "log_dose", data, True)
            except Exception:  # noqa: BLE001
                # Cut off by the kill (requests raises its own ConnectionError).
                outcome.append(False)
                return
            finally:
                client.session.close()
            with self._lock:
                self.model.doses.add(response["id"])
                self.model.undo.append(("log_dose", response["id"]))
                self.report.acknowledged_entries += 1
            outcome.append(True)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    _lock = threading.Lock()
    _in_flight = 0

    # Checks after a restart.

    def check(self) -> None:
        """Compare what the diary holds with every acknowledged call."""
        try:
            records = self._read_file()
        except (OSError, ValueError, KeyError, TypeError) as err:
            self.report.lost += 1
            self._problem(f"diary file unreadable: {err!r}")
            raise
        stored = self._call("get_entries", {"kind": "all"})
        doses = {item["id"] for item in stored["doses"]}
        episodes = {
            item["id"]: item["ended_at"] is not None for item in stored["episodes"]
        }
        if doses != set(records.doses) or set(episodes) != set(records.episodes):
            self._problem("get_entries and the diary file differ")
        for dose in self.model.doses - doses:
            self.report.lost += 1
            self._problem(f"acknowledged dose {dose} is missing")
        for episode, ended in self.model.episodes.items():
            if episode not in episodes:
                self.report.lost += 1
                self._problem(f"acknowledged episode {episode} is missing")
            elif ended and not episodes[episode]:
                self.report.lost += 1
                self._problem(f"acknowledged end of episode {episode} is missing")
            elif not ended and episodes[episode]:
                self._problem(f"episode {episode} ended without an acknowledged call")
        for entry in self.model.removed & (doses | set(episodes)):
            self.report.lost += 1
            self._problem(f"undone entry {entry} came back")
        extra = (doses - self.model.doses) | (set(episodes) - set(self.model.episodes))
        if len(extra) > self._in_flight or set(episodes) - set(self.model.episodes):
            self._problem(f"unexpected entries {sorted(extra)}")
        self.report.in_flight_landed += len(extra)
        # Calls cut off by the kill may have landed: go on from what is stored.
        self.model = Model.from_records(records, self.model.removed)

    def _read_file(self) -> DiaryRecords:
        """Parse the diary's files (snapshot and journal) as the integration does."""
        wrapper = orjson.loads(self.diary_file.read_bytes())
        if wrapper["version"] != STORAGE_VERSION:
            raise ValueError(f"unexpected version {wrapper['version']}")
        try:
            data = read_diary(self.diary_file)
        except DiaryFileError as err:
            raise ValueError(str(err)) from err
        if data is None:
            raise ValueError("the diary file is missing")
        return DiaryRecords.from_dict(data)

    def _problem(self, text: str) -> None:
        """Note a broken promise."""
        self.report.problems.append(text)
        self.log(f"PROBLEM after kill {self.report.kills}: {text}")

    # The whole run.

    def run(self, kills: int) -> Report:
        """Set up, then kill and restart `kills` times, checking after each."""
        began = time.monotonic()
        try:
            self.setup()
            while self.report.kills < kills:
                self.life()
                self._timed_start()
                self.check()
                if self.report.kills % 10 == 0:
                    self.log(
                        f"{self.report.kills} kills, "
                        f"{self.report.acknowledged_entries} entries acknowledged, "
                        f"{self.report.lost} lost"
                    )
        finally:
            self.hass.stop()
            self.report.wall_seconds = time.monotonic() - began
        return self.report


def run_crash_test(
    kills: int,
    config_dir: Path | None = None,
    seed: int | None = None,
    log: Callable[[str], None] = print,
) -> Report:
    """Run the crash test; keep the config folder only when it was given."""
    seed = random.randrange(1 << 30) if seed is None else seed
    log(f"crash test: {kills} kills, seed {seed}")
    folder = config_dir or Path(tempfile.mkdtemp(prefix="migraine_crash_"))
    try:
        report = CrashRun(folder, seed, log).run(kills)
    except BaseException:
        log(f"config folder kept for inspection: {folder}")
        raise
    if config_dir is None and not report.problems:
        shutil.rmtree(folder, ignore_errors=True)
    elif config_dir is None:
        log(f"config folder kept for inspection: {folder}")
    return report


def main() -> int:
    """Run from the command line; exit 1 on any loss or broken promise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=60)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--config", type=Path, help="config folder to use (kept)")
    args = parser.parse_args()
    report = run_crash_test(args.kills, args.config, args.seed)
    print(report.summary())  # noqa: T201
    return 1 if report.lost or report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
