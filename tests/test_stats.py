"""Unit tests for the day arithmetic over crafted histories (no Home Assistant)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.migraine_tracker.records import DiaryRecords, Dose, Episode
from custom_components.migraine_tracker.stats import (
    DayIndex,
    local_date,
    next_midnight,
    start_of_day,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 6, 15)


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = BERLIN) -> datetime:
    """Return a local moment on a day."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def ago(days: int) -> date:
    """Return the date that many days before TODAY."""
    return TODAY - timedelta(days=days)


def index_of(*entries: Dose | Episode, tz: ZoneInfo = BERLIN) -> DayIndex:
    """Index some entries."""
    index = DayIndex(tz)
    for entry in entries:
        index.add(entry)
    return index


def dose(moment: datetime, entry_id: str | None = None) -> Dose:
    """Return a 400 mg dose."""
    return Dose(entry_id or f"d{moment.isoformat()}", moment.astimezone(UTC), 400)


def episode(start: datetime, end: datetime | None, entry_id: str = "e") -> Episode:
    """Return an episode."""
    return Episode(
        entry_id, start.astimezone(UTC), end.astimezone(UTC) if end else None
    )


def stats_of(index: DayIndex, *, per_day: int = 1, created: date = date(2026, 1, 1)):
    """Return the numbers for TODAY."""
    return index.stats(TODAY, per_day, created)


def test_empty_diary() -> None:
    """A new diary has no migraine, no adherence yet, no streak."""
    stats = index_of().stats(TODAY, 1, TODAY)
    assert stats.days_since_last_migraine is None
    assert stats.last_migraine is None
    assert stats.migraine_days_30d == 0
    assert stats.dose_adherence_7d is None
    assert stats.dose_adherence_30d is None
    assert stats.dose_streak == 0
    assert stats.doses_today == 0
    assert stats.last_dose is None
    assert not stats.dose_taken_today
    assert not stats.migraine_ongoing


def test_days_since_counts_calendar_days_from_the_latest_end() -> None:
    """An episode ended yesterday evening gives 1; the latest end wins."""
    late_night = episode(at(ago(1), 20), at(ago(1), 23, 50), "late")
    assert stats_of(index_of(late_night)).days_since_last_migraine == 1
    # An older episode that ended later than a newer one started still counts.
    long_one = episode(at(ago(10), 8), at(ago(3), 9), "long")
    short_one = episode(at(ago(5), 8), at(ago(5), 10), "short")
    stats = stats_of(index_of(long_one, short_one))
    assert stats.days_since_last_migraine == 3
    assert stats.last_migraine == short_one.started_at
    ended_today = episode(at(TODAY, 0, 5), at(TODAY, 2), "today")
    assert stats_of(index_of(ended_today)).days_since_last_migraine == 0


def test_ongoing_episode_is_zero_days_and_touches_every_day_to_today() -> None:
    """While an episode goes on, days since is 0 and each of its days counts."""
    ongoing = episode(at(ago(2), 22), None)
    stats = stats_of(index_of(ongoing))
    assert stats.migraine_ongoing
    assert stats.days_since_last_migraine == 0
    assert stats.migraine_days_30d == 3


def test_migraine_days_are_distinct_dates_in_the_window() -> None:
    """Overlapping episodes count a date once; days before the window do not."""
    stats = stats_of(
        index_of(
            episode(at(ago(35), 10), at(ago(28), 10), "spans-window-start"),
            episode(at(ago(10), 22), at(ago(9), 3), "overnight"),
            episode(at(ago(9), 14), at(ago(9), 18), "same-day"),
            episode(at(ago(40), 10), at(ago(40), 12), "too-old"),
        )
    )
    # ago(29), ago(28) from the first; ago(10), ago(9) from the others.
    assert stats.migraine_days_30d == 4


def test_removing_entries_undoes_their_counts() -> None:
    """Tallies and extremes follow removals."""
    first = episode(at(ago(4), 10), at(ago(4), 12), "first")
    second = episode(at(ago(2), 10), at(ago(2), 12), "second")
    early = dose(at(ago(50), 9), "early")
    late = dose(at(TODAY, 9), "late")
    index = index_of(first, second, early, late)
    index.remove(second)
    index.remove(late)
    stats = stats_of(index, created=TODAY)
    assert stats.days_since_last_migraine == 4
    assert stats.migraine_days_30d == 1
    assert stats.last_dose == early.taken_at
    assert stats.tracking_start == ago(50)
    index.remove(early)
    index.remove(first)
    stats = stats_of(index, created=TODAY)
    assert stats.days_since_last_migraine is None
    assert stats.last_dose is None
    assert stats.tracking_start == TODAY


