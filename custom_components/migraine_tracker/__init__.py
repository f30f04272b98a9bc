"""Migraine Tracker: a private diary of supplement doses and migraine episodes."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.typing import ConfigType

from .blueprint import async_setup_blueprint
from .const import DOMAIN
from .diary import Diary
from .intent import async_setup_intents
from .services import async_setup_services
from .store import DiaryFileError, DiaryStore, diary_path

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

type MigraineTrackerConfigEntry = ConfigEntry[Diary]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the diary services once for all diaries."""
    async_setup_services(hass)
    async_setup_blueprint(hass)
    await async_setup_intents(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: MigraineTrackerConfigEntry
) -> bool:
    """Load a diary and its entities."""
    issue_id = f"diary_unreadable_{entry.entry_id}"
    try:
        diary = await Diary.async_load(hass, entry)
    except DiaryFileError as err:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="diary_unreadable",
            translation_placeholders={
                "name": entry.title,
                "path": str(err.path),
                "reason": err.reason,
            },
        )
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="diary_unreadable",
            translation_placeholders={"path": str(err.path), "reason": err.reason},
        ) from err
    except OSError as err:
        # A new diary's first file could not be written (full or read-only
        # disk): nothing to lose yet, so try again later.
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="diary_not_writable",
            translation_placeholders={
                "path": str(err.filename or diary_path(hass, entry.entry_id)),
                "error": err.strerror or str(err),
            },
        ) from err
    ir.async_delete_issue(hass, DOMAIN, issue_id)
    entry.runtime_data = diary
    diary.async_start()
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _async_options_updated(
    hass: HomeAssistant, entry: MigraineTrackerConfigEntry
) -> None:
    """Apply new options at once, without a reload."""
    entry.runtime_data.async_refresh()


async def async_unload_entry(
    hass: HomeAssistant, entry: MigraineTrackerConfigEntry
) -> bool:
    """Unload a diary; its file stays."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: MigraineTrackerConfigEntry
) -> None:
    """Delete a removed diary's file and any issue about it."""
    ir.async_delete_issue(hass, DOMAIN, f"diary_unreadable_{entry.entry_id}")
    await DiaryStore(hass, entry.entry_id).async_remove()
