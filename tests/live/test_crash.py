"""Crash safety against a real Home Assistant process (run by scripts/crashtest).

Not part of the quick suite (pyproject's norecursedirs skips tests/live).
CRASH_KILLS sets how often the process is killed (default 60).
"""

from __future__ import annotations

import os
from pathlib import Path

from .crash import run_crash_test


def test_killed_process_loses_nothing(config_dir: Path) -> None:
    """SIGKILL right after calls return never loses an acknowledged entry."""
    kills = int(os.environ.get("CRASH_KILLS", "60"))
    report = run_crash_test(kills, config_dir / "hass")
    print(report.summary())  # noqa: T201
    assert report.kills == kills
    assert report.acknowledged_entries > 0
    assert report.problems == []
    assert report.lost == 0
