"""Buttons for dashboards: log a dose, start or end a migraine, undo."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MigraineTrackerConfigEntry
from .diary import Diary
from .entity import DiaryEntity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class DiaryButtonDescription(ButtonEntityDescription):
    """A diary button and what pressing it does."""

    press_fn: Callable[[Diary, Context | None], Awaitable[Any]]


BUTTONS: tuple[DiaryButtonDescription, ...] = (
    DiaryButtonDescription(
        key="log_dose",
        translation_key="log_dose",
        press_fn=lambda diary, context: diary.async_log_dose(context=context),
    ),
    DiaryButtonDescription(
        key="start_migraine",
        translation_key="start_migraine",
        press_fn=lambda diary, context: diary.async_log_episode(context=context),
    ),
    DiaryButtonDescription(
        key="end_migraine",
        translation_key="end_migraine",
        press_fn=lambda diary, context: diary.async_end_episode(context=context),
    ),
    DiaryButtonDescription(
        key="undo_last",
        translation_key="undo_last",
        press_fn=lambda diary, context: diary.async_undo_last(context),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MigraineTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a diary's buttons."""
    diary = entry.runtime_data
    async_add_entities(DiaryButton(diary, description) for description in BUTTONS)


class DiaryButton(DiaryEntity, ButtonEntity):
    """A dashboard shortcut to a diary service with its defaults."""

    entity_description: DiaryButtonDescription

    async def async_press(self) -> None:
        """Do what the button says."""
        await self.entity_description.press_fn(self.diary, self._context)
