"""The diary in time order: which doses and episodes fall in a range.

Pure logic: nothing here imports Home Assistant. A `Timeline` is built once
from the records, follows each change by bisection (so logging stays as cheap
in a ten-year diary as in an empty one), and answers range questions by
bisection, so that a calendar showing one month of a ten-year diary looks at
that month only.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .records import Change, Dose, Entry, Episode

# A dose is a moment; calendars need an end after the start to show it.
DOSE_DURATION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Span:
    """An entry as a stretch of time: a dose's minute or an episode."""

    start: datetime
    end: datetime
    entry: Entry


class Timeline:
    """Doses and finished episodes sorted by start, plus the ongoing episode."""

    def __init__(self, doses: Iterable[Dose], episodes: Iterable[Episode]) -> None:
        """Sort the entries once."""
        self._doses = sorted(doses, key=lambda dose: dose.taken_at)
        self._dose_starts = [dose.taken_at for dose in self._doses]
        self.ongoing: Episode | None = None
        finished: list[Episode] = []
        for episode in episodes:
            if episode.ended_at is None:
                self.ongoing = episode
            else:
                finished.append(episode)
        finished.sort(key=lambda episode: episode.started_at)
        self._episodes = finished
        self._episode_starts = [episode.started_at for episode in finished]
        # Episodes starting before a range can reach into it by at most this.
        self._longest = max(
            (_end(episode) - episode.started_at for episode in finished),
            default=timedelta(0),
        )

    def apply(self, change: Change) -> None:
        """Follow a change applied to the records."""
        if change.before is not None:
            self.remove(change.before)
        if change.after is not None:
            self.add(change.after)

    def add(self, entry: Entry) -> None:
        """Put an entry in its place."""
        if isinstance(entry, Dose):
            at = bisect_right(self._dose_starts, entry.taken_at)
            self._dose_starts.insert(at, entry.taken_at)
            self._doses.insert(at, entry)
            return
        if entry.ended_at is None:
            self.ongoing = entry
            return
        at = bisect_right(self._episode_starts, entry.started_at)
        self._episode_starts.insert(at, entry.started_at)
        self._episodes.insert(at, entry)
        self._longest = max(self._longest, entry.ended_at - entry.started_at)

    def remove(self, entry: Entry) -> None:
        """Take an entry out."""
        if isinstance(entry, Dose):
            at = _position(self._doses, self._dose_starts, entry.taken_at, entry.id)
            del self._dose_starts[at], self._doses[at]
            return
        if entry.ended_at is None:
            if self.ongoing is not None and self.ongoing.id == entry.id:
                self.ongoing = None
            return
        at = _position(self._episodes, self._episode_starts, entry.started_at, entry.id)
        del self._episode_starts[at], self._episodes[at]
        if entry.ended_at - entry.started_at == self._longest:
            self._longest = max(
                (_end(episode) - episode.started_at for episode in self._episodes),
                default=timedelta(0),
            )

    def overlapping(
        self, start: datetime, end: datetime, ongoing_end: datetime
    ) -> list[Span]:
        """Return the spans that overlap [start, end), by start.

        A zero-length episode counts when its moment lies in the range.
        `ongoing_end` is where the ongoing episode is shown to end.
        """
        spans = [
            _dose_span(dose)
            for dose in self._doses[
                bisect_right(self._dose_starts, start - DOSE_DURATION) : bisect_left(
                    self._dose_starts, end
                )
            ]
        ]
        spans.extend(
            Span(episode.started_at, _end(episode), episode)
            for episode in self._episodes[
                bisect_left(self._episode_starts, start - self._longest) : bisect_left(
                    self._episode_starts, end
                )
            ]
            if _end(episode) > start or episode.started_at >= start
        )
        if (ongoing := self._ongoing_span(ongoing_end)) is not None and (
            ongoing.start < end and ongoing.end > start
        ):
            spans.append(ongoing)
        spans.sort(key=lambda span: span.start)
        return spans

    def current_or_next(self, now: datetime, ongoing_end: datetime) -> Span | None:
        """Return the span that has not ended at `now` and starts first."""
        candidates: list[Span] = []
        first_dose = bisect_right(self._dose_starts, now - DOSE_DURATION)
        if first_dose < len(self._doses):
            candidates.append(_dose_span(self._doses[first_dose]))
        for episode in self._episodes[
            bisect_right(self._episode_starts, now - self._longest) :
        ]:
            if _end(episode) > now:
                candidates.append(Span(episode.started_at, _end(episode), episode))
                break
        if (ongoing := self._ongoing_span(ongoing_end)) is not None and (
            ongoing.end > now
        ):
            candidates.append(ongoing)
        return min(candidates, key=lambda span: span.start, default=None)

    def _ongoing_span(self, ongoing_end: datetime) -> Span | None:
        """Return the ongoing episode's span, never ending before it starts."""
        if self.ongoing is None:
            return None
        start = self.ongoing.started_at
        return Span(start, max(ongoing_end, start), self.ongoing)


def _position(
    entries: list[Dose] | list[Episode],
    starts: list[datetime],
    start: datetime,
    entry_id: str,
) -> int:
    """Return where an entry that starts at `start` sits in a sorted list."""
    at = bisect_left(starts, start)
    while entries[at].id != entry_id:
        at += 1
    return at


def _end(episode: Episode) -> datetime:
    """Return a finished episode's end."""
    assert episode.ended_at is not None
    return episode.ended_at


def _dose_span(dose: Dose) -> Span:
    """Return the minute a dose occupies."""
    return Span(dose.taken_at, dose.taken_at + DOSE_DURATION, dose)
