"""Install the shipped voice sentences where Assist's built-in agent reads them.

The built-in conversation agent only reads sentences from
`<config>/custom_sentences/<language>/`. Our copy there starts with two
comment lines: a note, and the SHA-256 of the rest of the file. A file whose
rest still matches that hash is ours and unedited, so a newer shipped
version may replace it. Anything else at that path (a user's own file, or
our file after the user edited it) is left exactly as it is, and so is every
other file in the folder.
"""

from __future__ import annotations

from enum import StrEnum
import hashlib
import logging
from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.util.file import WriteError, write_utf8_file

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).parent / "sentences"
FILE_NAME = f"{DOMAIN}.yaml"
NOTE_LINE = (
    "# Installed by the Migraine Tracker integration, which updates this file."
    " Edit it and it is left alone from then on.\n"
)
HASH_PREFIX = "# migraine_tracker sentences sha256: "


class Outcome(StrEnum):
    """What installing one language's sentences did."""

    CREATED = "created"
    UPDATED = "updated"
    CURRENT = "current"
    KEPT = "kept"
    FAILED = "failed"


def _digest(body: str) -> str:
    """Return the hash that marks an unedited copy of `body`."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def installed_text(body: str) -> str:
    """Return the file we write for a shipped sentences file."""
    return f"{NOTE_LINE}{HASH_PREFIX}{_digest(body)}\n{body}"


def _unedited_body(text: str) -> str | None:
    """Return the body of our unedited file, or None if the text is not that."""
    parts = text.split("\n", 2)
    if len(parts) != 3 or not parts[1].startswith(HASH_PREFIX):
        return None
    body = parts[2]
    return body if parts[1].removeprefix(HASH_PREFIX) == _digest(body) else None


def install_language(shipped: Path, target: Path) -> Outcome:
    """Put one shipped sentences file in place, unless the user owns that path."""
    wanted = installed_text(shipped.read_text(encoding="utf-8"))
    if target.is_symlink() or (target.exists() and not target.is_file()):
        return Outcome.KEPT
    try:
        current = target.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        current = None
    except (OSError, UnicodeDecodeError):
        return Outcome.KEPT
    if current == wanted:
        return Outcome.CURRENT
    if current is not None and _unedited_body(current) is None:
        return Outcome.KEPT
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_utf8_file(str(target), wanted)
    except (OSError, WriteError):
        return Outcome.FAILED
    return Outcome.CREATED if current is None else Outcome.UPDATED


def install_sentences(config_dir: Path) -> dict[Path, Outcome]:
    """Install every shipped language into a config folder (blocking I/O)."""
    outcomes: dict[Path, Outcome] = {}
    for shipped in sorted(SHIPPED_DIR.glob(f"*/{FILE_NAME}")):
        target = config_dir / "custom_sentences" / shipped.parent.name / FILE_NAME
        outcomes[target] = install_language(shipped, target)
    return outcomes


async def async_install_sentences(hass: HomeAssistant) -> dict[Path, Outcome]:
    """Install the sentences and make the built-in agent read them again."""
    outcomes = await hass.async_add_executor_job(
        install_sentences, Path(hass.config.config_dir)
    )
    for target, outcome in outcomes.items():
        if outcome is Outcome.KEPT:
            _LOGGER.info(
                "Leaving %s as it is: it was edited or is not ours. Delete it to"
                " get the sentences that ship with Migraine Tracker",
                target,
            )
        elif outcome is Outcome.FAILED:
            _LOGGER.warning("Could not write the voice sentences to %s", target)
    changed = {Outcome.CREATED, Outcome.UPDATED}
    # The agent caches sentences per language; only a reload makes it see ours.
    if any(o in changed for o in outcomes.values()) and hass.services.has_service(
        "conversation", "reload"
    ):
        await hass.services.async_call("conversation", "reload", {}, blocking=True)
    return outcomes
