"""Day arithmetic: the numbers every sensor shows, in local calendar days.

Pure logic: nothing here imports Home Assistant. `DayIndex` keeps per-day
tallies up to date as entries come and go, so that working out the numbers
costs the same for a diary of ten years as for an empty one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from .records import Change, DiaryRecords, Dose, Entry, Episode

ADHERENCE_WINDOWS = (7, 30)
MIGRAINE_DAYS_WINDOW = 30
# The days every window looks at, worked out once per update.
LOOKBACK = max(*ADHERENCE_WINDOWS, MIGRAINE_DAYS_WINDOW)


def local_date(moment: datetime, tz: tzinfo) -> date:
    """Return the calendar date of a moment in a time zone."""
    return moment.astimezone(tz).date()


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """Return the first moment of a local calendar day, in UTC.

    Where a DST jump skips midnight, the day starts at the jump: a
    non-existent local time resolves to the instant the clocks moved.
    In UTC, differences between such moments are real elapsed time.
    """
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def next_midnight(moment: datetime, tz: tzinfo) -> datetime:
    """Return the first moment of the local day after the one holding `moment`."""
    return start_of_day(local_date(moment, tz) + timedelta(days=1), tz)


def _days(first: date, last: date) -> list[date]:
    """Return every date from first to last, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True, slots=True)
class DiaryStats:
    """The numbers shown by a diary's sensors on one day."""

    today: date
    tracking_start: date
    days_since_last_migraine: int | None
    last_migraine: datetime | None
    migraine_days_30d: int
    dose_adherence_7d: float | None
    dose_adherence_30d: float | None
    dose_streak: int
    doses_today: int
    last_dose: datetime | None
    dose_taken_today: bool
    migraine_ongoing: bool


