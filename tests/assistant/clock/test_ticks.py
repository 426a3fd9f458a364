from datetime import datetime, timezone

from assistant.clock.ticks import SLACK_MS, minute_key, ms_to_next_minute


def test_interval_reaches_past_the_next_minute():
    t = datetime(2025, 1, 15, 10, 0, 59, 990_000, tzinfo=timezone.utc)
    assert ms_to_next_minute(t) == 10 + SLACK_MS
    t = datetime(2025, 1, 15, 10, 0, 0, tzinfo=timezone.utc)
    assert ms_to_next_minute(t) == 60_000 + SLACK_MS
    t = datetime(2025, 1, 15, 10, 0, 30, 500_500, tzinfo=timezone.utc)
    assert ms_to_next_minute(t) == 29_500 + SLACK_MS  # rounded up, never short of the boundary


def test_minute_key():
    a = datetime(2025, 1, 15, 10, 0, 1, tzinfo=timezone.utc)
    b = datetime(2025, 1, 15, 10, 0, 59, tzinfo=timezone.utc)
    c = datetime(2025, 1, 15, 10, 1, 0, tzinfo=timezone.utc)
    assert minute_key(a) == minute_key(b) != minute_key(c)
