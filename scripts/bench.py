"""Benchmark: the diary is fast, and stays fast as it grows.

Runs a real Home Assistant in this process (real file storage, real executor,
real SQLite recorder) in a throw-away config folder, with four diaries of 0,
1, 10 and 30 years written to disk beforehand, and measures what a user
waits for: setting a diary up, logging a dose until the sensors show it and
the entry is on disk, the midnight rollover, reading entries back; next to
Home Assistant's own helpers doing comparable work (a counter, a date/time
helper, one durable small write, a `history_stats` sensor over the recorder).

Prints a table and checks the targets; the exit code is 0 unless the
benchmark itself broke. Run it with `scripts/bench` (`--help` for options).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as clock, timedelta
import gc
import os
from pathlib import Path
import platform
import random
import shutil
import socket
import statistics
import sys
import tempfile
import time
import tracemalloc
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from custom_components.migraine_tracker import store as diary_store  # noqa: E402
from custom_components.migraine_tracker.const import DOMAIN  # noqa: E402
from custom_components.migraine_tracker.diary import Diary  # noqa: E402
from custom_components.migraine_tracker.records import DiaryRecords  # noqa: E402
from custom_components.migraine_tracker.stats import DayIndex, next_midnight  # noqa: E402
from custom_components.migraine_tracker.timeline import Timeline  # noqa: E402
from homeassistant import bootstrap, core_config, loader, runner  # noqa: E402
from homeassistant.components.recorder.util import get_instance  # noqa: E402
from homeassistant.config_entries import ConfigEntries, ConfigEntry  # noqa: E402
from homeassistant.const import EVENT_STATE_CHANGED  # noqa: E402
from homeassistant.core import Event, HomeAssistant  # noqa: E402
from homeassistant.helpers import entity_registry as er, recorder as recorder_helper  # noqa: E402
from homeassistant.setup import async_setup_component  # noqa: E402
from homeassistant.util import dt as dt_util  # noqa: E402

TIME_ZONE = "Europe/Berlin"
SIZES = (0, 1, 10, 30)
REFERENCE_YEARS = 10
SYMPTOMS = ("nausea", "light sensitivity", "sound sensitivity", "throbbing", "fatigue")
TRIGGERS = (
    "poor sleep",
    "stress",
    "red wine",
    "skipped meal",
    "weather",
    "screen time",
)
MEDICATIONS = ("ibuprofen 400 mg", "sumatriptan 50 mg", "paracetamol 1 g")
NOTES = ("with breakfast", "late", "after the gym", "forgot yesterday", "with dinner")


# Synthetic diaries.


def _id(rng: random.Random) -> str:
    """Return an entry id like the diary's (32 hex digits)."""
    return f"{rng.getrandbits(128):032x}"


def synthetic_diary(
    years: int, now: datetime, tz: ZoneInfo, seed: int
) -> dict[str, Any]:
    """Return `years` of a plausible diary in the stored layout.

    One dose most days (two on some), days forgotten now and then and a
    holiday or two a year without any; an episode every few days with
    symptoms, triggers, medications and sometimes a note.
    """
    rng = random.Random(seed + years)
    today = now.astimezone(tz).date()
    first = today - timedelta(days=round(365.25 * years))
    created_at = datetime.combine(first, clock(20, 0), tz).astimezone(UTC)
    doses: list[dict[str, Any]] = []
    episodes: list[dict[str, Any]] = []
    day = first
    gap_until = first
    next_episode = first + timedelta(days=rng.randint(1, 6))
    while years and day < today:
        if day >= gap_until and rng.random() < 2 / 365:
            gap_until = day + timedelta(days=rng.randint(3, 10))
        if day >= gap_until and rng.random() > 0.08:
            for hour in (8, 20)[: 2 if rng.random() < 0.12 else 1]:
                taken = datetime.combine(
                    day, clock(hour, rng.randint(0, 59), rng.randint(0, 59)), tz
                )
                doses.append(
                    {
                        "id": _id(rng),
                        "taken_at": taken.astimezone(UTC).isoformat(),
                        "amount_mg": rng.choice((200, 400, 400, 400)),
                        "note": rng.choice(NOTES) if rng.random() < 0.05 else None,
                    }
                )
        if day >= next_episode:
            started = datetime.combine(
                day, clock(rng.randint(5, 21), rng.randint(0, 59)), tz
            )
            ended = started + timedelta(minutes=rng.randint(60, 36 * 60))
            episodes.append(
                {
                    "id": _id(rng),
                    "started_at": started.astimezone(UTC).isoformat(),
                    "ended_at": min(ended, now - timedelta(hours=1))
                    .astimezone(UTC)
                    .isoformat(),
                    "severity": rng.randint(2, 9),
                    "aura": rng.random() < 0.3,
                    "symptoms": rng.sample(SYMPTOMS, rng.randint(1, 3)),
                    "triggers": rng.sample(TRIGGERS, rng.randint(0, 2)),
                    "acute_medications": rng.sample(MEDICATIONS, rng.randint(0, 1)),
                    "relief": rng.choice(("none", "partial", "complete")),
                    "note": "woke up with it" if rng.random() < 0.2 else None,
                }
            )
            next_episode = day + timedelta(days=rng.randint(3, 9))
        day += timedelta(days=1)
    undo = [{"action": "log_dose", "entry_id": d["id"], "before": None} for d in doses]
    return {
        "created_at": created_at.isoformat(),
        "doses": doses,
        "episodes": episodes,
        "undo": undo[-20:],
    }


