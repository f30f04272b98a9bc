"""The base of every diary entity."""

from __future__ import annotations

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .diary import Diary


class DiaryEntity(Entity):
    """An entity of one diary, on the diary's device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, diary: Diary, description: EntityDescription) -> None:
        """Attach the entity to its diary and device."""
        self.diary = diary
        self.entity_description = description
        entry_id = diary.entry.entry_id
        self._attr_unique_id = f"{entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry_id)},
            name=diary.name,
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="Migraine Tracker",
            model="Migraine diary",
        )


class DiaryListeningEntity(DiaryEntity):
    """A diary entity whose state follows the diary's numbers."""

    _shown: object = None

    def _value(self) -> object:
        """Return the value the entity shows."""
        raise NotImplementedError

    async def async_added_to_hass(self) -> None:
        """Update whenever the diary's numbers change."""
        await super().async_added_to_hass()
        self._shown = self._value()
        self.async_on_remove(self.diary.async_add_listener(self._on_diary_change))

    @callback
    def _on_diary_change(self) -> None:
        """Write the state only when the value shown changed."""
        # A state write costs far more than the comparison; most changes and
        # every midnight leave most of a diary's ten entities as they were.
        if (value := self._value()) != self._shown:
            self._shown = value
            self.async_write_ha_state()
