"""Random and hostile payloads at every service: refused cleanly or kept sane.

Each example calls one service with generated data (wrong types, huge strings,
unicode, naive and aware times, far past and future, unknown ids, lists of odd
items). The call must either succeed, or fail with Home Assistant's standard
validation error (`vol.Invalid`), or with a `ServiceValidationError` of this
integration whose message exists in strings.json. A refused call must leave
the diary file byte for byte as it was; after every example the file must
parse and keep every rule of the diary.

FUZZ_EXAMPLES sets the examples per service (default 200; `scripts/fuzz` runs
3000). Hypothesis runs in an executor thread and hands each call to the event
loop of the test's Home Assistant, so one instance serves thousands of
examples.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import copy
from datetime import UTC, datetime, timedelta
import json
import os
from pathlib import Path
import time
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.migraine_tracker.const import (
    DOMAIN,
    DOSE_MG_MAX,
    DOSE_MG_MIN,
    FUTURE_TOLERANCE,
    LIST_ITEM_MAX_LENGTH,
    LIST_MAX_ITEMS,
    NOTE_MAX_LENGTH,
    SEVERITY_MAX,
    SEVERITY_MIN,
)
from custom_components.migraine_tracker.diary import Diary
from custom_components.migraine_tracker.records import (
    DOSE_FIELDS,
    EPISODE_FIELDS,
    RELIEF_VALUES,
    DiaryRecords,
)
from custom_components.migraine_tracker.store import DiaryStore
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .conftest import make_entry, setup_entry
from .diary_files import diary_files, stored_data

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
STRINGS = json.loads(
    (
        Path(__file__).parents[1]
        / "custom_components"
        / "migraine_tracker"
        / "strings.json"
    ).read_text(encoding="utf-8")
)
EXCEPTIONS: dict[str, dict[str, str]] = STRINGS["exceptions"]
SERVICES = (
    "log_dose",
    "log_episode",
    "end_episode",
    "update_entry",
    "delete_entry",
    "undo_last",
    "get_entries",
)
BASE_IDS = ("dose-a", "dose-b", "episode-a", "episode-b")

# Values of every odd kind a caller might send.
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u202e\u200b",
        "🙂" * 61,
        "x" * (NOTE_MAX_LENGTH + 1),
        "ü" * NOTE_MAX_LENGTH,
        "a" * 100_000,
        "None",
        "null",
        "true",
        "NaN",
        "1e309",
        "-0",
        "0x10",
        "400 mg",
        " 400 ",
        "²",
        "٤٠٠",
        "<script>",
        "../../etc/passwd",
        "{{ 1 }}",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(),
    st.text(max_size=70),
    ODD_TEXT,
    st.binary(max_size=8),
    st.dates(),
    st.timedeltas(),
)
HOSTILE = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(st.text(max_size=6), children, max_size=3)
        | st.tuples(children, children)
    ),
    max_leaves=10,
)
TIME_TEXT = st.sampled_from(
    [
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T00:00:00-12:00",
        "9999-12-31T23:59:59",
        "9999-12-31T23:59:59+14:00",
        "9999-12-31T23:59:59.999999-12:00",
        "1970-01-01T00:00:00Z",
        "2026-02-30T10:00:00",
        "2026-13-01",
        "2026-03-29T02:30:00",
        "2026-10-25T02:30:00",
        "24:00",
        "now",
        "today",
        "",
    ]
)
ZONES = st.sampled_from(
    [
        UTC,
        ZoneInfo("Europe/Berlin"),
        ZoneInfo("Pacific/Kiritimati"),
        ZoneInfo("Etc/GMT+12"),
    ]
)


def times(now: datetime) -> st.SearchStrategy[Any]:
    """Return times near now (up to 10 minutes ahead) in every form."""
    near = st.integers(min_value=-90 * 86400, max_value=10 * 60).map(
        lambda seconds: now + timedelta(seconds=seconds)
    )
    return st.tuples(near, ZONES, st.integers(0, 4)).map(_time_form)


ODD_TIMES = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31, 23, 59, 59),
        timezones=st.none() | ZONES,
    ),
    TIME_TEXT,
    HOSTILE,
)


def _time_form(args: tuple[datetime, Any, int]) -> Any:
    """Show a moment as an aware or naive datetime or ISO text."""
    moment, zone, form = args
    local = moment.astimezone(zone)
    naive_local = dt_util.as_local(moment).replace(tzinfo=None)
    return [
        local,
        local.isoformat(),
        naive_local,
        naive_local.isoformat(),
        naive_local.isoformat(sep=" ", timespec="minutes"),
    ][form]


WORDS = st.one_of(
    st.sampled_from(["nausea", " nausea ", "", "aura", "Übelkeit", "光"]),
    st.text(max_size=LIST_ITEM_MAX_LENGTH),
)


def field_strategies(
    now: datetime,
) -> dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]]:
    """Return (plausible, hostile) strategies for every field any service knows."""
    lists = (
        st.one_of(st.lists(WORDS, max_size=LIST_MAX_ITEMS), WORDS),
        st.one_of(
            st.lists(WORDS, min_size=LIST_MAX_ITEMS + 1, max_size=LIST_MAX_ITEMS + 5),
            st.lists(
                st.text(min_size=LIST_ITEM_MAX_LENGTH + 1, max_size=200), min_size=1
            ),
            st.lists(HOSTILE, min_size=1, max_size=4),
            HOSTILE,
        ),
    )
    when = (times(now), ODD_TIMES)
    return {
        "amount_mg": (
            st.integers(DOSE_MG_MIN, DOSE_MG_MAX)
            | st.sampled_from([400.0, "400", " 250 ", "1e3"]),
            st.sampled_from([0, -1, DOSE_MG_MAX + 1, 400.5, True, "400 mg", "NaN"])
            | HOSTILE,
        ),
        "taken_at": when,
        "started_at": when,
        "ended_at": when,
        "note": (
            st.text(max_size=80) | st.sampled_from(["", " ", "ü" * NOTE_MAX_LENGTH]),
            ODD_TEXT | HOSTILE,
        ),
        "severity": (
            st.integers(SEVERITY_MIN, SEVERITY_MAX) | st.sampled_from(["7", 7.0]),
            st.sampled_from([-1, SEVERITY_MAX + 1, 7.5, False, "ten"]) | HOSTILE,
        ),
        "aura": (
            st.booleans() | st.sampled_from(["on", "off", "yes", 1, 0]),
            st.sampled_from(["maybe", 2, -1]) | HOSTILE,
        ),
        "symptoms": lists,
        "triggers": lists,
        "acute_medications": lists,
        "relief": (
            st.sampled_from(RELIEF_VALUES),
            st.sampled_from(["None", "PARTIAL", "full", ""]) | HOSTILE,
        ),
        "entry_id": (
            st.sampled_from([*BASE_IDS, "dose-z"]),
            st.sampled_from(["", "DOSE-A", " dose-a"]) | HOSTILE,
        ),
        "start": when,
        "end": when,
        "kind": (
            st.sampled_from(["dose", "episode", "all"]),
            st.sampled_from(["doses", "", "ALL"]) | HOSTILE,
        ),
    }


DOSE_FIELD_NAMES = tuple(sorted(DOSE_FIELDS))
EPISODE_FIELD_NAMES = tuple(sorted(EPISODE_FIELDS))
SERVICE_FIELDS: dict[str, tuple[str, ...]] = {
    "log_dose": DOSE_FIELD_NAMES,
    "log_episode": EPISODE_FIELD_NAMES,
    "end_episode": ("ended_at", "severity", "relief", "note"),
    "update_entry": ("entry_id", *sorted(DOSE_FIELDS | EPISODE_FIELDS)),
    "delete_entry": ("entry_id",),
    "undo_last": (),
    "get_entries": ("start", "end", "kind"),
}


def payloads(
    service: str, now: datetime, entry_id: str
) -> st.SearchStrategy[dict[str, Any]]:
    """Return payloads for a service, from plausible to wholly hostile.

    Half are plausible (they reach the diary's rules), a quarter have one
    hostile field, a quarter any mix; one in ten carries an unknown key.
    """
    fields = field_strategies(now)
    names = SERVICE_FIELDS[service]
    calm = st.fixed_dictionaries({}, optional={n: fields[n][0] for n in names})
    if service in ("update_entry", "delete_entry"):
        # An id of the right kind and fields of that kind reach the diary's rules.
        calm = st.one_of(
            *(
                st.fixed_dictionaries(
                    {"entry_id": st.sampled_from(ids)},
                    optional={n: fields[n][0] for n in kind_fields},
                )
                for ids, kind_fields in (
                    (("dose-a", "dose-b"), DOSE_FIELD_NAMES),
                    (("episode-a", "episode-b"), EPISODE_FIELD_NAMES),
                )
            )
        )
        if service == "delete_entry":
            calm = calm.map(lambda data: {"entry_id": data["entry_id"]})
    wild = st.fixed_dictionaries(
        {}, optional={n: fields[n][0] | fields[n][1] for n in names}
    )
    one_odd = (
        st.tuples(calm, st.sampled_from(names)).flatmap(
            lambda pair: fields[pair[1]][1].map(
                lambda value: pair[0] | {pair[1]: value}
            )
        )
        if names
        else calm
    )
    body = st.one_of(calm, calm, one_odd, wild)
    diary = st.one_of(
        st.just({}),
        st.just({"config_entry_id": entry_id}),
        st.just({"config_entry_id": entry_id}),
        st.fixed_dictionaries(
            {
                "config_entry_id": st.sampled_from(["", "nope", entry_id.lower()])
                | HOSTILE
            }
        ),
    )
    extra = st.sampled_from([*[False] * 9, True]).flatmap(
        lambda unknown_key: (
            st.dictionaries(
                st.sampled_from(["bogus", "id", "Note", " note", "amount", *fields]),
                HOSTILE,
                min_size=1,
                max_size=2,
            )
            if unknown_key
            else st.just({})
        )
    )
    return st.tuples(body, diary, extra).map(
        lambda parts: parts[2] | parts[0] | parts[1]
    )


def base_data(now: datetime, ongoing: bool) -> dict[str, Any]:
    """Return a small diary to start each example from."""
    records: dict[str, Any] = {
        "created_at": (now - timedelta(days=60)).isoformat(),
        "doses": [
            {
                "id": "dose-a",
                "taken_at": (now - timedelta(days=1)).isoformat(),
                "amount_mg": 400,
                "note": "with food",
            },
            {
                "id": "dose-b",
                "taken_at": (now - timedelta(days=3)).isoformat(),
                "amount_mg": 200,
                "note": None,
            },
        ],
        "episodes": [
            {
                "id": "episode-a",
                "started_at": (now - timedelta(days=5)).isoformat(),
                "ended_at": (now - timedelta(days=5, hours=-4)).isoformat(),
                "severity": 6,
                "aura": True,
                "symptoms": ["nausea"],
                "triggers": ["sleep"],
                "acute_medications": [],
                "relief": "partial",
                "note": None,
            },
            {
                "id": "episode-b",
                "started_at": (now - timedelta(hours=2)).isoformat(),
                "ended_at": None if ongoing else (now - timedelta(hours=1)).isoformat(),
                "severity": None,
                "aura": None,
                "symptoms": [],
                "triggers": [],
                "acute_medications": [],
                "relief": None,
                "note": None,
            },
        ],
        "undo": [
            {"action": "log_dose", "entry_id": "dose-b", "before": None},
            {"action": "log_dose", "entry_id": "dose-a", "before": None},
            {"action": "log_episode", "entry_id": "episode-b", "before": None},
        ],
    }
    return records


def check_invariants(
    records: DiaryRecords, data: dict[str, Any], now: datetime
) -> None:
    """Assert every rule a stored diary keeps."""
    ids = [item["id"] for item in data["doses"] + data["episodes"]]
    assert len(ids) == len(set(ids)), "ids unique"
    assert len(records.doses) + len(records.episodes) == len(ids)
    latest = now + FUTURE_TOLERANCE + timedelta(minutes=1)
    for dose in records.doses.values():
        assert DOSE_MG_MIN <= dose.amount_mg <= DOSE_MG_MAX
        assert dose.taken_at.tzinfo is not None
        assert dose.taken_at <= latest
        assert dose.note is None or 0 < len(dose.note) <= NOTE_MAX_LENGTH
    ongoing = [e for e in records.episodes.values() if e.ended_at is None]
    assert len(ongoing) <= 1, "at most one ongoing"
    for episode in records.episodes.values():
        assert episode.started_at.tzinfo is not None
        assert episode.started_at <= latest
        if episode.ended_at is not None:
            assert episode.ended_at >= episode.started_at, "end >= start"
            assert episode.ended_at <= latest
        assert (
            episode.severity is None or SEVERITY_MIN <= episode.severity <= SEVERITY_MAX
        )
        assert episode.relief is None or episode.relief in RELIEF_VALUES
        assert episode.note is None or 0 < len(episode.note) <= NOTE_MAX_LENGTH
        for items in (episode.symptoms, episode.triggers, episode.acute_medications):
            assert len(items) <= LIST_MAX_ITEMS
            assert all(0 < len(item) <= LIST_ITEM_MAX_LENGTH for item in items)
    assert len(records.undo_stack) <= 100


def _by_id(data: dict[str, Any]) -> dict[str, Any]:
    """Return diary data with its entries in id order (their order is not kept)."""
    return data | {
        kind: sorted(data[kind], key=lambda item: item["id"])
        for kind in ("doses", "episodes")
    }


class Fuzzer:
    """Runs examples against one diary of one Home Assistant instance."""

    def __init__(self, hass: HomeAssistant, entry: MockConfigEntry) -> None:
        """Remember the diary and its file."""
        self.hass = hass
        self.entry = entry
        self.diary: Diary = entry.runtime_data
        self.now = dt_util.utcnow()
        self.outcomes: Counter[str] = Counter()
        self.dirty = True
        self.base_ongoing = False

    async def reset(self, ongoing: bool) -> None:
        """Put the small base diary on disk and load it, as after a restart."""
        entry_id = self.entry.entry_id
        assert await self.hass.config_entries.async_unload(entry_id)
        await DiaryStore(self.hass, entry_id).async_save(base_data(self.now, ongoing))
        assert await self.hass.config_entries.async_setup(entry_id)
        self.diary = self.entry.runtime_data
        self.dirty = False
        self.base_ongoing = ongoing

    async def example(
        self, service: str, data: dict[str, Any], ongoing: bool, respond: bool
    ) -> None:
        """Call one service with one payload and check what it left behind."""
        if self.dirty or ongoing != self.base_ongoing:
            await self.reset(ongoing)
        before = diary_files(self.hass, self.entry.entry_id)
        refusal: Exception | None = None
        try:
            response = await self.hass.services.async_call(
                DOMAIN,
                service,
                copy.deepcopy(data),
                blocking=True,
                return_response=respond or service == "get_entries",
            )
        except (vol.Invalid, ServiceValidationError) as err:
            refusal = err
        if refusal is not None:
            self.outcomes[self._refused(refusal)] += 1
            assert diary_files(self.hass, self.entry.entry_id) == before, (
                "a refused call changed the diary's files"
            )
            return
        self.outcomes["accepted"] += 1
        if service != "get_entries":
            self.dirty = True
        if respond or service == "get_entries":
            assert isinstance(response, dict)
        data = await stored_data(self.hass, self.entry.entry_id)
        records = DiaryRecords.from_dict(data)
        check_invariants(records, data, dt_util.utcnow())
        # What is on disk is what the diary holds in memory.
        assert _by_id(records.as_dict()) == _by_id(self.diary.records.as_dict())

    @staticmethod
    def _refused(err: Exception) -> str:
        """Check a refusal is a standard or a translated one; name its kind."""
        if isinstance(err, vol.Invalid):
            return "schema error"
        assert isinstance(err, ServiceValidationError)
        assert err.translation_domain == DOMAIN, err
        assert err.translation_key in EXCEPTIONS, err.translation_key
        # Every placeholder of the message is given.
        EXCEPTIONS[err.translation_key]["message"].format(
            **(err.translation_placeholders or {})
        )
        return f"rule error: {err.translation_key}"


@pytest.mark.parametrize("service", SERVICES)
async def test_fuzz_service(hass: HomeAssistant, service: str) -> None:
    """Generated payloads never break a rule, crash, or corrupt the file."""
    entry = await setup_entry(hass, make_entry("Fuzz"))
    fuzzer = Fuzzer(hass, entry)
    loop = hass.loop

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        data=payloads(service, fuzzer.now, entry.entry_id),
        ongoing=st.booleans(),
        respond=st.booleans(),
    )
    def run(data: dict[str, Any], ongoing: bool, respond: bool) -> None:
        """Hand one example to the event loop and wait for it."""
        asyncio.run_coroutine_threadsafe(
            fuzzer.example(service, data, ongoing, respond), loop
        ).result(60)

    began = time.perf_counter()
    await hass.async_add_executor_job(run)
    elapsed = time.perf_counter() - began
    await hass.async_block_till_done()

    total = sum(fuzzer.outcomes.values())
    print(  # noqa: T201
        f"\nfuzz {service}: {total} examples in {elapsed:.1f} s "
        f"({elapsed / max(total, 1) * 1000:.1f} ms each): "
        + ", ".join(f"{name} {count}" for name, count in fuzzer.outcomes.most_common())
    )
    assert total >= min(EXAMPLES, 50)
    # The generator reaches past the schema for every service.
    if service != "undo_last":
        assert fuzzer.outcomes["schema error"] < total


@pytest.mark.parametrize(
    ("service", "field", "value"),
    [
        ("get_entries", "start", "0001-01-01T00:00:00"),
        ("get_entries", "end", "9999-12-31T23:59:59-12:00"),
        ("log_dose", "taken_at", "0001-01-01T00:00:00"),
        ("log_episode", "started_at", "0001-01-01T00:10:00"),
        ("end_episode", "ended_at", "9999-12-31T23:59:59.999999-12:00"),
    ],
)
async def test_times_beyond_the_calendar_are_schema_errors(
    hass: HomeAssistant, service: str, field: str, value: str
) -> None:
    """Times that cannot be placed in UTC or local time are refused by the schema.

    Found by the fuzzer: year 1 in Berlin is year 0 in UTC, which does not exist.
    """
    entry = await setup_entry(hass, make_entry("Fuzz"))
    before = diary_files(hass, entry.entry_id)
    with pytest.raises(vol.Invalid, match="out of range"):
        await hass.services.async_call(
            DOMAIN,
            service,
            {field: value},
            blocking=True,
            return_response=service == "get_entries",
        )
    assert diary_files(hass, entry.entry_id) == before
