"""Services to log, edit and read a diary's entries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import voluptuous as vol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .const import (
    ATTR_CONFIG_ENTRY_ID,
    DOMAIN,
    DOSE_MG_MAX,
    DOSE_MG_MIN,
    LIST_ITEM_MAX_LENGTH,
    LIST_MAX_ITEMS,
    NOTE_MAX_LENGTH,
    SEVERITY_MAX,
    SEVERITY_MIN,
)
from .records import RELIEF_VALUES

if TYPE_CHECKING:
    from .diary import Diary

SERVICE_LOG_DOSE = "log_dose"
SERVICE_LOG_EPISODE = "log_episode"
SERVICE_END_EPISODE = "end_episode"
SERVICE_UPDATE_ENTRY = "update_entry"
SERVICE_DELETE_ENTRY = "delete_entry"
SERVICE_UNDO_LAST = "undo_last"
SERVICE_GET_ENTRIES = "get_entries"

ATTR_ENTRY_ID = "entry_id"
KINDS = ("dose", "episode", "all")
EARLIEST_YEAR = 1900


def whole_number(minimum: int, maximum: int) -> Callable[[Any], int]:
    """Return a validator for a whole number in a range (no bools, no fractions)."""

    def validate(value: Any) -> int:
        if isinstance(value, bool):
            raise vol.Invalid("expected a whole number")
        if isinstance(value, str):
            value = value.strip()
        try:
            number = float(value)
        except (TypeError, ValueError) as err:
            raise vol.Invalid("expected a whole number") from err
        if not number.is_integer():
            raise vol.Invalid("expected a whole number")
        if not minimum <= number <= maximum:
            raise vol.Invalid(f"must be between {minimum} and {maximum}")
        return int(number)

    return validate


def time_in_range(value: Any) -> datetime:
    """Return a datetime from 1900 on, which every time zone can hold."""
    moment = cv.datetime(value)
    try:
        # Year 1 or 9999 in a time zone can fall outside what datetime holds.
        utc = dt_util.as_utc(moment)
        dt_util.as_local(utc)
    except OverflowError as err:
        raise vol.Invalid("time is out of range") from err
    # A stored year-1 time could not be shown in a zone west of UTC if Home
    # Assistant's time zone changed later; no diary reaches back that far.
    if utc.year < EARLIEST_YEAR:
        raise vol.Invalid(f"time must be in {EARLIEST_YEAR} or later")
    return moment


NOTE = vol.All(cv.string, vol.Length(max=NOTE_MAX_LENGTH))
TEXT_LIST = vol.All(
    cv.ensure_list,
    vol.Length(max=LIST_MAX_ITEMS),
    [vol.All(cv.string, vol.Length(max=LIST_ITEM_MAX_LENGTH))],
)
SEVERITY = whole_number(SEVERITY_MIN, SEVERITY_MAX)
AMOUNT = whole_number(DOSE_MG_MIN, DOSE_MG_MAX)
RELIEF = vol.In(RELIEF_VALUES)
DIARY: dict[vol.Marker, Any] = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}

DOSE_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional("amount_mg"): AMOUNT,
    vol.Optional("taken_at"): time_in_range,
    vol.Optional("note"): NOTE,
}
EPISODE_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional("started_at"): time_in_range,
    vol.Optional("ended_at"): time_in_range,
    vol.Optional("severity"): SEVERITY,
    vol.Optional("aura"): cv.boolean,
    vol.Optional("symptoms"): TEXT_LIST,
    vol.Optional("triggers"): TEXT_LIST,
    vol.Optional("acute_medications"): TEXT_LIST,
    vol.Optional("relief"): RELIEF,
    vol.Optional("note"): NOTE,
}

LOG_DOSE_SCHEMA = vol.Schema({**DIARY, **DOSE_FIELDS})
LOG_EPISODE_SCHEMA = vol.Schema({**DIARY, **EPISODE_FIELDS})
END_EPISODE_SCHEMA = vol.Schema(
    {
        **DIARY,
        vol.Optional("ended_at"): time_in_range,
        vol.Optional("severity"): SEVERITY,
        vol.Optional("relief"): RELIEF,
        vol.Optional("note"): NOTE,
    }
)
UPDATE_ENTRY_SCHEMA = vol.Schema(
    {
        **DIARY,
        vol.Required(ATTR_ENTRY_ID): cv.string,
        **DOSE_FIELDS,
        **EPISODE_FIELDS,
    }
)
DELETE_ENTRY_SCHEMA = vol.Schema({**DIARY, vol.Required(ATTR_ENTRY_ID): cv.string})
UNDO_LAST_SCHEMA = vol.Schema(DIARY)
GET_ENTRIES_SCHEMA = vol.Schema(
    {
        **DIARY,
        vol.Optional("start"): time_in_range,
        vol.Optional("end"): time_in_range,
        vol.Optional("kind", default="all"): vol.In(KINDS),
    }
)


def _loaded_diaries(hass: HomeAssistant) -> list[Diary]:
    """Return every loaded diary."""
    return [
        entry.runtime_data
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]


@callback
def async_resolve_diary(hass: HomeAssistant, config_entry_id: str | None) -> Diary:
    """Return the diary a call is meant for."""
    if config_entry_id is not None:
        entry = hass.config_entries.async_get_entry(config_entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_diary",
                translation_placeholders={"config_entry_id": config_entry_id},
            )
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="diary_not_loaded",
                translation_placeholders={"name": entry.title},
            )
        diary: Diary = entry.runtime_data
        return diary
    diaries = _loaded_diaries(hass)
    if not diaries:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_diary"
        )
    if len(diaries) > 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="choose_diary",
            translation_placeholders={
                "names": ", ".join(sorted(diary.name for diary in diaries))
            },
        )
    return diaries[0]


def _fields(call: ServiceCall, *skip: str) -> dict[str, Any]:
    """Return a call's entry fields, without the diary and the skipped ones."""
    return {
        key: value
        for key, value in call.data.items()
        if key != ATTR_CONFIG_ENTRY_ID and key not in skip
    }


