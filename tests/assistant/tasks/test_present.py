"""What the agent reads: countdowns, times in both zones, the typed-time preview."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names

from assistant.customer import CustomerContext
from assistant.tasks.model import Task
from assistant.tasks.present import both_times, countdown, details, read_time_input, short_both
from assistant.tasks.timeutil import utc

NOW = utc(2026, 11, 24, 9)  # Tuesday 10:00 Paris, 18:00 Tokyo
H = timedelta(hours=1)


def wall(instant, zone: str, day: bool = True, month: bool = True, abbreviation: bool = True) -> str:
    """"Tue 24 Nov 10:00 CET" from the installed CLDR's English names and the tz database's
    abbreviation (both belong to data releases, so they are read, not spelled out here)."""
    local = instant.astimezone(ZoneInfo(zone))
    parts = [get_day_names("abbreviated", locale="en")[local.weekday()]] if day else []
    parts += [str(local.day), get_month_names("abbreviated", locale="en")[local.month]] if month else []
    parts.append(f"{local:%H:%M}")
    return " ".join(parts + ([local.tzname()] if abbreviation else []))


def test_countdown_shows_real_remaining_time_or_breach_age():
    task = Task("x", response_due_at=NOW + 90 * timedelta(minutes=1), resolution_due_at=NOW + 5 * H)
    assert countdown(task, NOW) == "1 h 30 min left"
    assert countdown(task, NOW + 2 * H) == "breached 30 min ago"
    assert countdown(task.with_changes(responded_at=NOW), NOW) == "5 h 00 min left"
    assert countdown(task, NOW + 4 * 24 * H) == "breached 3 d 22 h ago"
    assert countdown(task.with_changes(status="done"), NOW) == ""


def test_times_in_both_zones():
    from assistant.clock import hours

    hours.set_hour_cycle("24")
    paris, tokyo = wall(NOW, "Europe/Paris"), wall(NOW, "Asia/Tokyo")
    assert paris.split()[1] == "24" and paris.split()[-2] == "10:00"
    assert both_times(NOW, "Europe/Paris", "Asia/Tokyo") == f"{paris} · customer {tokyo}"
    assert tokyo.split()[-2] == "18:00"
    assert both_times(NOW, "Europe/Paris", "Europe/Berlin") == paris  # same clock
    assert both_times(NOW, "Europe/Paris", None) == paris
    later = NOW + 20 * H
    assert short_both(later, "Europe/Paris", "Asia/Tokyo", NOW) == \
        f"{wall(later, 'Europe/Paris', month=False, abbreviation=False)} · their " \
        f"{wall(later, 'Asia/Tokyo', month=False, abbreviation=False)}"
    assert short_both(NOW - 10 * timedelta(minutes=1), "Europe/Paris", "Asia/Tokyo", NOW) == "09:50 · their 17:50"
    assert short_both(NOW + 30 * 24 * H, "Europe/Paris", None, NOW) == \
        wall(NOW + 30 * 24 * H, "Europe/Paris", day=False, abbreviation=False)


def test_typed_time_preview():
    from assistant.clock import hours

    hours.set_hour_cycle("24")
    parsed, text, twice = read_time_input("tomorrow 10:00 their time", NOW, "Europe/Paris", "Asia/Tokyo")
    assert parsed.instant == utc(2026, 11, 25, 1) and not twice
    instant = utc(2026, 11, 25, 1)
    assert text == f"You: {wall(instant, 'Europe/Paris')}\nCustomer: {wall(instant, 'Asia/Tokyo')}\nin 16 h 00 min"
    assert read_time_input("", NOW, "Europe/Paris", None) == (None, "", False)
    parsed, text, twice = read_time_input("2026-10-25T02:30", NOW, "Europe/Paris", None)
    assert parsed is None and twice and "twice" in text
    parsed, text, twice = read_time_input("2026-10-25T02:30", NOW, "Europe/Paris", None, fold=1)
    assert parsed.instant == utc(2026, 10, 25, 1, 30) and "in the past" in text
    parsed, text, twice = read_time_input("2027-03-28T02:30", NOW, "Europe/Paris", None)
    assert parsed is None and not twice and "does not exist" in text


def test_details_are_complete():
    from assistant.clock import hours

    hours.set_hour_cycle("24")
    task = Task("Refund", priority="high", channel="call", external_ref="T-1", tags=("a", "b"), notes="note",
                customer=CustomerContext(name="Ito", country="JP", zone="Asia/Tokyo"),
                response_due_at=NOW + H, resolution_due_at=NOW + H, follow_up_at=NOW + 2 * H,
                snoozed_until=NOW + H)
    assert details(task, NOW, "Europe/Paris").split("\n") == [
        "Refund", "Customer: Ito · JP · Asia/Tokyo", "High · Open · Call · T-1",
        f"SLA: 1 h 00 min left (due {wall(NOW + H, 'Europe/Paris')} · customer {wall(NOW + H, 'Asia/Tokyo')})",
        f"Follow-up: {wall(NOW + 2 * H, 'Europe/Paris')} · customer {wall(NOW + 2 * H, 'Asia/Tokyo')}",
        f"Snoozed until {wall(NOW + H, 'Europe/Paris')}", "Tags: a, b", "note"]


def test_added_message_says_where_and_when_in_the_customers_time():
    from assistant.clock import hours

    hours.set_hour_cycle("24")  # the one 12/24-hour setting: 24 here, 12 is tested below
    from assistant.tasks.present import added_message

    tokyo = CustomerContext(name="Ito", zone="Asia/Tokyo")
    task = Task("Call back", customer=tokyo, follow_up_at=utc(2026, 11, 27, 1))  # Fri 10:00 in Tokyo
    fri = get_day_names("abbreviated", locale="en")[4]
    assert added_message(task, "Upcoming", NOW, "Europe/Paris") == f"Added to Upcoming — follow-up {fri} 10:00 their time"
    same_clock = Task("Call back", follow_up_at=utc(2026, 11, 27, 9))
    assert added_message(same_clock, "Upcoming", NOW, "Europe/Paris") == f"Added to Upcoming — follow-up {fri} 10:00"
    assert added_message(Task("Call back"), "Now", NOW, "Europe/Paris") == "Added to Now: “Call back”."


def test_a_follow_up_after_the_deadline_is_flagged():
    from assistant.clock import hours

    hours.set_hour_cycle("24")  # the one 12/24-hour setting: 24 here, 12 is tested below
    from assistant.tasks.present import late_follow_up

    deadline = NOW + 4 * H
    assert late_follow_up(NOW + 3 * H, deadline, "Europe/Paris", None, NOW) == ""
    assert late_follow_up(None, deadline, "Europe/Paris", None, NOW) == ""
    warning = late_follow_up(NOW + 5 * H, deadline, "Europe/Paris", "Asia/Tokyo", NOW)
    assert "after the SLA deadline" in warning and "22:00 their time" in warning  # 14:00 Paris = 22:00 Tokyo


def test_queue_times_follow_the_hour_cycle():
    from assistant.clock import hours
    from assistant.tasks.present import local_text

    assert short_both(NOW - 10 * timedelta(minutes=1), "Europe/Paris", "Asia/Tokyo", NOW).startswith("9:50")
    assert local_text(NOW, "Europe/Paris", with_zone=False).endswith("10:00 AM")
    hours.set_hour_cycle("24")
    assert short_both(NOW - 10 * timedelta(minutes=1), "Europe/Paris", "Asia/Tokyo", NOW) == "09:50 · their 17:50"
