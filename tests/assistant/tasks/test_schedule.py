"""SLA arithmetic on the team's schedule: weekends, holidays, clock changes."""

from datetime import date, time, timedelta

import pytest

from assistant.tasks.config import QueueConfig
from assistant.tasks.schedule import ScheduleError, TeamSchedule
from assistant.tasks.sla import deadlines
from assistant.tasks.timeutil import utc

PARIS = TeamSchedule("Europe/Paris", holidays_country="FR")
H = timedelta(hours=1)


def test_time_inside_one_working_day():
    # Monday 10:00 Paris (09:00 UTC) + 3 business hours = 13:00 Paris
    assert PARIS.add_business_time(utc(2026, 11, 23, 9), 3 * H) == utc(2026, 11, 23, 12)


def test_before_opening_starts_counting_at_opening():
    # Monday 07:00 Paris + 1 h = 10:00 Paris
    assert PARIS.add_business_time(utc(2026, 11, 23, 6), H) == utc(2026, 11, 23, 9)


def test_friday_evening_carries_over_the_weekend():
    # Friday 16:00 Paris + 2 h: 1 h on Friday, 1 h on Monday -> Monday 10:00 Paris
    assert PARIS.add_business_time(utc(2026, 11, 27, 15), 2 * H) == utc(2026, 11, 30, 9)


def test_saturday_start_counts_from_monday_opening():
    assert PARIS.add_business_time(utc(2026, 11, 28, 12), 8 * H) == utc(2026, 11, 30, 16)


def test_public_holidays_are_skipped():
    # Thursday 24 Dec 16:00 + 2 h: Christmas Friday, then the weekend -> Monday 28 Dec 10:00
    assert PARIS.add_business_time(utc(2026, 12, 24, 15), 2 * H) == utc(2026, 12, 28, 9)
    # Armistice day (Wed 11 Nov) is a French holiday: Tuesday 16:00 + 2 h -> Thursday 10:00
    assert PARIS.add_business_time(utc(2026, 11, 10, 15), 2 * H) == utc(2026, 11, 12, 9)
    # without a holiday calendar the same start lands on Wednesday
    plain = TeamSchedule("Europe/Paris")
    assert plain.add_business_time(utc(2026, 11, 10, 15), 2 * H) == utc(2026, 11, 11, 9)


def test_team_days_off_are_skipped():
    schedule = TeamSchedule("Europe/Paris", extra_holidays=frozenset({date(2026, 11, 24)}))
    assert schedule.add_business_time(utc(2026, 11, 23, 15), 2 * H) == utc(2026, 11, 25, 9)


def test_weekend_over_the_spring_clock_change():
    # Friday 27 March 16:00 CET (15:00 UTC) + 2 h -> Monday 30 March 10:00 CEST (08:00 UTC)
    assert PARIS.add_business_time(utc(2026, 3, 27, 15), 2 * H) == utc(2026, 3, 30, 8)


def test_weekend_over_the_autumn_clock_change():
    # Friday 23 October 16:00 CEST (14:00 UTC) + 2 h -> Monday 26 October 10:00 CET (09:00 UTC)
    assert PARIS.add_business_time(utc(2026, 10, 23, 14), 2 * H) == utc(2026, 10, 26, 9)


def test_a_window_across_a_clock_change_counts_real_hours():
    night = TeamSchedule("Europe/Paris", start=time(0, 0), end=time(6, 0), workdays=frozenset(range(7)))
    # 29 March: 00:00-06:00 local is only 5 real hours (02:00-03:00 never happens)
    opens, closes = night.window(date(2026, 3, 29))
    assert closes - opens == 5 * H
    # Saturday and Sunday, midnight to midnight local: 6 h + 5 h
    assert night.business_time_between(utc(2026, 3, 27, 23), utc(2026, 3, 29, 22)) == 11 * H
    # 25 October: 00:00-06:00 local lasts 7 real hours (02:00-03:00 happens twice)
    opens, closes = night.window(date(2026, 10, 25))
    assert closes - opens == 7 * H


def test_opening_time_inside_a_gap_opens_at_the_jump():
    schedule = TeamSchedule("Europe/Paris", start=time(2, 30), end=time(10, 0), workdays=frozenset(range(7)))
    opens, _closes = schedule.window(date(2026, 3, 29))
    assert opens == utc(2026, 3, 29, 1)  # 03:00 CEST, when the clocks jump


def test_business_time_between_is_the_inverse_of_adding():
    start = utc(2026, 12, 23, 14)
    for hours in (1, 5, 8, 13, 30):
        end = PARIS.add_business_time(start, hours * H)
        assert PARIS.business_time_between(start, end) == hours * H


def test_a_schedule_without_working_time_is_an_error():
    closed = TeamSchedule("Europe/Paris", workdays=frozenset({0}),
                          extra_holidays=frozenset())
    assert closed.add_business_time(utc(2026, 11, 24, 9), H) == utc(2026, 11, 30, 9)
    never = TeamSchedule("Europe/Paris", start=time(9), end=time(9, 0))
    with pytest.raises(ScheduleError):
        never.add_business_time(utc(2026, 11, 24, 9), H)


def test_sla_deadlines_per_priority_and_clock():
    config = QueueConfig.defaults(schedule={"zone": "Europe/Paris", "holidays_country": "FR"})
    friday_late = utc(2026, 11, 27, 15)  # 16:00 Paris
    urgent = deadlines(config, "urgent", friday_late)  # calendar hours: the weekend counts
    assert urgent.response_due_at == friday_late + H
    assert urgent.resolution_due_at == friday_late + 4 * H
    high = deadlines(config, "high", friday_late)  # business hours
    assert high.response_due_at == utc(2026, 11, 30, 9)   # 1 h Friday + 1 h Monday
    assert high.resolution_due_at == utc(2026, 11, 30, 15)  # 1 h Friday + 7 h Monday


def test_sla_settings_are_editable(db):
    from assistant.tasks import config as cfg

    cfg.save(db, cfg.SLA_KEY, {"high": {"response_hours": 0.5, "clock": "calendar"}})
    loaded = cfg.QueueConfig.load(db)
    assert loaded.sla["high"] == {"response_hours": 0.5, "resolution_hours": 8, "clock": "calendar"}
    assert loaded.sla["normal"] == cfg.DEFAULT_SLA["normal"]