class DayIndex:
    """Per-day tallies of a diary's doses and episodes in one time zone."""

    def __init__(self, tz: tzinfo) -> None:
        """Start an empty index for a time zone."""
        self.tz = tz
        self._doses_on: Counter[date] = Counter()
        self._dose_times: dict[str, datetime] = {}
        self._episode_days: Counter[date] = Counter()
        self._episodes: dict[str, Episode] = {}
        self._ongoing: Episode | None = None
        # Extremes are cached and only worked out again after a removal.
        self._last_dose: datetime | None = None
        self._first_dose_day: date | None = None
        self._last_start: datetime | None = None
        self._last_end: datetime | None = None
        self._stale = False
        # Covered runs ending at a day, by daily target: (last day, length).
        self._runs: dict[int, tuple[date, int]] = {}

    @classmethod
    def build(cls, records: DiaryRecords, tz: tzinfo) -> DayIndex:
        """Index every entry of a diary."""
        index = cls(tz)
        for dose in records.doses.values():
            index.add(dose)
        for episode in records.episodes.values():
            index.add(episode)
        return index

    def apply(self, change: Change) -> None:
        """Follow a change applied to the records."""
        if change.before is not None:
            self.remove(change.before)
        if change.after is not None:
            self.add(change.after)

    def revert(self, change: Change) -> None:
        """Follow a change taken back from the records."""
        if change.after is not None:
            self.remove(change.after)
        if change.before is not None:
            self.add(change.before)

    def add(self, entry: Entry) -> None:
        """Count an entry."""
        if isinstance(entry, Dose):
            self._dose_times[entry.id] = entry.taken_at
            day = local_date(entry.taken_at, self.tz)
            self._doses_on[day] += 1
            self._forget_runs(day, self._doses_on[day] - 1, self._doses_on[day])
            if self._last_dose is None or entry.taken_at > self._last_dose:
                self._last_dose = entry.taken_at
            if self._first_dose_day is None or day < self._first_dose_day:
                self._first_dose_day = day
            return
        self._episodes[entry.id] = entry
        if self._last_start is None or entry.started_at > self._last_start:
            self._last_start = entry.started_at
        if entry.ended_at is None:
            self._ongoing = entry
            return
        if self._last_end is None or entry.ended_at > self._last_end:
            self._last_end = entry.ended_at
        self._episode_days.update(self._episode_span(entry, entry.ended_at))

    def remove(self, entry: Entry) -> None:
        """Stop counting an entry."""
        self._stale = True
        if isinstance(entry, Dose):
            del self._dose_times[entry.id]
            day = local_date(entry.taken_at, self.tz)
            self._doses_on[day] -= 1
            self._forget_runs(day, self._doses_on[day] + 1, self._doses_on[day])
            if not self._doses_on[day]:
                del self._doses_on[day]
            return
        del self._episodes[entry.id]
        if entry.ended_at is None:
            self._ongoing = None
            return
        self._episode_days.subtract(self._episode_span(entry, entry.ended_at))
        self._episode_days = +self._episode_days

    def _episode_span(self, episode: Episode, end: datetime) -> list[date]:
        """Return the local dates an episode touches up to `end`."""
        first = local_date(episode.started_at, self.tz)
        return _days(first, max(first, local_date(end, self.tz)))

    def _refresh_extremes(self) -> None:
        """Work out the cached extremes again after removals."""
        self._stale = False
        self._last_dose = max(self._dose_times.values(), default=None)
        self._first_dose_day = min(self._doses_on, default=None)
        self._last_start = max(
            (e.started_at for e in self._episodes.values()), default=None
        )
        self._last_end = max(
            (e.ended_at for e in self._episodes.values() if e.ended_at), default=None
        )

    def doses_on(self, day: date) -> int:
        """Return how many doses were taken on a local date."""
        return self._doses_on.get(day, 0)

    def stats(self, today: date, doses_per_day: int, created_on: date) -> DiaryStats:
        """Return the sensors' numbers for a local date."""
        if self._stale:
            self._refresh_extremes()
        tracking_start = created_on
        if self._first_dose_day is not None:
            tracking_start = min(tracking_start, self._first_dose_day)
        doses_today = self.doses_on(today)
        today_covered = doses_today >= doses_per_day
        days = _days(today - timedelta(days=LOOKBACK - 1), today)
        covered = [self._doses_on.get(day, 0) >= doses_per_day for day in days]
        return DiaryStats(
            today=today,
            tracking_start=tracking_start,
            days_since_last_migraine=self._days_since_last_migraine(today),
            last_migraine=self._last_start,
            migraine_days_30d=self._migraine_days(days[-MIGRAINE_DAYS_WINDOW:]),
            dose_adherence_7d=self._adherence(
                days, covered, 7, tracking_start, today_covered
            ),
            dose_adherence_30d=self._adherence(
                days, covered, 30, tracking_start, today_covered
            ),
            dose_streak=self._streak(days, covered, doses_per_day, today_covered),
            doses_today=doses_today,
            last_dose=self._last_dose,
            dose_taken_today=today_covered,
            migraine_ongoing=self._ongoing is not None,
        )

    def _days_since_last_migraine(self, today: date) -> int | None:
        """Return whole days since the latest end; 0 while one is ongoing."""
        if self._ongoing is not None:
            return 0
        if self._last_end is None:
            return None
        # An end a few minutes ahead may fall on tomorrow: never below zero.
        return max(0, (today - local_date(self._last_end, self.tz)).days)

    def _migraine_days(self, window: list[date]) -> int:
        """Return the dates of a window (ending today) touched by any episode."""
        ongoing_from = (
            None
            if self._ongoing is None
            else local_date(self._ongoing.started_at, self.tz)
        )
        return sum(
            1
            for day in window
            if self._episode_days.get(day)
            or (ongoing_from is not None and day >= ongoing_from)
        )

    @staticmethod
    def _adherence(
        days: list[date],
        covered: list[bool],
        window: int,
        tracking_start: date,
        today_covered: bool,
    ) -> float | None:
        """Return the share of eligible days whose target was met, in percent.

        `days` ends today; `covered` says for each whether its target was met.
        """
        first = max(len(days) - window, (tracking_start - days[0]).days)
        end = len(days) if today_covered else len(days) - 1
        if end <= first:
            return None
        return round(sum(covered[first:end]) / (end - first) * 100, 1)

    def _streak(
        self,
        days: list[date],
        covered: list[bool],
        doses_per_day: int,
        today_covered: bool,
    ) -> int:
        """Return consecutive covered days ending today, else yesterday."""
        at = len(days) - 1 if today_covered else len(days) - 2
        streak = 0
        while at >= 0 and covered[at]:
            streak += 1
            at -= 1
        if at >= 0:
            return streak
        # A streak longer than the days at hand goes on before them.
        return streak + self._run_ending(days[0] - timedelta(days=1), doses_per_day)

    def _run_ending(self, last: date, doses_per_day: int) -> int:
        """Return how many consecutive covered days end at `last`.

        The run found is kept, so the next day's question walks one day, not
        years of an unbroken streak.
        """
        known = self._runs.get(doses_per_day)
        length = 0
        day = last
        while self.doses_on(day) >= doses_per_day:
            if known is not None and day == known[0]:
                length += known[1]
                break
            length += 1
            day -= timedelta(days=1)
        self._runs[doses_per_day] = (last, length)
        return length

    def _forget_runs(self, day: date, before: int, after: int) -> None:
        """Drop kept runs that a day's new dose count may have changed."""
        for doses_per_day, (last, _) in list(self._runs.items()):
            if day <= last and (before >= doses_per_day) != (after >= doses_per_day):
                del self._runs[doses_per_day]