def test_adherence_leaves_out_today_until_its_target_is_met() -> None:
    """Eligible days are the window's dates, today only once covered."""
    # Doses on 5 of the last 6 days (not 3 days ago), none today yet.
    doses = [dose(at(ago(n), 21)) for n in (1, 2, 4, 5, 6)]
    stats = stats_of(index_of(*doses), created=ago(100))
    assert stats.dose_adherence_7d == round(5 / 6 * 100, 1)
    assert stats.dose_streak == 2
    assert not stats.dose_taken_today
    stats = stats_of(index_of(*doses, dose(at(TODAY, 8))), created=ago(100))
    assert stats.dose_adherence_7d == round(6 / 7 * 100, 1)
    assert stats.dose_streak == 3
    assert stats.dose_taken_today
    assert stats.doses_today == 1


def test_tracking_start_limits_the_window() -> None:
    """Days before the diary was created, or before its first dose, are not eligible."""
    created_three_days_ago = stats_of(index_of(dose(at(ago(1), 9))), created=ago(3))
    # Eligible: ago(3), ago(2), ago(1); covered: ago(1).
    assert created_three_days_ago.dose_adherence_30d == 33.3
    assert created_three_days_ago.tracking_start == ago(3)
    backdated = stats_of(
        index_of(dose(at(ago(10), 9)), dose(at(ago(1), 9))), created=ago(3)
    )
    # A dose taken before the diary existed moves the start back.
    assert backdated.tracking_start == ago(10)
    assert backdated.dose_adherence_30d == 20.0
    # Created today, nothing taken: no eligible day at all.
    assert stats_of(index_of(), created=TODAY).dose_adherence_7d is None


def test_two_doses_a_day_target() -> None:
    """A day with one of two doses is not covered."""
    doses = [
        dose(at(ago(2), 8)),
        dose(at(ago(2), 20)),
        dose(at(ago(1), 8)),
        dose(at(TODAY, 8)),
    ]
    stats = stats_of(index_of(*doses), per_day=2, created=ago(2))
    assert stats.doses_today == 1
    assert not stats.dose_taken_today
    assert stats.dose_adherence_7d == 50.0
    assert stats.dose_streak == 0
    stats = stats_of(index_of(*doses, dose(at(TODAY, 20))), per_day=2, created=ago(2))
    assert stats.dose_taken_today
    assert stats.dose_adherence_7d == round(2 / 3 * 100, 1)
    assert stats.dose_streak == 1


def test_doses_fall_on_their_local_date() -> None:
    """A dose at 00:30 Berlin time is that day's, though it is the day before in UTC."""
    just_after_midnight = dose(at(TODAY, 0, 30))
    assert just_after_midnight.taken_at.date() == ago(1)
    assert stats_of(index_of(just_after_midnight)).doses_today == 1


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)],
    ids=["spring-forward", "fall-back"],
)
def test_dst_days_have_their_real_length(day: date, hours: int) -> None:
    """Midnight to midnight spans 23 or 25 hours on DST days."""
    start = start_of_day(day, BERLIN)
    end = next_midnight(start, BERLIN)
    assert end - start == timedelta(hours=hours)
    assert local_date(end, BERLIN) == day + timedelta(days=1)
    assert next_midnight(end - timedelta(microseconds=1), BERLIN) == end


def test_next_midnight_where_midnight_does_not_exist() -> None:
    """Where clocks skip midnight, the day starts at the jump."""
    santiago = ZoneInfo("America/Santiago")
    # Chile moved clocks from 00:00 to 01:00 on 2026-09-06.
    evening = datetime(2026, 9, 5, 22, 0, tzinfo=santiago)
    midnight = next_midnight(evening, santiago)
    assert local_date(midnight, santiago) == date(2026, 9, 6)
    assert midnight - evening.astimezone(UTC) <= timedelta(hours=2)
    assert local_date(midnight - timedelta(seconds=1), santiago) == date(2026, 9, 5)


