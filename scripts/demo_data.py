"""Write a demo diary and dashboard into a Home Assistant config folder.

Run by `scripts/develop --demo` before Home Assistant starts (it must not be
running: this writes its storage files). When the config has no Migraine
Tracker diary yet, it adds one named Alex (a config entry and its diary file)
with about four months of doses and migraine episodes. Either way it installs
the "Migraine diary" dashboard from dashboards/migraine_tracker.yaml as a
storage dashboard at /migraine-diary, replacing that dashboard's previous copy.

    .venv/bin/python scripts/demo_data.py [config folder, default: config]
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
import json
from pathlib import Path
import random
import sys
from typing import Any
import uuid
from zoneinfo import ZoneInfo

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from custom_components.migraine_tracker.records import DiaryRecords  # noqa: E402
from custom_components.migraine_tracker.stats import DayIndex, local_date  # noqa: E402

DOMAIN = "migraine_tracker"
NAME = "Alex"
DAYS = 120
DASHBOARD_URL = "migraine-diary"
DASHBOARD_ID = "migraine_diary"

TRIGGERS = (
    "poor sleep",
    "stress",
    "skipped meal",
    "red wine",
    "weather change",
    "bright light",
    "menstruation",
    "screen time",
)
SYMPTOMS = (
    "throbbing pain",
    "nausea",
    "light sensitivity",
    "sound sensitivity",
    "neck stiffness",
    "fatigue",
)
ACUTE = ("ibuprofen 400 mg", "sumatriptan 50 mg", "paracetamol 1000 mg")
NOTES = (
    "Woke up with it.",
    "Started after a long meeting.",
    "Had to lie down in a dark room.",
    "Better after a nap.",
    "Left work early.",
    None,
    None,
    None,
)


def say(message: str) -> None:
    """Tell the developer what was done."""
    print(message)  # noqa: T201


def read_json(path: Path) -> Any:
    """Return a JSON file's content, None when there is no such file."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def write_json(path: Path, content: Any) -> None:
    """Write a storage file the way Home Assistant would (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp")
    temporary.write_text(json.dumps(content, indent=2, ensure_ascii=False))
    temporary.chmod(0o600)
    temporary.replace(path)


def time_zone(config: Path) -> ZoneInfo:
    """Return the dev instance's time zone (configuration.yaml), else Berlin."""
    try:
        text = (config / "configuration.yaml").read_text()
    except FileNotFoundError:
        return ZoneInfo("Europe/Berlin")
    for line in text.splitlines():
        key, _, value = line.strip().partition(":")
        if key == "time_zone" and value.strip():
            return ZoneInfo(value.strip().strip("\"'"))
    return ZoneInfo("Europe/Berlin")


def demo_diary(now: datetime, tz: ZoneInfo, seed: int = 7) -> dict[str, Any]:
    """Return diary data: a dose most mornings, a migraine every 5-10 days."""
    rng = random.Random(seed)
    today = now.astimezone(tz).date()
    first = today - timedelta(days=DAYS)

    def moment(day: date, hour: float) -> datetime:
        local = datetime.combine(day, time(), tzinfo=tz) + timedelta(hours=hour)
        return local.astimezone(UTC)

    doses: list[dict[str, Any]] = []
    # Today's dose is left for the Log dose button.
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        # Adherence dips for a week in the middle, as on a holiday.
        missed = rng.random() < (0.45 if DAYS // 2 <= offset < DAYS // 2 + 7 else 0.07)
        if missed:
            continue
        doses.append(
            {
                "id": uuid.uuid4().hex,
                "taken_at": moment(day, rng.gauss(8.0, 0.6)).isoformat(),
                "amount_mg": 400,
                "note": "with breakfast" if rng.random() < 0.1 else None,
            }
        )

    episodes: list[dict[str, Any]] = []
    offset = rng.randint(2, 6)
    while offset < DAYS - 2:
        day = first + timedelta(days=offset)
        started = moment(day, rng.uniform(6, 20))
        ended = started + timedelta(hours=rng.uniform(3, 26))
        ended = min(ended, now - timedelta(days=1))
        severity = min(10, max(2, round(rng.gauss(6, 1.8))))
        relief = rng.choice(("none", "partial", "partial", "complete"))
        episodes.append(
            {
                "id": uuid.uuid4().hex,
                "started_at": started.isoformat(),
                "ended_at": max(ended, started).isoformat(),
                "severity": severity,
                "aura": rng.random() < 0.25,
                "symptoms": rng.sample(SYMPTOMS, rng.randint(1, 3)),
                "triggers": rng.sample(TRIGGERS, rng.randint(0, 2)),
                "acute_medications": rng.sample(ACUTE, 1) if severity >= 5 else [],
                "relief": relief if severity >= 5 else None,
                "note": rng.choice(NOTES),
            }
        )
        offset += rng.randint(5, 10)

    data = {
        "created_at": moment(first, 7).isoformat(),
        "doses": doses,
        "episodes": episodes,
        "undo": [],
    }
    DiaryRecords.from_dict(data)  # the integration must accept it
    return data


# Sensors whose past values follow from the diary alone, as (key, unit).
PAST_SERIES = (
    ("migraine_days_30d", "d"),
    ("dose_adherence_30d", "%"),
    ("dose_adherence_7d", "%"),
)


def past_statistics(
    data: dict[str, Any], tz: ZoneInfo, now: datetime, slug: str = "alex"
) -> list[dict[str, Any]]:
    """Return `recorder/import_statistics` messages for the diary's past days.

    A new Home Assistant has no history; these give the statistics graphs of
    the dashboard the values the sensors would have had, one per day (the
    day's last hour), worked out by the integration's own day arithmetic.
    """
    records = DiaryRecords.from_dict(data)
    index = DayIndex.build(records, tz)
    created_on = local_date(records.created_at, tz)
    rows: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in PAST_SERIES}
    day = created_on
    while day < now.astimezone(tz).date():
        stats = index.stats(today=day, doses_per_day=1, created_on=created_on)
        start = datetime.combine(day, time(23), tzinfo=tz).astimezone(UTC)
        for key, _ in PAST_SERIES:
            if (value := getattr(stats, key)) is not None:
                rows[key].append(
                    {
                        "start": start.isoformat(),
                        "mean": value,
                        "min": value,
                        "max": value,
                    }
                )
        day += timedelta(days=1)
    return [
        {
            "type": "recorder/import_statistics",
            "metadata": {
                "has_mean": True,
                "has_sum": False,
                "name": None,
                "source": "recorder",
                "statistic_id": f"sensor.{slug}_{key}",
                "unit_of_measurement": unit,
            },
            "stats": rows[key],
        }
        for key, unit in PAST_SERIES
    ]


