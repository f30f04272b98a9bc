"""Unit tests for the timeline: which entries overlap a range."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.migraine_tracker.records import DiaryRecords, Dose, Episode
from custom_components.migraine_tracker.timeline import DOSE_DURATION, Timeline


def at(hour: float, day: int = 10) -> datetime:
    """Return a UTC moment on a day of June 2026."""
    return datetime(2026, 6, day, tzinfo=UTC) + timedelta(hours=hour)


def dose(entry_id: str, taken_at: datetime) -> Dose:
    """Return a 400 mg dose."""
    return Dose(entry_id, taken_at, 400)


def episode(
    entry_id: str, started_at: datetime, ended_at: datetime | None = None
) -> Episode:
    """Return an episode."""
    return Episode(entry_id, started_at, ended_at)


FAR = at(0, day=30)


def ids(timeline: Timeline, start: datetime, end: datetime) -> list[str]:
    """Return the ids of the entries overlapping [start, end), by start."""
    return [span.entry.id for span in timeline.overlapping(start, end, FAR)]


def test_empty_timeline() -> None:
    """An empty diary has nothing in any range and no current event."""
    timeline = Timeline([], [])
    assert ids(timeline, at(0), at(24)) == []
    assert timeline.current_or_next(at(12), FAR) is None


def test_doses_are_minutes_and_ranges_are_half_open() -> None:
    """A dose occupies one minute; the range's end is excluded."""
    timeline = Timeline(
        [dose("late", at(23.99)), dose("early", at(8)), dose("noon", at(12))], []
    )
    assert ids(timeline, at(0), at(24)) == ["early", "noon", "late"]
    assert ids(timeline, at(8), at(12)) == ["early"]
    # The dose at 23:59:24 reaches past midnight, into the next day's range.
    assert ids(timeline, at(24), at(48)) == ["late"]
    # Its minute is over before 12:01.
    assert ids(timeline, at(12) + DOSE_DURATION, at(13)) == []
    assert ids(timeline, at(12) + DOSE_DURATION / 2, at(13)) == ["noon"]
    span = timeline.overlapping(at(12), at(13), FAR)[0]
    assert (span.start, span.end) == (at(12), at(12) + DOSE_DURATION)


def test_episodes_cut_by_a_range() -> None:
    """Episodes starting before a range and reaching into it are included."""
    timeline = Timeline(
        [],
        [
            episode("long", at(-30), at(2)),  # two days, ends in the range
            episode("before", at(-10), at(-5)),
            episode("inside", at(5), at(7)),
            episode("after", at(24), at(26)),
            episode("around", at(-1), at(30)),
        ],
    )
    assert ids(timeline, at(0), at(24)) == ["long", "around", "inside"]
    assert ids(timeline, at(2), at(3)) == ["around"]  # "long" ends at 02:00
    assert ids(timeline, at(-40), at(-29)) == ["long"]


def test_zero_length_episode_counts_where_it_happens() -> None:
    """An episode that ends as it starts shows in the range holding its moment."""
    timeline = Timeline([], [episode("blink", at(6), at(6))])
    assert ids(timeline, at(6), at(7)) == ["blink"]
    assert ids(timeline, at(5), at(6)) == []


def test_ongoing_episode_ends_where_told() -> None:
    """The ongoing episode is shown up to the open end it is given."""
    ongoing = episode("now", at(9))
    timeline = Timeline([dose("d", at(8))], [ongoing])
    spans = timeline.overlapping(at(0), at(24), at(22))
    assert [(span.entry.id, span.end) for span in spans] == [
        ("d", at(8) + DOSE_DURATION),
        ("now", at(22)),
    ]
    assert timeline.overlapping(at(30), at(40), at(22)) == []
    assert timeline.current_or_next(at(12), at(24)) is not None
    # An open end before the start (a start a few minutes ahead) is the start.
    span = Timeline([], [episode("soon", at(12))]).overlapping(at(0), at(24), at(11))
    assert (span[0].start, span[0].end) == (at(12), at(12))