def durable_write(path: Path, payload: bytes) -> None:
    """Write a small file the durable way: temporary file, fsync, rename, fsync dir."""
    temporary = path.with_name(f"{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)
    temporary.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def diary_file(config_dir: Path, entry_id: str) -> Path:
    """Return where Home Assistant keeps a diary's file."""
    return config_dir / ".storage" / f"{DOMAIN}.{entry_id}"


def read_diary(path: Path) -> DiaryRecords:
    """Read a diary from disk (snapshot and journal) as the integration does."""
    data = diary_store.read_diary(path)
    assert data is not None
    return DiaryRecords.from_dict(data)


def write_diary_file(config_dir: Path, entry_id: str, data: dict[str, Any]) -> int:
    """Put a diary on disk in the store's layout; return the file's size."""
    wrapper = {
        "version": diary_store.STORAGE_VERSION,
        "minor_version": diary_store.STORAGE_MINOR_VERSION,
        "key": f"{DOMAIN}.{entry_id}",
        "data": data,
    }
    path = diary_file(config_dir, entry_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = orjson.dumps(wrapper, option=orjson.OPT_INDENT_2)
    durable_write(path, payload)
    return len(payload)


# Figures.


@dataclass
class Figure:
    """Timings of one operation, in seconds."""

    name: str
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Return the median."""
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """Return the 95th percentile."""
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    """Return how long one awaited call took."""
    began = time.perf_counter()
    await call()
    return time.perf_counter() - began


def timed_sync(call: Callable[[], Any]) -> float:
    """Return how long one plain call took."""
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def ms(seconds: float) -> str:
    """Format seconds as milliseconds."""
    return f"{seconds * 1000:.2f}"


# Home Assistant.


async def start_hass(config_dir: Path) -> HomeAssistant:
    """Start a Home Assistant core the way bootstrap does, without the frontend."""
    custom = config_dir / "custom_components"
    custom.mkdir(parents=True, exist_ok=True)
    link = custom / DOMAIN
    if not link.exists():
        link.symlink_to(REPO / "custom_components" / DOMAIN)
    hass = HomeAssistant(str(config_dir))
    hass.config.skip_pip = True
    loader.async_setup(hass)
    hass.config_entries = ConfigEntries(hass, {})
    await loader.async_get_custom_components(hass)
    await bootstrap.async_load_base_functionality(hass)
    recorder_helper.async_initialize_recorder(hass)
    core = {"name": "Bench", "time_zone": TIME_ZONE, "unit_system": "metric"}
    assert await async_setup_component(hass, "homeassistant", {"homeassistant": core})
    await core_config.async_process_ha_core_config(hass, core)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert await async_setup_component(
        hass, "http", {"http": {"server_host": "127.0.0.1", "server_port": port}}
    )
    await hass.async_start()
    return hass


def diary_entry(years: int) -> ConfigEntry[Diary]:
    """Return a config entry for a benchmark diary."""
    name = f"Bench {years} years"
    return ConfigEntry(
        data={"name": name},
        discovery_keys=MappingProxyType({}),
        domain=DOMAIN,
        minor_version=1,
        options={
            "medication_name": "Magnesium glycinate",
            "dose_mg": 400,
            "doses_per_day": 1,
        },
        source="user",
        subentries_data=None,
        title=name,
        unique_id=None,
        version=1,
    )


class Bench:
    """One benchmark run."""

    def __init__(
        self, folder: Path, calls: int, rounds: int, sizes: tuple[int, ...]
    ) -> None:
        """Prepare the run."""
        self.folder = folder
        self.calls = calls
        self.rounds = rounds
        self.sizes = sizes
        self.hass: HomeAssistant
        self.entries: dict[int, ConfigEntry[Diary]] = {}
        self.file_sizes: dict[int, int] = {}
        self.counts: dict[int, tuple[int, int]] = {}
        self.figures: dict[str, Figure] = {}
        self.memory: dict[int, tuple[int, int]] = {}
        self.writes: dict[int, float] = {}
        self.notes: list[str] = []

    def figure(self, name: str) -> Figure:
        """Return the figure of that name, made when first asked for."""
        return self.figures.setdefault(name, Figure(name))

    def diary(self, years: int) -> Diary:
        """Return a loaded diary."""
        return self.entries[years].runtime_data

    async def run(self) -> None:
        """Run every part of the benchmark."""
        now = dt_util.utcnow()
        tz = ZoneInfo(TIME_ZONE)
        for years in self.sizes:
            entry = diary_entry(years)
            data = synthetic_diary(years, now, tz, seed=7)
            self.counts[years] = (len(data["doses"]), len(data["episodes"]))
            self.file_sizes[years] = write_diary_file(self.folder, entry.entry_id, data)
            self.entries[years] = entry
        self.hass = await start_hass(self.folder)
        try:
            await self.setups()
            await self.hot_path()
            await self.rollover()
            await self.reads()
            await self.against_history_stats()
        finally:
            await self.hass.async_stop()
        self.memory_use()

    async def setups(self) -> None:
        """Set the diaries up, then time unloading and setting up again."""
        hass = self.hass
        for years, entry in self.entries.items():
            self.figure(f"first setup {years}").samples.append(
                await timed(lambda entry=entry: hass.config_entries.async_add(entry))
            )
            await hass.async_block_till_done()
        for _ in range(5):
            for years, entry in self.entries.items():
                assert await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
                self.figure(f"setup {years}").samples.append(
                    await timed(
                        lambda entry=entry: hass.config_entries.async_setup(
                            entry.entry_id
                        )
                    )
                )
                await hass.async_block_till_done()
                assert entry.state.recoverable or entry.runtime_data is not None

    async def hot_path(self) -> None:
        """Time logging a dose next to the baselines, in interleaved rounds."""
        hass = self.hass
        assert await async_setup_component(
            hass, "counter", {"counter": {"bench": {"initial": 0, "step": 1}}}
        )
        assert await async_setup_component(
            hass,
            "input_datetime",
            {"input_datetime": {"bench": {"has_date": True, "has_time": True}}},
        )
        await hass.async_block_till_done()
        small = self.folder / "small_write"
        payload = orjson.dumps(self.diary(self.sizes[0]).records.as_dict())
        payload = payload[:300] if len(payload) > 300 else payload.ljust(300)

        async def counter() -> None:
            await hass.services.async_call(
                "counter", "increment", {"entity_id": "counter.bench"}, blocking=True
            )

        async def set_datetime() -> None:
            await hass.services.async_call(
                "input_datetime",
                "set_datetime",
                {
                    "entity_id": "input_datetime.bench",
                    "datetime": dt_util.now().replace(microsecond=0).isoformat(),
                },
                blocking=True,
            )

        async def write() -> None:
            await hass.async_add_executor_job(durable_write, small, payload)

        def log_dose(years: int) -> Callable[[], Awaitable[None]]:
            entry_id = self.entries[years].entry_id

            async def call() -> None:
                await hass.services.async_call(
                    DOMAIN,
                    "log_dose",
                    {"config_entry_id": entry_id},
                    blocking=True,
                )

            return call

        operations: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("counter.increment", counter),
            ("input_datetime.set_datetime", set_datetime),
            ("durable small write", write),
            *((f"log_dose {years}", log_dose(years)) for years in self.sizes),
        ]
        for _, operation in operations:
            for _ in range(10):
                await operation()
        per_round = max(1, self.calls // self.rounds)
        for _ in range(self.rounds):
            for name, operation in operations:
                figure = self.figure(name)
                for _ in range(per_round):
                    figure.samples.append(await timed(operation))
        # Check the promise the timings rest on: the last dose is on disk.
        for years in self.sizes:
            diary = self.diary(years)
            stored = await self.hass.async_add_executor_job(
                read_diary, diary.store.path
            )
            assert set(stored.doses) == set(diary.records.doses), (
                f"the {years}-year diary on disk differs from the one in memory"
            )

    async def rollover(self) -> None:
        """Time the midnight refresh: work out a new day's numbers, write states."""
        tz = ZoneInfo(TIME_ZONE)
        first = next_midnight(dt_util.utcnow(), tz) + timedelta(seconds=1)
        second = next_midnight(first, tz) + timedelta(seconds=1)
        for _ in range(self.rounds):
            for years in self.sizes:
                diary = self.diary(years)
                figure = self.figure(f"rollover {years}")
                for n in range(max(2, self.calls // self.rounds // 2)):
                    moment = first if n % 2 else second
                    figure.samples.append(
                        timed_sync(lambda d=diary, m=moment: d.async_refresh(m))
                    )
                diary.async_refresh()
        # Not timed: how many states a rollover writes (the rest are unchanged).
        written: list[Event[Any]] = []
        stop = self.hass.bus.async_listen(EVENT_STATE_CHANGED, written.append)
        for years in self.sizes:
            diary = self.diary(years)
            written.clear()
            for moment in (first, second) * 5:
                diary.async_refresh(moment)
            self.writes[years] = len(written) / 10
            diary.async_refresh()
        stop()
        for years in self.sizes:
            diary = self.diary(years)
            figure = self.figure(f"idle refresh {years}")
            for _ in range(50):
                figure.samples.append(timed_sync(diary.async_refresh))

    async def reads(self) -> None:
        """Time get_entries over the last month and over everything."""
        hass = self.hass
        end = dt_util.now()
        month = {
            "start": (end - timedelta(days=30)).isoformat(),
            "end": end.isoformat(),
        }
        for years in self.sizes:
            entry_id = self.entries[years].entry_id
            for label, span, count in (("month", month, 30), ("all", {}, 10)):
                figure = self.figure(f"get_entries {label} {years}")
                for _ in range(count):

                    async def call(
                        span: dict[str, Any] = span, entry_id: str = entry_id
                    ) -> None:
                        await hass.services.async_call(
                            DOMAIN,
                            "get_entries",
                            {"config_entry_id": entry_id, "kind": "all", **span},
                            blocking=True,
                            return_response=True,
                        )

                    figure.samples.append(await timed(call))

    async def against_history_stats(self) -> None:
        """Compare the adherence sensor's update with history_stats over the recorder."""
        hass = self.hass
        reference = REFERENCE_YEARS if REFERENCE_YEARS in self.sizes else self.sizes[-1]
        assert await async_setup_component(
            hass,
            "recorder",
            {
                "recorder": {
                    "db_url": f"sqlite:///{self.folder / 'home-assistant_v2.db'}",
                    "commit_interval": 1,
                    "auto_purge": False,
                }
            },
        )
        await hass.async_block_till_done()
        database = get_instance(hass)
        await database.async_db_ready
        # The history a user keeps by hand: a toggle turned on when the dose is
        # taken and off at midnight, for the same last 30 days as the diary.
        tz = ZoneInfo(TIME_ZONE)
        diary = self.diary(reference)
        today = dt_util.now().date()
        first = today - timedelta(days=30)
        taken: dict[date, datetime] = {}
        for dose in diary.records.doses.values():
            day = dose.taken_at.astimezone(tz).date()
            if first <= day < today and (
                day not in taken or dose.taken_at < taken[day]
            ):
                taken[day] = dose.taken_at
        toggle = "input_boolean.dose_taken_today"
        hass.states.async_set(
            toggle,
            "off",
            timestamp=datetime.combine(first, clock(), tz).timestamp(),
        )
        for day in sorted(taken):
            hass.states.async_set(toggle, "on", timestamp=taken[day].timestamp())
            midnight = datetime.combine(day + timedelta(days=1), clock(), tz)
            hass.states.async_set(toggle, "off", timestamp=midnight.timestamp())
        await hass.async_block_till_done()
        await database.async_block_till_done()
        history_entry: ConfigEntry[Any] = ConfigEntry(
            data={},
            discovery_keys=MappingProxyType({}),
            domain="history_stats",
            minor_version=1,
            options={
                "name": "Dose taken 30d",
                "entity_id": toggle,
                "state": ["on"],
                "type": "ratio",
                "start": "{{ now() - timedelta(days=30) }}",
                "end": "{{ now() }}",
            },
            source="user",
            subentries_data=None,
            title="Dose taken 30d",
            unique_id=None,
            version=1,
        )
        await hass.config_entries.async_add(history_entry)
        await hass.async_block_till_done()
        coordinator = history_entry.runtime_data
        history_sensor = next(
            entry.entity_id
            for entry in er.async_entries_for_config_entry(
                er.async_get(hass), history_entry.entry_id
            )
        )
        adherence_sensor = next(
            entry.entity_id
            for entry in er.async_entries_for_config_entry(
                er.async_get(hass), self.entries[reference].entry_id
            )
            if entry.unique_id.endswith("_dose_adherence_30d")
        )
        history_figure = self.figure("history_stats update")
        ours = self.figure("adherence update, new day (recorder on)")
        samples = max(5, min(20, self.calls // 10))
        days = (
            next_midnight(dt_util.utcnow(), tz) + timedelta(seconds=1),
            next_midnight(dt_util.utcnow(), tz) + timedelta(days=1, seconds=1),
        )
        for n in range(samples):
            # A rolling window moves with the clock: wait for the next second
            # so that each update is a real one, as every minute's is.
            await asyncio.sleep(1.05 - time.time() % 1)
            history_figure.samples.append(await timed(coordinator.async_refresh))
            # Ours changes when the day does: its numbers are all worked out
            # again and the changed ones written, as at midnight.
            for moment in days if n % 2 else days[::-1]:
                ours.samples.append(
                    timed_sync(lambda moment=moment: diary.async_refresh(moment))
                )
        diary.async_refresh()
        value = hass.states.get(history_sensor)
        adherence = hass.states.get(adherence_sensor)
        self.notes.append(
            f"history_stats ratio over {len(taken)} dosed days of 30: "
            f"{value.state if value else '?'} %; the diary's 30-day adherence: "
            f"{adherence.state if adherence else '?'} %"
        )

        # The hot path once more, now that the recorder writes every state change.
        async def counter() -> None:
            await hass.services.async_call(
                "counter", "increment", {"entity_id": "counter.bench"}, blocking=True
            )

        async def log_dose() -> None:
            await hass.services.async_call(
                DOMAIN,
                "log_dose",
                {"config_entry_id": self.entries[reference].entry_id},
                blocking=True,
            )

        for _ in range(self.rounds):
            for name, operation in (
                ("counter.increment (recorder on)", counter),
                (f"log_dose {reference} (recorder on)", log_dose),
            ):
                figure = self.figure(name)
                for _ in range(max(1, self.calls // self.rounds // 2)):
                    figure.samples.append(await timed(operation))

    def memory_use(self) -> None:
        """Measure what loading each diary allocates, and what it keeps."""
        tz = ZoneInfo(TIME_ZONE)
        for years, entry in self.entries.items():
            path = diary_file(self.folder, entry.entry_id)
            gc.collect()
            tracemalloc.start()
            records = read_diary(path)
            index = DayIndex.build(records, tz)
            timeline = Timeline(records.doses.values(), records.episodes.values())
            gc.collect()
            kept, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert index is not None
            assert timeline is not None
            self.memory[years] = (kept, peak)


# The report.


@dataclass
class Target:
    """One promise and whether this run kept it."""

    text: str
    held: bool
    figures: str


def targets(bench: Bench) -> list[Target]:
    """Check the targets against the figures."""
    f = bench.figures
    ref = REFERENCE_YEARS if REFERENCE_YEARS in bench.sizes else bench.sizes[-1]
    empty = bench.sizes[0]
    budget = f["counter.increment"].median + f["durable small write"].median
    log_ref = f[f"log_dose {ref}"].median
    log_empty = f[f"log_dose {empty}"].median
    roll_ref = f[f"rollover {ref}"].median
    roll_empty = f[f"rollover {empty}"].median
    setup_ref = f[f"setup {ref}"].median
    history = f["history_stats update"].median
    adherence = f["adherence update, new day (recorder on)"].median
    return [
        Target(
            f"log_dose ({ref} y) <= 1.5 x (counter.increment + durable small write)",
            log_ref <= 1.5 * budget,
            f"{ms(log_ref)} ms vs 1.5 x {ms(budget)} ms = {ms(1.5 * budget)} ms "
            f"(ratio {log_ref / budget:.2f})",
        ),
        Target(
            f"log_dose: {ref}-year diary <= 1.5 x empty",
            log_ref <= 1.5 * log_empty,
            f"{ms(log_ref)} ms vs {ms(log_empty)} ms (ratio {log_ref / log_empty:.2f})",
        ),
        Target(
            f"midnight rollover: {ref}-year diary <= 1.5 x empty",
            roll_ref <= 1.5 * roll_empty,
            f"{ms(roll_ref)} ms vs {ms(roll_empty)} ms "
            f"(ratio {roll_ref / roll_empty:.2f})",
        ),
        Target(
            f"setup of a {ref}-year diary <= 100 ms",
            setup_ref <= 0.100,
            f"{ms(setup_ref)} ms",
        ),
        Target(
            "adherence update >= 10 x faster than history_stats",
            history >= 10 * adherence,
            f"{ms(adherence)} ms vs {ms(history)} ms "
            f"({history / adherence:.1f} x faster)",
        ),
    ]


def report(bench: Bench, load: tuple[float, float, float], wall: float) -> str:
    """Return the printed report."""
    f = bench.figures
    lines = [
        "Migraine Tracker benchmark",
        (
            f"machine: {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {platform.system()} "
            f"{platform.release()}; load before: "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        ),
        f"config folder: {bench.folder}",
        "",
        "diaries:",
    ]
    for years in bench.sizes:
        doses, episodes = bench.counts[years]
        kept, peak = bench.memory.get(years, (0, 0))
        lines.append(
            f"  {years:>2} years: {doses:>6} doses, {episodes:>5} episodes, "
            f"file {bench.file_sizes[years] / 1024:>7.0f} KiB, "
            f"memory kept {kept / 2**20:6.2f} MiB (peak while loading "
            f"{peak / 2**20:6.2f} MiB)"
        )
    header = f"{'operation':<44}" + "".join(
        f"{f'{years} y':>16}" for years in bench.sizes
    )
    lines += ["", "median / p95 in ms:", header, "-" * len(header)]

    def cells(name: str) -> str:
        out = ""
        for years in bench.sizes:
            figure = f.get(f"{name} {years}")
            out += f"{f'{ms(figure.median)} / {ms(figure.p95)}' if figure else '-':>16}"
        return out

    lines.append(
        f"{'states a rollover writes (of 11)':<44}"
        + "".join(f"{bench.writes.get(years, 0):>16.1f}" for years in bench.sizes)
    )
    for label, name in (
        ("setup of the config entry (warm)", "setup"),
        ("setup of the config entry (first, cold)", "first setup"),
        ("log_dose: call -> states written, on disk", "log_dose"),
        ("midnight rollover (refresh, states written)", "rollover"),
        ("refresh, no value changed", "idle refresh"),
        ("get_entries, last 30 days", "get_entries month"),
        ("get_entries, everything", "get_entries all"),
    ):
        lines.append(f"{label:<44}{cells(name)}")
    lines += ["", "baselines and comparisons (median / p95 in ms):"]
    for name in (
        "counter.increment",
        "input_datetime.set_datetime",
        "durable small write",
        "counter.increment (recorder on)",
        f"log_dose {REFERENCE_YEARS} (recorder on)",
        "history_stats update",
        "adherence update, new day (recorder on)",
    ):
        if (figure := f.get(name)) is not None:
            lines.append(
                f"  {name:<42}{ms(figure.median):>9} / {ms(figure.p95):<9}"
                f"(n={len(figure.samples)})"
            )
    lines += ["", *bench.notes, "", "targets:"]
    for target in targets(bench):
        lines.append(
            f"  {'PASS' if target.held else 'MISS'}  {target.text}: {target.figures}"
        )
    lines.append(f"\nwhole run: {wall:.0f} s")
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calls", type=int, default=200, help="log_dose calls per diary"
    )
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="diary sizes in years, comma separated, smallest first",
    )
    parser.add_argument("--dir", type=Path, help="config folder to use (kept)")
    args = parser.parse_args()
    sizes = tuple(int(years) for years in args.sizes.split(","))
    folder = args.dir or Path(tempfile.mkdtemp(prefix="migraine_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    began = time.monotonic()
    bench = Bench(folder, args.calls, args.rounds, sizes)
    asyncio.set_event_loop_policy(runner.HassEventLoopPolicy(False))
    try:
        asyncio.run(bench.run())
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(report(bench, load, time.monotonic() - began))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