def test_streak_across_dst_nights() -> None:
    """A streak running through both DST changes counts each calendar day once."""
    spring = [date(2026, 3, 27) + timedelta(days=n) for n in range(5)]
    doses = [dose(at(day, 23, 30)) for day in spring]
    index = index_of(*doses)
    stats = index.stats(date(2026, 3, 31), 1, date(2026, 1, 1))
    assert stats.dose_streak == 5
    fall = [date(2026, 10, 23) + timedelta(days=n) for n in range(5)]
    index = index_of(*(dose(at(day, 0, 30)) for day in fall))
    stats = index.stats(date(2026, 10, 27), 1, date(2026, 10, 23))
    assert stats.dose_streak == 5
    assert stats.dose_adherence_7d == 100.0


def test_a_diary_spanning_a_time_zone_change() -> None:
    """Dates follow the time zone the index is built in, as when a user moves."""
    records = DiaryRecords(datetime(2026, 6, 1, tzinfo=UTC))
    # 23:30 in Berlin is 17:30 in New York: the same day in both.
    # 03:00 in Berlin is 21:00 the day before in New York.
    for moment in (at(ago(2), 23, 30), at(ago(1), 3, 0)):
        change = records.plan_log_dose(
            now=datetime(2026, 6, 15, 12, tzinfo=UTC), amount_mg=400, taken_at=moment
        )
        records.apply(change)
    in_berlin = DayIndex.build(records, BERLIN)
    in_new_york = DayIndex.build(records, NEW_YORK)
    assert in_berlin.doses_on(ago(2)) == 1
    assert in_berlin.doses_on(ago(1)) == 1
    assert in_new_york.doses_on(ago(2)) == 2
    assert in_new_york.doses_on(ago(1)) == 0


def test_index_follows_applied_and_reverted_changes() -> None:
    """Apply and revert keep the index in step with the records."""
    now = datetime(2026, 6, 15, 10, tzinfo=UTC)
    records = DiaryRecords(now)
    index = DayIndex.build(records, BERLIN)
    change = records.plan_log_dose(now=now, amount_mg=400)
    records.apply(change)
    index.apply(change)
    assert index.stats(TODAY, 1, TODAY).doses_today == 1
    records.revert(change)
    index.revert(change)
    assert index.stats(TODAY, 1, TODAY).doses_today == 0


@pytest.mark.parametrize("today_taken", [True, False])
def test_a_streak_longer_than_every_window(today_taken: bool) -> None:
    """A streak of 45 days counts past the 30 days the windows look at."""
    days = [ago(n) for n in range(0 if today_taken else 1, 45)]
    index = index_of(*(dose(at(day, 8)) for day in days))
    stats = stats_of(index)
    assert stats.dose_streak == 44 + today_taken
    assert stats.dose_adherence_30d == 100.0
    assert stats.dose_adherence_7d == 100.0


def test_a_ten_year_streak_follows_edits_and_new_days() -> None:
    """The kept run of a long streak is dropped when an edit breaks or mends it."""
    first = TODAY - timedelta(days=3650)
    doses = {n: dose(at(first + timedelta(days=n), 9), f"d{n}") for n in range(3651)}
    index = index_of(*doses.values())
    assert index.stats(TODAY, 1, first).dose_streak == 3651
    # The next day, once covered, walks one day on from what it kept.
    tomorrow = TODAY + timedelta(days=1)
    index.add(dose(at(tomorrow, 9), "tomorrow"))
    assert index.stats(tomorrow, 1, first).dose_streak == 3652
    # Deleting a dose years ago breaks the streak there ...
    index.remove(doses[1000])
    assert index.stats(tomorrow, 1, first).dose_streak == 3652 - 1001
    # ... a second dose on a covered day changes nothing ...
    index.add(dose(at(first + timedelta(days=2000), 20), "extra"))
    assert index.stats(tomorrow, 1, first).dose_streak == 3652 - 1001
    # ... and logging the missing day mends it.
    index.add(doses[1000])
    assert index.stats(tomorrow, 1, first).dose_streak == 3652
    # A target of two keeps its own run: only the day with two doses counts.
    assert index.stats(tomorrow, 2, first).dose_streak == 0