def test_current_or_next_picks_the_earliest_unfinished() -> None:
    """The calendar's event is the unfinished span that started first."""
    doses = [dose("old", at(1)), dose("fresh", at(12)), dose("ahead", at(12.05))]
    timeline = Timeline(
        doses, [episode("done", at(2), at(3)), episode("ending", at(10), at(12.5))]
    )
    assert (span := timeline.current_or_next(at(12), FAR)) is not None
    assert span.entry.id == "ending"
    assert timeline.current_or_next(at(12.6), FAR) is None
    only_doses = Timeline(doses, [])
    assert (span := only_doses.current_or_next(at(12), FAR)) is not None
    assert span.entry.id == "fresh"
    # Between the two doses: the next one, a few minutes ahead.
    assert (span := only_doses.current_or_next(at(12.02), FAR)) is not None
    assert span.entry.id == "ahead"
    ongoing = Timeline([dose("fresh", at(12))], [episode("on", at(11))])
    assert (span := ongoing.current_or_next(at(12), at(24))) is not None
    assert (span.entry.id, span.end) == ("on", at(24))
    assert ongoing.current_or_next(at(25), at(24)) is None


def test_following_changes_matches_sorting_again() -> None:
    """A timeline that follows changes answers as one built from scratch."""
    now = at(0, day=28)
    records = DiaryRecords(at(0, day=1))
    timeline = Timeline([], [])

    def do(plan: str, **fields: object) -> None:
        change = getattr(records, plan)(**fields)
        records.apply(change)
        timeline.apply(change)
        rebuilt = Timeline(records.doses.values(), records.episodes.values())
        for day in range(1, 29):
            assert ids(timeline, at(0, day), at(24, day)) == ids(
                rebuilt, at(0, day), at(24, day)
            )
            assert timeline.current_or_next(at(12, day), FAR) == (
                rebuilt.current_or_next(at(12, day), FAR)
            )
        assert timeline.ongoing == rebuilt.ongoing

    for day in (5, 3, 9, 3):
        do("plan_log_dose", now=now, amount_mg=400, taken_at=at(8, day))
    do("plan_log_episode", now=now, started_at=at(6, 4), ended_at=at(30, 4))
    do("plan_log_episode", now=now, started_at=at(6, 7), ended_at=at(8, 7))
    do("plan_log_episode", now=now, started_at=at(6, 20))
    do("plan_end_episode", now=now, ended_at=at(9, 20))
    do("plan_undo")
    do("plan_undo")
    longest = next(e for e in records.episodes.values() if e.started_at == at(6, 4))
    do("plan_delete", entry_id=longest.id)
    do(
        "plan_update",
        now=now,
        entry_id=next(iter(records.doses)),
        fields={"taken_at": at(8, 12)},
    )
    do("plan_undo")


def test_timeline_follows_changes() -> None:
    """Entries added and removed one by one keep the timeline in order."""
    timeline = Timeline([], [])
    twin_a, twin_b = dose("a", at(8)), dose("b", at(8))
    for entry in (dose("late", at(20)), twin_a, twin_b, episode("long", at(1), at(9))):
        timeline.add(entry)
    timeline.add(episode("short", at(10), at(11)))
    timeline.add(episode("now", at(12)))
    assert ids(timeline, at(0), at(24)) == ["long", "a", "b", "short", "now", "late"]
    # Two doses at the same moment: the right one goes.
    timeline.remove(twin_b)
    timeline.remove(episode("long", at(1), at(9)))
    timeline.remove(episode("now", at(12)))
    assert ids(timeline, at(0), at(24)) == ["a", "short", "late"]
    # The longest episode is gone: episodes long before a range are skipped.
    assert ids(timeline, at(11.5), at(24)) == ["late"]
    timeline.remove(episode("short", at(10), at(11)))
    assert ids(timeline, at(0), at(24)) == ["a", "late"]
