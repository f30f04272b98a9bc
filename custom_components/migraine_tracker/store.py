"""The diary file: the one place that reads and writes a diary on disk.

Home Assistant's `Store` moves a file it cannot parse aside and starts
empty, and saves in the background. A health diary needs stricter promises:
a save returns only once the data is on disk (written to a temporary file,
fsync'd, renamed over the old one, directory fsync'd), and a file that cannot
be read is left exactly where and as it is.
"""

from __future__ import annotations

from collections.abc import Callable
import os
from pathlib import Path
from typing import Any

import orjson

from homeassistant.core import HomeAssistant

from .const import DOMAIN

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1

# Migrations from (major version) to the next one; each takes and returns `data`.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class DiaryFileError(Exception):
    """The diary file exists but cannot be used."""

    def __init__(self, path: Path, reason: str) -> None:
        """Keep where the file is and what is wrong with it."""
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def diary_path(hass: HomeAssistant, entry_id: str) -> Path:
    """Return where a diary's file lives."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}"))


def migrate(version: int, minor_version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring stored data from an older layout to the current one."""
    while version < STORAGE_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    # Minor versions only add optional fields; readers fill in defaults.
    return data


def _read(path: Path) -> dict[str, Any] | None:
    """Read and unwrap a diary file; None when there is none yet."""
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
    if not isinstance(version, int) or not isinstance(minor_version, int):
        raise DiaryFileError(path, "has no storage version")
    if version > STORAGE_VERSION or version < 1:
        raise DiaryFileError(
            path,
            f"was written by an unknown version ({version}) of the integration",
        )
    return migrate(version, minor_version, wrapper["data"])


def _write(path: Path, payload: bytes) -> None:
    """Replace the file atomically and durably with the payload."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp")
    # Health data: readable by Home Assistant's user only.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    temporary.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class DiaryStore:
    """Reads and writes one diary's file."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Point the store at a diary's file."""
        self.hass = hass
        self.key = f"{DOMAIN}.{entry_id}"
        self.path = diary_path(hass, entry_id)

    async def async_load(self) -> dict[str, Any] | None:
        """Return the stored diary data, None if there is none yet."""
        return await self.hass.async_add_executor_job(_read, self.path)

    async def async_save(self, data: dict[str, Any]) -> None:
        """Write the diary; returns once it is on disk."""
        wrapper = {
            "version": STORAGE_VERSION,
            "minor_version": STORAGE_MINOR_VERSION,
            "key": self.key,
            "data": data,
        }
        await self.hass.async_add_executor_job(self._encode_and_write, wrapper)

    def _encode_and_write(self, wrapper: dict[str, Any]) -> None:
        """Encode and write in the executor, off the event loop."""
        _write(self.path, orjson.dumps(wrapper, option=orjson.OPT_INDENT_2))

    async def async_remove(self) -> None:
        """Delete the diary's file, if there is one."""
        await self.hass.async_add_executor_job(self.path.unlink, True)
