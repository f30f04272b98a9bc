"""Calendar: every episode and every dose of a diary, for browsing history."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from . import MigraineTrackerConfigEntry
from .diary import Diary
from .entity import DiaryEntity
from .records import Dose, Episode
from .stats import next_midnight
from .timeline import Span, Timeline

PARALLEL_UPDATES = 0

DIARY_CALENDAR = CalendarEntityDescription(key="diary", translation_key="diary")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MigraineTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a diary's calendar."""
    async_add_entities([DiaryCalendar(entry.runtime_data, DIARY_CALENDAR)])


class DiaryCalendar(DiaryEntity, CalendarEntity):
    """A diary's doses and episodes as calendar events."""

    def __init__(self, diary: Diary, description: CalendarEntityDescription) -> None:
        """Start with no event worked out yet."""
        super().__init__(diary, description)
        self._event: CalendarEvent | None = None
        # What the event was worked out from: the span and the medication's name.
        self._shown: tuple[Span | None, str] | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the diary's changes."""
        await super().async_added_to_hass()
        self.async_on_remove(self.diary.async_add_listener(self._on_diary_change))

    @callback
    def _on_diary_change(self) -> None:
        """Show the news, when the event to show changed."""
        # Most changes and every midnight leave the current or next event as
        # it was; the calendar's own timers move its state at the event's ends.
        if self._event_source() != self._shown:
            self.async_write_ha_state()

    def _event_source(self) -> tuple[Span | None, str]:
        """Return what the current or next event is worked out from."""
        now = dt_util.utcnow()
        span = self.timeline.current_or_next(now, self._ongoing_end(now))
        return span, self.diary.medication_name

    @property
    def timeline(self) -> Timeline:
        """Return the diary's entries in time order (the diary keeps them sorted)."""
        return self.diary.timeline

    @callback
    def async_write_ha_state(self) -> None:
        """Work out the current or next event, then write the state."""
        source = self._event_source()
        if source != self._shown:
            span = source[0]
            self._event = None if span is None else self._calendar_event(span)
            self._shown = source
        super().async_write_ha_state()

    @property
    def event(self) -> CalendarEvent | None:
        """Return the current or next event."""
        return self._event

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the events that overlap a range."""
        spans = self.timeline.overlapping(
            dt_util.as_utc(start_date),
            dt_util.as_utc(end_date),
            self._ongoing_end(dt_util.utcnow()),
        )
        return [self._calendar_event(span) for span in spans]

    def _ongoing_end(self, now: datetime) -> datetime:
        """Return where an ongoing episode is shown to end: tonight at midnight.

        Its real end is unknown; the rest of today is the open end a calendar
        can show, and at midnight it moves on to the next day.
        """
        return next_midnight(now, self.diary.index.tz)

    def _calendar_event(self, span: Span) -> CalendarEvent:
        """Describe a span as a calendar event in local time."""
        entry = span.entry
        if isinstance(entry, Dose):
            summary = f"{self.diary.medication_name} {entry.amount_mg} mg"
            description = entry.note
        else:
            summary = episode_summary(entry)
            description = episode_description(entry)
        return CalendarEvent(
            start=dt_util.as_local(span.start),
            end=dt_util.as_local(span.end),
            summary=summary,
            description=description,
            uid=entry.id,
        )


def episode_summary(episode: Episode) -> str:
    """Return an episode's title: "Migraine (severity 7)"."""
    details = []
    if episode.severity is not None:
        details.append(f"severity {episode.severity}")
    if episode.ongoing:
        details.append("ongoing")
    return f"Migraine ({', '.join(details)})" if details else "Migraine"


def episode_description(episode: Episode) -> str | None:
    """Return an episode's details, one per line, or None without any."""
    lines = []
    if episode.severity is not None:
        lines.append(f"Severity: {episode.severity}/10")
    if episode.aura is not None:
        lines.append(f"Aura: {'yes' if episode.aura else 'no'}")
    for label, values in (
        ("Triggers", episode.triggers),
        ("Symptoms", episode.symptoms),
        ("Acute medications", episode.acute_medications),
    ):
        if values:
            lines.append(f"{label}: {', '.join(values)}")
    if episode.relief is not None:
        lines.append(f"Relief: {episode.relief}")
    if episode.note:
        lines.append(f"Note: {episode.note}")
    return "\n".join(lines) or None
