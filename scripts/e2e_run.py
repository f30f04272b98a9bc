"""End-to-end test in a real browser: the dashboard, tapped as a person taps it.

Started by `scripts/e2e`. Runs Home Assistant as a separate process on a
throw-away config folder (tests/live/hass_process.py), onboards it through the
API, creates Alex's diary through the config flow, installs the dashboard of
dashboards/migraine_tracker.yaml as a storage dashboard, then opens it in the
system's headless Chromium (driven by Playwright) and:

1. checks that every card renders and none reports a missing entity;
2. taps the "Log dose" tile;
3. checks that the page then shows 1 dose today, the dose taken, and the dose
   in the calendar card, and that the REST API agrees.

A second run starts from the demo diary of scripts/demo_data.py and takes the
dashboard's screenshot for the README (with --update-docs it is copied to
docs/dashboard.png). Screenshots and Home Assistant's log land in
artifacts/e2e/. Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
import contextlib
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect, sync_playwright
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts import demo_data  # noqa: E402
from tests.dashboard_entities import referenced_entities  # noqa: E402
from tests.live.hass_process import HassProcess, write_config  # noqa: E402

ARTIFACTS = REPO / "artifacts" / "e2e"
DASHBOARD_FILE = REPO / "dashboards" / "migraine_tracker.yaml"
DOCS_SCREENSHOT = REPO / "docs" / "dashboard.png"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
URL_PATH = "migraine-diary"
# The dashboard needs the frontend and, for its graphs, history and the recorder.
EXTRA_YAML = """\
frontend:
history:
recorder:
  commit_interval: 1
"""
VIEWPORT = {"width": 1600, "height": 1250}
# Whole run, both Home Assistant starts included; a hung step ends the run.
TIME_LIMIT = 900
MISSING_TEXTS = ("Entity not available", "Entity not found")


def log(message: str) -> None:
    """Print a progress line."""
    print(f"[e2e {time.strftime('%X')}] {message}", flush=True)  # noqa: T201


class E2EFailure(Exception):
    """A check of the end-to-end test failed."""


def check(condition: bool, message: str) -> None:
    """Fail the run with a message unless the condition holds."""
    if not condition:
        raise E2EFailure(message)


def dashboard_config() -> dict[str, Any]:
    """Return the shipped dashboard."""
    config = yaml.safe_load(DASHBOARD_FILE.read_text(encoding="utf-8"))
    assert isinstance(config, dict)
    return config


@contextlib.contextmanager
def home_assistant(name: str, prepare: Any = None) -> Iterator[HassProcess]:
    """Run Home Assistant on a fresh config folder; keep its log in artifacts."""
    config = Path(tempfile.mkdtemp(prefix=f"mt-e2e-{name}-"))
    write_config(config, EXTRA_YAML)
    if prepare is not None:
        prepare(config)
    hass = HassProcess(config)
    try:
        began = time.monotonic()
        hass.start(timeout=300)
        hass.onboard(name="Alex")
        hass.wait_until_running(300)
        log(
            f"Home Assistant is up at {hass.base_url} ({time.monotonic() - began:.0f} s)"
        )
        yield hass
    finally:
        hass.stop()
        with contextlib.suppress(OSError):
            shutil.copy(hass.output_path, ARTIFACTS / f"{name}-home-assistant.log")
        shutil.rmtree(config, ignore_errors=True)


def install_dashboard(hass: HassProcess) -> None:
    """Create the storage dashboard and save the shipped configuration into it."""
    hass.ws_command(
        {
            "type": "lovelace/dashboards/create",
            "url_path": URL_PATH,
            "title": "Migraine diary",
            "icon": "mdi:head-heart-outline",
            "show_in_sidebar": True,
            "require_admin": False,
            "mode": "storage",
        }
    )
    hass.ws_command(
        {
            "type": "lovelace/config/save",
            "url_path": URL_PATH,
            "config": dashboard_config(),
        }
    )


def wait_for_entities(
    hass: HassProcess, entity_ids: set[str], timeout: float = 60
) -> None:
    """Wait until every entity has a state that is not unavailable."""
    deadline = time.monotonic() + timeout
    while True:
        states = {
            state["entity_id"]: state["state"] for state in hass.get("/api/states")
        }
        missing = sorted(
            entity_id
            for entity_id in entity_ids
            if states.get(entity_id) in (None, "unavailable")
        )
        if not missing:
            return
        if time.monotonic() > deadline:
            raise E2EFailure(f"entities missing or unavailable: {missing}")
        time.sleep(0.5)


def open_dashboard(page: Page, hass: HassProcess) -> None:
    """Log the browser in with the test user's tokens and open the dashboard."""
    stored = json.loads(hass.auth_path.read_text(encoding="utf-8"))
    # The frontend keeps its tokens in localStorage; put the test user's there.
    tokens = {
        "hassUrl": hass.base_url,
        "clientId": stored["client_id"],
        "refresh_token": stored["refresh_token"],
        "access_token": hass.token,
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires": int(time.time() * 1000) + 1800 * 1000,
    }
    page.add_init_script(
        f"window.localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))});"
    )
    page.goto(f"{hass.base_url}/{URL_PATH}/alex", wait_until="domcontentloaded")
    expect(page.locator("hui-tile-card").first).to_be_visible(timeout=90_000)
    expect(page.locator("hui-calendar-card")).to_be_visible(timeout=60_000)
    # Cards fetch history, statistics and events after they appear.
    page.wait_for_timeout(4000)


