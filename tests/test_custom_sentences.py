"""The shipped voice sentences: installed, updated, and a user's files left alone."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from custom_components.migraine_tracker.custom_sentences import (
    SHIPPED_DIR,
    Outcome,
    install_sentences,
    installed_text,
)
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component

from .conftest import make_entry, setup_entry

SHIPPED = (SHIPPED_DIR / "en" / "migraine_tracker.yaml").read_text(encoding="utf-8")
USER_FILE = "language: en\nintents:\n  HassTurnOn:\n    data:\n      - sentences:\n          - lights up\n"


def target(config_dir: Path) -> Path:
    """Return where our English sentences go."""
    return config_dir / "custom_sentences" / "en" / "migraine_tracker.yaml"


async def test_installed_on_setup(hass: HomeAssistant, config_dir: Path) -> None:
    """Setting up the integration writes our sentences, marked as ours."""
    await setup_entry(hass, make_entry())
    text = target(config_dir).read_text(encoding="utf-8")
    assert text == installed_text(SHIPPED)
    first, second, body = text.split("\n", 2)
    assert first.startswith("# Installed by the Migraine Tracker integration")
    assert second.startswith("# migraine_tracker sentences sha256: ")
    assert body == SHIPPED


async def test_our_older_version_is_replaced(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """An unedited copy of an older shipped version is updated."""
    path = target(config_dir)
    path.parent.mkdir(parents=True)
    path.write_text(installed_text('language: "en"\nintents: {}\n'), encoding="utf-8")
    await setup_entry(hass, make_entry())
    assert path.read_text(encoding="utf-8") == installed_text(SHIPPED)


async def test_edited_copy_is_left_alone(
    hass: HomeAssistant, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Our file after the user edited it is never overwritten."""
    path = target(config_dir)
    path.parent.mkdir(parents=True)
    edited = installed_text(SHIPPED).replace("magnesium [glycinate]", "zinc")
    path.write_text(edited, encoding="utf-8")
    with caplog.at_level(logging.INFO):
        await setup_entry(hass, make_entry())
    assert path.read_text(encoding="utf-8") == edited
    assert "Leaving" in caplog.text


async def test_users_own_file_is_left_alone(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """A file of the user's at our path, without our mark, is kept."""
    path = target(config_dir)
    path.parent.mkdir(parents=True)
    path.write_text(USER_FILE, encoding="utf-8")
    await setup_entry(hass, make_entry())
    assert path.read_text(encoding="utf-8") == USER_FILE


async def test_other_files_are_never_touched(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """The user's other sentence files keep their content and time stamps."""
    folder = config_dir / "custom_sentences"
    others = [folder / "en" / "lights.yaml", folder / "de" / "migraine_tracker.yaml"]
    for path in others:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(USER_FILE, encoding="utf-8")
        os.utime(path, (1_000_000_000, 1_000_000_000))
    await setup_entry(hass, make_entry())
    for path in others:
        assert path.read_text(encoding="utf-8") == USER_FILE
        assert path.stat().st_mtime == 1_000_000_000
    assert sorted(p.name for p in (folder / "en").iterdir()) == [
        "lights.yaml",
        "migraine_tracker.yaml",
    ]
    assert [p.name for p in (folder / "de").iterdir()] == ["migraine_tracker.yaml"]


def test_current_copy_is_not_rewritten(config_dir: Path) -> None:
    """Installing again leaves an up-to-date copy as it is."""
    path = target(config_dir)
    assert install_sentences(config_dir) == {path: Outcome.CREATED}
    os.utime(path, (1_000_000_000, 1_000_000_000))
    assert install_sentences(config_dir) == {path: Outcome.CURRENT}
    assert path.stat().st_mtime == 1_000_000_000


def test_symlink_and_folder_are_kept(
    config_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A link or a folder at our path is the user's doing and stays."""
    path = target(config_dir)
    path.parent.mkdir(parents=True)
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "mine.yaml"
    elsewhere.write_text(installed_text("old: true\n"), encoding="utf-8")
    path.symlink_to(elsewhere)
    assert install_sentences(config_dir) == {path: Outcome.KEPT}
    assert elsewhere.read_text(encoding="utf-8") == installed_text("old: true\n")
    path.unlink()
    path.mkdir()
    assert install_sentences(config_dir) == {path: Outcome.KEPT}
    assert path.is_dir()


async def test_unwritable_folder_does_not_stop_setup(
    hass: HomeAssistant, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """When the folder cannot be made, the diary still loads and a warning says why."""
    (config_dir / "custom_sentences").write_text("not a folder", encoding="utf-8")
    entry = await setup_entry(hass, make_entry())
    assert entry.state is ConfigEntryState.LOADED
    assert (config_dir / "custom_sentences").read_text(encoding="utf-8") == (
        "not a folder"
    )
    assert "Could not write the voice sentences" in caplog.text


async def test_agent_reads_new_sentences_at_once(hass: HomeAssistant) -> None:
    """An agent that already loaded its sentences hears ours after setup."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "intent", {})
    before = await conversation.async_converse(
        hass, "I took my magnesium", None, Context(), language="en"
    )
    assert before.response.response_type is intent.IntentResponseType.ERROR

    await setup_entry(hass, make_entry())
    after = await conversation.async_converse(
        hass, "I took my magnesium", None, Context(), language="en"
    )
    assert after.response.intent is not None
    assert after.response.intent.intent_type == "MigraineTrackerLogDose"


def test_unreadable_file_is_kept(config_dir: Path) -> None:
    """A file at our path that is not text stays as it is."""
    path = target(config_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe\x00binary")
    assert install_sentences(config_dir) == {path: Outcome.KEPT}
    assert path.read_bytes() == b"\xff\xfe\x00binary"


def test_emptied_file_is_kept(config_dir: Path) -> None:
    """Emptying our file is an edit: it stays empty, turning the sentences off."""
    path = target(config_dir)
    path.parent.mkdir(parents=True)
    path.write_text("", encoding="utf-8")
    assert install_sentences(config_dir) == {path: Outcome.KEPT}
    assert path.read_text(encoding="utf-8") == ""