def config_entry(entry_id: str, now: datetime) -> dict[str, Any]:
    """Return the stored form of Alex's config entry."""
    return {
        "created_at": now.isoformat(),
        "data": {"name": NAME},
        "discovery_keys": {},
        "disabled_by": None,
        "domain": DOMAIN,
        "entry_id": entry_id,
        "minor_version": 1,
        "modified_at": now.isoformat(),
        "options": {
            "medication_name": "Magnesium glycinate",
            "dose_mg": 400,
            "doses_per_day": 1,
        },
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": [],
        "title": NAME,
        "unique_id": None,
        "version": 1,
    }


def add_diary(storage: Path, now: datetime, tz: ZoneInfo) -> str | None:
    """Add Alex's diary unless a diary exists; return the new entry's id."""
    path = storage / "core.config_entries"
    stored = read_json(path) or {
        "version": 1,
        "minor_version": 5,
        "key": "core.config_entries",
        "data": {"entries": []},
    }
    entries = stored["data"]["entries"]
    if any(entry["domain"] == DOMAIN for entry in entries):
        return None
    entry_id = uuid.uuid4().hex.upper()[:26]
    diary = demo_diary(now, tz)
    write_json(
        storage / f"{DOMAIN}.{entry_id}",
        {
            "version": 1,
            "minor_version": 1,
            "key": f"{DOMAIN}.{entry_id}",
            "data": diary,
        },
    )
    entries.append(config_entry(entry_id, now))
    write_json(path, stored)
    say(
        f"Added the demo diary of {NAME}: {len(diary['doses'])} doses, "
        f"{len(diary['episodes'])} migraine episodes over {DAYS} days."
    )
    return entry_id


def install_dashboard(storage: Path) -> None:
    """Install (or refresh) the Migraine diary dashboard in storage mode."""
    dashboard = yaml.safe_load(
        (REPO / "dashboards" / "migraine_tracker.yaml").read_text()
    )
    path = storage / "lovelace_dashboards"
    stored = read_json(path) or {
        "version": 1,
        "minor_version": 1,
        "key": "lovelace_dashboards",
        "data": {"items": []},
    }
    items = [item for item in stored["data"]["items"] if item["id"] != DASHBOARD_ID]
    items.append(
        {
            "id": DASHBOARD_ID,
            "icon": "mdi:head-heart-outline",
            "mode": "storage",
            "require_admin": False,
            "show_in_sidebar": True,
            "title": dashboard.get("title", "Migraine diary"),
            "url_path": DASHBOARD_URL,
        }
    )
    stored["data"]["items"] = items
    write_json(path, stored)
    write_json(
        storage / f"lovelace.{DASHBOARD_ID}",
        {
            "version": 1,
            "minor_version": 1,
            "key": f"lovelace.{DASHBOARD_ID}",
            "data": {"config": dashboard},
        },
    )
    say(f"Installed the dashboard at /{DASHBOARD_URL}.")


def main() -> None:
    """Write the demo into the config folder given (default: config)."""
    config = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "config")
    storage = config / ".storage"
    now = datetime.now(UTC)
    if add_diary(storage, now, time_zone(config)) is None:
        say("A Migraine Tracker diary exists already; it was left as it is.")
    install_dashboard(storage)


if __name__ == "__main__":
    main()