def tile(page: Page, name: str) -> Any:
    """Return the tile card whose name is `name`."""
    return page.locator("hui-tile-card").filter(has_text=name)


def check_no_missing_entities(page: Page, expected_tiles: int) -> None:
    """Fail when a card reports a missing entity or did not render."""
    for text in MISSING_TEXTS:
        count = page.get_by_text(text).count()
        check(count == 0, f'{count} card(s) show "{text}"')
    warnings = page.locator("hui-warning, hui-error-card").count()
    check(warnings == 0, f"{warnings} card(s) show a warning or an error")
    tiles = page.locator("hui-tile-card").count()
    check(tiles == expected_tiles, f"{tiles} tiles rendered, {expected_tiles} expected")
    for card in (
        "hui-history-graph-card",
        "hui-statistics-graph-card",
        "hui-calendar-card",
    ):
        check(page.locator(card).count() > 0, f"no {card} rendered")


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot of the page into the artifacts."""
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    log(f"screenshot {path.relative_to(REPO)}")
    return path


def run_log_dose(browser: Any, expected_tiles: int) -> None:
    """Create a diary, open its dashboard, tap Log dose and check the result."""
    with home_assistant("log-dose") as hass:
        entry_id = hass.create_config_entry(
            "migraine_tracker",
            [
                {"name": "Alex"},
                {
                    "medication_name": "Magnesium glycinate",
                    "dose_mg": 400,
                    "doses_per_day": 1,
                },
            ],
        )
        log(f"created Alex's diary through the config flow ({entry_id})")
        wait_for_entities(hass, referenced_entities(dashboard_config()))
        install_dashboard(hass)
        check(
            hass.state("sensor.alex_doses_today")["state"] == "0",
            "a dose before the tap",
        )

        page = browser.new_page(viewport=VIEWPORT, timezone_id="Europe/Berlin")
        try:
            open_dashboard(page, hass)
            check_no_missing_entities(page, expected_tiles)
            expect(tile(page, "Doses today")).to_contain_text("0")
            expect(tile(page, "Dose taken today")).to_contain_text("Off")
            screenshot(page, "1-before-log-dose")

            log('tapping "Log dose"')
            tile(page, "Log dose").click()
            expect(tile(page, "Doses today")).to_contain_text("1", timeout=20_000)
            expect(tile(page, "Dose taken today")).to_contain_text("On", timeout=20_000)
            check_no_missing_entities(page, expected_tiles)
            # The calendar card fetches its events when it opens: open it again.
            page.reload(wait_until="domcontentloaded")
            expect(page.locator("hui-calendar-card")).to_contain_text(
                "Magnesium glycinate 400 mg", timeout=30_000
            )
            expect(tile(page, "Doses today")).to_contain_text("1")
            page.wait_for_timeout(3000)
            screenshot(page, "2-after-log-dose")
        except Exception:
            with contextlib.suppress(Exception):
                screenshot(page, "failure-log-dose")
            raise
        finally:
            page.close()

        doses = hass.state("sensor.alex_doses_today")
        taken = hass.state("binary_sensor.alex_dose_taken_today")
        check(doses["state"] == "1", f"REST: doses today is {doses['state']}")
        check(taken["state"] == "on", f"REST: dose taken today is {taken['state']}")
        entries = hass.call_service(
            "migraine_tracker",
            "get_entries",
            {"config_entry_id": entry_id, "kind": "dose"},
            return_response=True,
        )
        check(len(entries["doses"]) == 1, f"REST: {len(entries['doses'])} doses stored")
        log("the tap logged one dose: page and REST API agree")


def write_demo(config: Path) -> None:
    """Put the demo diary and dashboard into a config folder."""
    subprocess.run(  # noqa: S603
        [sys.executable, str(REPO / "scripts" / "demo_data.py"), str(config)],
        check=True,
    )


def run_demo(browser: Any, expected_tiles: int, update_docs: bool) -> None:
    """Open the dashboard on the demo diary and take the README's screenshot."""
    with home_assistant("demo", write_demo) as hass:
        wait_for_entities(hass, referenced_entities(dashboard_config()))
        # A new Home Assistant has no history: give the graphs the demo's past.
        entry_id = hass.config_entries("migraine_tracker")[0]["entry_id"]
        stored = json.loads(
            (hass.config_dir / ".storage" / f"migraine_tracker.{entry_id}").read_text()
        )
        for message in demo_data.past_statistics(
            stored["data"], ZoneInfo("Europe/Berlin"), datetime.now(UTC)
        ):
            hass.ws_command(message)
        time.sleep(3)  # the recorder imports in its own thread
        days = hass.state("sensor.alex_dose_adherence_30d")["state"]
        check(days not in ("unknown", "unavailable"), f"demo adherence is {days}")
        page = browser.new_page(viewport=VIEWPORT, timezone_id="Europe/Berlin")
        try:
            open_dashboard(page, hass)
            check_no_missing_entities(page, expected_tiles)
            expect(page.locator("hui-calendar-card")).to_contain_text(
                "Magnesium glycinate", timeout=30_000
            )
            path = screenshot(page, "3-demo-dashboard")
        finally:
            page.close()
        if update_docs:
            DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
            shutil.copy(path, DOCS_SCREENSHOT)
            log(f"copied to {DOCS_SCREENSHOT.relative_to(REPO)}")


def main() -> int:
    """Run the end-to-end checks; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help="copy the demo dashboard's screenshot to docs/dashboard.png",
    )
    args = parser.parse_args()

    def out_of_time(signum: int, frame: Any) -> None:
        raise TimeoutError(f"the end-to-end test took longer than {TIME_LIMIT} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(TIME_LIMIT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    expected_tiles = sum(
        1
        for view in dashboard_config()["views"]
        for section in view["sections"]
        for card in section["cards"]
        if card["type"] == "tile"
    )
    began = time.monotonic()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000
            )
            try:
                run_log_dose(browser, expected_tiles)
                run_demo(browser, expected_tiles, args.update_docs)
            finally:
                browser.close()
    except Exception as err:  # noqa: BLE001
        log(f"FAILED: {type(err).__name__}: {err}")
        return 1
    log(f"passed in {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
