"""A person's diary inside Home Assistant: records, their file and their numbers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import (
    CONF_DOSE_MG,
    CONF_DOSES_PER_DAY,
    CONF_MEDICATION_NAME,
    DEFAULT_DOSE_MG,
    DEFAULT_DOSES_PER_DAY,
    DEFAULT_MEDICATION_NAME,
    DOMAIN,
    EVENT_DOSE_LOGGED,
    EVENT_ENTRY_CHANGED,
    EVENT_EPISODE_ENDED,
    EVENT_EPISODE_STARTED,
)
from .records import Change, DiaryError, DiaryRecords, Dose, Entry, Episode
from .stats import DayIndex, DiaryStats, local_date, next_midnight
from .store import DiaryFileError, DiaryStore
from .timeline import Timeline

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__name__)


def validation_error(err: DiaryError) -> ServiceValidationError:
    """Turn a broken diary rule into the error Home Assistant shows."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=err.key,
        translation_placeholders=err.placeholders or None,
    )


class Diary:
    """One person's diary, as its entities, services and voice see it."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Diary],
        store: DiaryStore,
        records: DiaryRecords,
    ) -> None:
        """Wrap loaded records."""
        self.hass = hass
        self.entry = entry
        self.store = store
        self.records = records
        self.index = DayIndex.build(records, dt_util.get_default_time_zone())
        self.timeline = Timeline(records.doses.values(), records.episodes.values())
        self._lock = asyncio.Lock()
        self._compaction_planned = False
        self._listeners: list[CALLBACK_TYPE] = []
        self._cancel_midnight: CALLBACK_TYPE | None = None
        self.stats = self._compute(dt_util.utcnow())

    @classmethod
    async def async_load(cls, hass: HomeAssistant, entry: ConfigEntry[Diary]) -> Diary:
        """Load a diary from its file, or start it if it has none.

        Raises DiaryFileError when the file exists but cannot be used.
        """
        store = DiaryStore(hass, entry.entry_id)
        data = await store.async_load()
        if data is None:
            records = DiaryRecords(dt_util.utcnow())
            await store.async_save(records.as_dict())
        else:
            try:
                records = DiaryRecords.from_dict(data)
            except ValueError as err:
                raise DiaryFileError(store.path, f"holds invalid data ({err})") from err
        return cls(hass, entry, store, records)

    # Settings.

    @property
    def name(self) -> str:
        """Return the diary's name (the person's)."""
        return self.entry.title

    @property
    def medication_name(self) -> str:
        """Return the supplement's name."""
        return str(
            self.entry.options.get(CONF_MEDICATION_NAME, DEFAULT_MEDICATION_NAME)
        )

    @property
    def dose_mg(self) -> int:
        """Return the default amount of one dose."""
        return int(self.entry.options.get(CONF_DOSE_MG, DEFAULT_DOSE_MG))

    @property
    def doses_per_day(self) -> int:
        """Return the daily target."""
        return int(self.entry.options.get(CONF_DOSES_PER_DAY, DEFAULT_DOSES_PER_DAY))

    # Life cycle.

    @callback
    def async_start(self) -> None:
        """Start following the clock and the time zone."""
        self._schedule_midnight()
        self.entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, self._on_core_config)
        )
        self.entry.async_on_unload(self._stop_midnight)
        self.entry.async_on_unload(self.async_compact)

    @callback
    def _schedule_midnight(self) -> None:
        """Arrange a refresh at the next local midnight."""
        self._stop_midnight()
        moment = next_midnight(dt_util.utcnow(), self.index.tz)
        self._cancel_midnight = async_track_point_in_utc_time(
            self.hass, self._on_midnight, moment
        )

    @callback
    def _stop_midnight(self) -> None:
        """Cancel the pending midnight refresh."""
        if self._cancel_midnight is not None:
            self._cancel_midnight()
            self._cancel_midnight = None

    @callback
    def _on_midnight(self, moment: datetime) -> None:
        """Roll the numbers over to the new day."""
        self._cancel_midnight = None
        self.async_refresh(max(moment, dt_util.utcnow()))
        self._schedule_midnight()

    @callback
    def _on_core_config(self, event: Event[Any]) -> None:
        """Recount the days when Home Assistant's time zone changes."""
        tz = dt_util.get_default_time_zone()
        if tz == self.index.tz:
            return
        self.index = DayIndex.build(self.records, tz)
        self.async_refresh()
        self._schedule_midnight()

    # Numbers and listeners.

    def _compute(self, now: datetime) -> DiaryStats:
        """Work out the sensors' numbers at a moment."""
        tz = self.index.tz
        return self.index.stats(
            today=local_date(now, tz),
            doses_per_day=self.doses_per_day,
            created_on=local_date(self.records.created_at, tz),
        )

    @callback
    def async_refresh(self, now: datetime | None = None) -> None:
        """Work out the numbers again and tell the entities."""
        self.stats = self._compute(now or dt_util.utcnow())
        for listener in list(self._listeners):
            listener()

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> Callable[[], None]:
        """Call `listener` whenever the numbers change."""
        self._listeners.append(listener)

        @callback
        def remove() -> None:
            self._listeners.remove(listener)

        return remove

    # Changes.

    async def _async_change(
        self, plan: Callable[[datetime], Change], context: Context | None
    ) -> Change:
        """Plan, apply, save and announce one change, all or nothing.

        A caller that is cancelled (a script stopped while it waits) must not
        cut a change in half: the change runs as its own task to the end.
        """
        task = self.hass.async_create_task(
            self._async_make_change(plan, context),
            f"{DOMAIN} change {self.name}",
            eager_start=True,
        )
        # Nobody may be left to read the outcome after a cancel.
        task.add_done_callback(_consume_outcome)
        return await asyncio.shield(task)

    async def _async_make_change(
        self, plan: Callable[[datetime], Change], context: Context | None
    ) -> Change:
        """Make one change while holding the diary's lock."""
        async with self._lock:
            try:
                change = plan(dt_util.utcnow())
            except DiaryError as err:
                raise validation_error(err) from err
            self.records.apply(change)
            try:
                if self.store.can_append:
                    await self.store.async_append(change)
                else:
                    await self.store.async_save(self.records.as_dict(), new_change=True)
            except BaseException as err:
                self.records.revert(change)
                if not isinstance(err, OSError):
                    raise
                _LOGGER.error("Could not save diary %s: %s", self.name, err)
                await self._async_settle_disk()
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="save_failed",
                    translation_placeholders={
                        "path": str(self.store.path),
                        "error": str(err),
                    },
                ) from err
            self.index.apply(change)
            self.timeline.apply(change)
        self._announce(change, context)
        self.async_refresh()
        if self.store.compaction_due and not self._compaction_planned:
            # After the caller has its answer: a snapshot of a long diary
            # takes far longer than a journal line.
            self._compaction_planned = True
            self.entry.async_create_task(
                self.hass,
                self.async_compact(),
                f"{DOMAIN} compact {self.name}",
                eager_start=False,
            )
        return change

    async def _async_settle_disk(self) -> None:
        """Make the disk agree with memory after a save that may have landed.

        A journal line that could not be taken back, or a snapshot renamed
        before its folder sync failed, may hold the refused change: a new
        snapshot, numbered past it, outranks it. If the disk refuses this
        too, the next change tries again.
        """
        if self.store.can_append:
            return
        try:
            await self.store.async_save(self.records.as_dict(), new_change=True)
        except OSError as err:
            _LOGGER.warning("Could not rewrite diary %s: %s", self.name, err)

    async def async_compact(self) -> None:
        """Fold the journal into a new snapshot, if it holds any change."""
        async with self._lock:
            self._compaction_planned = False
            if not self.store.journal_lines:
                return
            try:
                await self.store.async_save(self.records.as_dict())
            except OSError as err:
                # Nothing is lost: the journal keeps every change until a
                # later snapshot succeeds.
                _LOGGER.warning("Could not compact diary %s: %s", self.name, err)

    def _announce(self, change: Change, context: Context | None) -> None:
        """Fire the bus event that describes a change."""
        entry = change.entry
        data: dict[str, Any] = {
            "config_entry_id": self.entry.entry_id,
            "id": entry.id,
            "name": self.name,
        }
        if change.action == "log_dose":
            assert isinstance(entry, Dose)
            data |= {
                "medication_name": self.medication_name,
                "amount_mg": entry.amount_mg,
                "taken_at": entry.taken_at.isoformat(),
            }
            event = EVENT_DOSE_LOGGED
        elif change.action in ("log_episode", "end_episode"):
            assert isinstance(entry, Episode)
            data |= {
                "started_at": entry.started_at.isoformat(),
                "ended_at": entry.ended_at.isoformat() if entry.ended_at else None,
                "severity": entry.severity,
            }
            event = (
                EVENT_EPISODE_STARTED
                if change.action == "log_episode"
                else EVENT_EPISODE_ENDED
            )
        else:
            data |= {
                "action": change.action,
                "kind": entry.kind,
            }
            event = EVENT_ENTRY_CHANGED
        # The caller's context lets the logbook say who or what made the change.
        self.hass.bus.async_fire(event, data, context=context)

    async def async_log_dose(
        self,
        *,
        amount_mg: int | None = None,
        taken_at: datetime | None = None,
        note: str | None = None,
        context: Context | None = None,
    ) -> Dose:
        """Record a dose; returns once it is on disk."""
        change = await self._async_change(
            lambda now: self.records.plan_log_dose(
                now=now,
                amount_mg=self.dose_mg if amount_mg is None else amount_mg,
                taken_at=_utc(taken_at),
                note=note,
            ),
            context,
        )
        assert isinstance(change.after, Dose)
        return change.after

    async def async_log_episode(
        self, *, context: Context | None = None, **fields: Any
    ) -> Episode:
        """Record an episode; returns once it is on disk."""
        fields = _utc_fields(fields)
        change = await self._async_change(
            lambda now: self.records.plan_log_episode(now=now, **fields), context
        )
        assert isinstance(change.after, Episode)
        return change.after

    async def async_end_episode(
        self, *, context: Context | None = None, **fields: Any
    ) -> Episode:
        """End the ongoing episode; returns once it is on disk."""
        fields = _utc_fields(fields)
        change = await self._async_change(
            lambda now: self.records.plan_end_episode(now=now, **fields), context
        )
        assert isinstance(change.after, Episode)
        return change.after

    async def async_update_entry(
        self, entry_id: str, fields: dict[str, Any], context: Context | None = None
    ) -> Entry:
        """Edit a dose or an episode."""
        fields = _utc_fields(fields)
        change = await self._async_change(
            lambda now: self.records.plan_update(
                now=now, entry_id=entry_id, fields=fields
            ),
            context,
        )
        return change.entry

    async def async_delete_entry(
        self, entry_id: str, context: Context | None = None
    ) -> Entry:
        """Remove a dose or an episode."""
        change = await self._async_change(
            lambda now: self.records.plan_delete(entry_id), context
        )
        return change.entry

    async def async_undo_last(self, context: Context | None = None) -> Change:
        """Take back the most recent logging action."""
        return await self._async_change(lambda now: self.records.plan_undo(), context)

    async def async_get_entries(
        self,
        start: datetime | None,
        end: datetime | None,
        kind: str,
    ) -> dict[str, list[dict[str, Any]]]:
        """Return the entries in a range, oldest first, times in local ISO."""
        start, end = _utc(start), _utc(end)
        if start is not None and end is not None and end < start:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="range_end_before_start",
            )
        # Wait for a change being saved: never show what is not on disk yet.
        async with self._lock:
            return self._entries_between(start, end, kind)

    def _entries_between(
        self, start: datetime | None, end: datetime | None, kind: str
    ) -> dict[str, list[dict[str, Any]]]:
        """Return the entries of a kind in a range, oldest first."""
        # Both keys always, so templates can read either whatever was asked.
        result: dict[str, list[dict[str, Any]]] = {"doses": [], "episodes": []}
        if kind in ("dose", "all"):
            doses = sorted(
                (
                    dose
                    for dose in self.records.doses.values()
                    if (start is None or dose.taken_at >= start)
                    and (end is None or dose.taken_at < end)
                ),
                key=lambda dose: dose.taken_at,
            )
            result["doses"] = [_shown(dose) for dose in doses]
        if kind in ("episode", "all"):
            episodes = sorted(
                (
                    episode
                    for episode in self.records.episodes.values()
                    if (end is None or episode.started_at < end)
                    and (
                        start is None
                        or episode.ended_at is None
                        or episode.ended_at >= start
                    )
                ),
                key=lambda episode: episode.started_at,
            )
            result["episodes"] = [_shown(episode) for episode in episodes]
        return result


_TIME_FIELDS = ("taken_at", "started_at", "ended_at")


def _consume_outcome(task: asyncio.Task[Change]) -> None:
    """Mark a change task's outcome as read, so a lone error is not reported."""
    if not task.cancelled():
        task.exception()


def _utc(moment: datetime | None) -> datetime | None:
    """Return a time in UTC; a naive one is in Home Assistant's time zone."""
    return None if moment is None else dt_util.as_utc(moment)


def _utc_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Return fields with their times in UTC."""
    return {
        name: _utc(value) if name in _TIME_FIELDS else value
        for name, value in fields.items()
    }


def _shown(entry: Entry) -> dict[str, Any]:
    """Return an entry's fields with its times in Home Assistant's time zone."""
    item = entry.as_dict()
    for field in _TIME_FIELDS:
        if (moment := getattr(entry, field, None)) is not None:
            item[field] = dt_util.as_local(moment).isoformat()
    return item
