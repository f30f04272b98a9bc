"""Binary sensors: today's dose taken, a migraine ongoing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MigraineTrackerConfigEntry
from .entity import DiaryListeningEntity
from .stats import DiaryStats

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class DiaryBinarySensorDescription(BinarySensorEntityDescription):
    """A diary binary sensor and how it reads the diary's numbers."""

    is_on_fn: Callable[[DiaryStats], bool]


BINARY_SENSORS: tuple[DiaryBinarySensorDescription, ...] = (
    DiaryBinarySensorDescription(
        key="dose_taken_today",
        translation_key="dose_taken_today",
        is_on_fn=lambda stats: stats.dose_taken_today,
    ),
    DiaryBinarySensorDescription(
        key="migraine_ongoing",
        translation_key="migraine_ongoing",
        is_on_fn=lambda stats: stats.migraine_ongoing,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MigraineTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a diary's binary sensors."""
    diary = entry.runtime_data
    async_add_entities(
        DiaryBinarySensor(diary, description) for description in BINARY_SENSORS
    )


class DiaryBinarySensor(DiaryListeningEntity, BinarySensorEntity):
    """A yes/no worked out from the diary."""

    entity_description: DiaryBinarySensorDescription

    @property
    def is_on(self) -> bool:
        """Return whether it holds today."""
        return self.entity_description.is_on_fn(self.diary.stats)

    def _value(self) -> object:
        """Return the value the binary sensor shows."""
        return self.is_on