async def _log_dose(diary: Diary, call: ServiceCall) -> ServiceResponse:
    """Record a dose."""
    dose = await diary.async_log_dose(**_fields(call), context=call.context)
    return {"id": dose.id}


async def _log_episode(diary: Diary, call: ServiceCall) -> ServiceResponse:
    """Record an episode."""
    episode = await diary.async_log_episode(**_fields(call), context=call.context)
    return {"id": episode.id}


async def _end_episode(diary: Diary, call: ServiceCall) -> ServiceResponse:
    """End the ongoing episode."""
    episode = await diary.async_end_episode(**_fields(call), context=call.context)
    return {"id": episode.id}


async def _update_entry(diary: Diary, call: ServiceCall) -> ServiceResponse:
    """Edit a dose or an episode."""
    entry = await diary.async_update_entry(
        call.data[ATTR_ENTRY_ID], _fields(call, ATTR_ENTRY_ID), call.context
    )
    return {"id": entry.id}


async def _delete_entry(diary: Diary, call: ServiceCall) -> ServiceResponse:
    """Remove a dose or an episode."""
    entry = await diary.async_delete_entry(call.data[ATTR_ENTRY_ID], call.context)
    return {"id": entry.id}


async def _undo_last(diary: Diary, call: ServiceCall) -> ServiceResponse:
    """Take back the most recent logging action."""
    change = await diary.async_undo_last(call.context)
    return {"id": change.entry.id}


async def _get_entries(diary: Diary, call: ServiceCall) -> ServiceResponse:
    """Return entries in a range."""
    entries = await diary.async_get_entries(
        call.data.get("start"), call.data.get("end"), call.data["kind"]
    )
    return cast("ServiceResponse", entries)


async def _async_handle(
    handler: Callable[[Diary, ServiceCall], Awaitable[ServiceResponse]],
    call: ServiceCall,
) -> ServiceResponse:
    """Find the diary, run the handler, answer only when asked to."""
    diary = async_resolve_diary(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    response = await handler(diary, call)
    return response if call.return_response else None


SERVICES: tuple[
    tuple[
        str,
        vol.Schema,
        Callable[[Diary, ServiceCall], Awaitable[ServiceResponse]],
        SupportsResponse,
    ],
    ...,
] = (
    (SERVICE_LOG_DOSE, LOG_DOSE_SCHEMA, _log_dose, SupportsResponse.OPTIONAL),
    (SERVICE_LOG_EPISODE, LOG_EPISODE_SCHEMA, _log_episode, SupportsResponse.OPTIONAL),
    (SERVICE_END_EPISODE, END_EPISODE_SCHEMA, _end_episode, SupportsResponse.OPTIONAL),
    (
        SERVICE_UPDATE_ENTRY,
        UPDATE_ENTRY_SCHEMA,
        _update_entry,
        SupportsResponse.OPTIONAL,
    ),
    (
        SERVICE_DELETE_ENTRY,
        DELETE_ENTRY_SCHEMA,
        _delete_entry,
        SupportsResponse.OPTIONAL,
    ),
    (SERVICE_UNDO_LAST, UNDO_LAST_SCHEMA, _undo_last, SupportsResponse.OPTIONAL),
    (SERVICE_GET_ENTRIES, GET_ENTRIES_SCHEMA, _get_entries, SupportsResponse.ONLY),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the diary services."""
    for name, schema, handler, supports_response in SERVICES:
        hass.services.async_register(
            DOMAIN,
            name,
            partial(_async_handle, handler),
            schema=schema,
            supports_response=supports_response,
        )
