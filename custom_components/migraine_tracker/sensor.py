"""Sensors: days since the last migraine, monthly migraine days, adherence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from . import MigraineTrackerConfigEntry
from .entity import DiaryListeningEntity
from .stats import DiaryStats

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class DiarySensorDescription(SensorEntityDescription):
    """A diary sensor and how it reads the diary's numbers."""

    value_fn: Callable[[DiaryStats], StateType | datetime]


SENSORS: tuple[DiarySensorDescription, ...] = (
    DiarySensorDescription(
        key="days_since_last_migraine",
        translation_key="days_since_last_migraine",
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda stats: stats.days_since_last_migraine,
    ),
    DiarySensorDescription(
        key="last_migraine",
        translation_key="last_migraine",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda stats: stats.last_migraine,
    ),
    DiarySensorDescription(
        key="migraine_days_30d",
        translation_key="migraine_days_30d",
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda stats: stats.migraine_days_30d,
    ),
    DiarySensorDescription(
        key="dose_adherence_30d",
        translation_key="dose_adherence_30d",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda stats: stats.dose_adherence_30d,
    ),
    DiarySensorDescription(
        key="dose_adherence_7d",
        translation_key="dose_adherence_7d",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda stats: stats.dose_adherence_7d,
    ),
    DiarySensorDescription(
        key="dose_streak",
        translation_key="dose_streak",
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda stats: stats.dose_streak,
    ),
    DiarySensorDescription(
        key="doses_today",
        translation_key="doses_today",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda stats: stats.doses_today,
    ),
    DiarySensorDescription(
        key="last_dose",
        translation_key="last_dose",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda stats: stats.last_dose,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MigraineTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a diary's sensors."""
    diary = entry.runtime_data
    async_add_entities(DiarySensor(diary, description) for description in SENSORS)


class DiarySensor(DiaryListeningEntity, SensorEntity):
    """A number worked out from the diary."""

    entity_description: DiarySensorDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Return the sensor's value for today."""
        return self.entity_description.value_fn(self.diary.stats)

    def _value(self) -> object:
        """Return the value the sensor shows."""
        return self.native_value
