import json
from datetime import date

import holidays
import pytest

KEYS = {"country", "zones", "zone", "languages", "local_time", "utc_offset", "abbreviation",
        "status", "holiday", "next_transition", "offset_after"}


def test_customer_json_for_a_city(run_cli):
    code, out, err = run_cli("customer", "Sydney", "--at", "2025-01-15T00:00:00Z", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert KEYS <= set(data)
    assert data["country"] == "AU" and data["zone"] == "Australia/Sydney"
    assert data["zones"] == ["Australia/Sydney"] and data["languages"] == ["en"]
    assert data["local_time"] == "2025-01-15T11:00:00+11:00"
    assert (data["utc_offset"], data["abbreviation"], data["status"]) == ("+11:00", "AEDT", "business_hours")
    assert data["holiday"] is None
    assert data["next_transition"] == "2025-04-05T16:00:00Z" and data["offset_after"] == "+10:00"


def test_customer_json_ambiguous_phone_shows_the_likely_zone(run_cli):
    code, out, _ = run_cli("customer", "+34 612 345 678", "--at", "2025-01-15T10:00Z", "--json")
    data = json.loads(out)
    assert code == 0 and data["country"] == "ES" and data["zone"] == "Europe/Madrid"
    assert data["zone_likely"] is True
    assert set(data["zones"]) == {"Europe/Madrid", "Atlantic/Canary"}
    assert data["local_time"].startswith("2025-01-15T11:00") and data["status"]
    code, out, _ = run_cli("customer", "+34 612 345 678", "--at", "2025-01-15T10:00Z",
                           "--zone", "Atlantic/Canary", "--json")
    data = json.loads(out)
    assert data["zone"] == "Atlantic/Canary" and data["utc_offset"] == "+00:00"


def test_the_cli_reads_a_customer_as_the_customer_bar_does(run_cli, runtime):
    """A name before a comma, and a national number read in the default region."""
    from assistant import settings

    code, out, err = run_cli("customer", "Lucía, +52 55 1234 5678", "--at", "2025-01-15T18:00Z", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["name"], data["phone"], data["country"]) == ("Lucía", "+525512345678", "MX")
    assert data["zone"] == "America/Mexico_City" and data["description"].startswith("Lucía: ")
    settings.put(runtime.db, "customer.default_region", "MX")
    code, out, err = run_cli("customer", "55 1234 5678", "--json")
    assert code == 0, err
    assert json.loads(out)["phone"] == "+525512345678"


def test_customer_json_holiday_and_no_transition(run_cli):
    code, out, _ = run_cli("customer", "+1 212 555 0123", "--at", "2025-12-25T15:00Z", "--json")
    data = json.loads(out)
    assert data["zone"] == "America/New_York"
    christmas = holidays.country_holidays("US", years=2025)[date(2025, 12, 25)]
    assert (data["status"], data["holiday"]) == ("holiday", christmas)  # the installed release's name
    code, out, _ = run_cli("customer", "Asia/Calcutta", "--at", "2025-01-15T06:00Z", "--json")
    data = json.loads(out)
    assert data["zone"] == "Asia/Kolkata" and data["utc_offset"] == "+05:30"
    assert data["next_transition"] is None and data["offset_after"] is None


@pytest.mark.parametrize("argv", [
    ("customer", "Atlantis", "--json"),
    ("customer", "+1 555", "--json"),
    ("customer", "Manila", "--at", "2025-01-15T10:00", "--json"),  # no offset
    ("customer", "Manila", "--at", "yesterday", "--json"),
    ("customer", "+34 612 345 678", "--zone", "Asia/Tokyo", "--json"),
])
def test_customer_invalid_input(run_cli, argv):
    code, out, err = run_cli(*argv)
    assert code != 0 and out == "" and err.startswith("assistant: ")


def test_customer_text_output(run_cli):
    code, out, _ = run_cli("customer", "+34 612 345 678", "--at", "2025-01-15T10:00Z")
    assert code == 0 and "most likely zone; another with --zone: Atlantic/Canary" in out


def test_convert_json(run_cli):
    code, out, err = run_cli("convert", "--zone", "Asia/Kathmandu", "--local", "2025-01-17T15:00",
                             "--agent-zone", "Europe/London", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["utc"] == "2025-01-17T09:15:00Z"
    assert data["agent_local"] == "2025-01-17T09:15:00+00:00"
    assert data["utc_offset"] == "+05:45"


def test_convert_from_agent(run_cli):
    code, out, _ = run_cli("convert", "--zone", "Australia/Sydney", "--local", "2025-01-17T18:00",
                           "--agent-zone", "Europe/London", "--from-agent", "--json")
    data = json.loads(out)
    assert data["local"] == "2025-01-18T05:00" and data["day_difference"] == 1


def test_convert_gap_is_an_error(run_cli):
    code, out, err = run_cli("convert", "--zone", "Europe/Berlin", "--local", "2024-03-31T02:30",
                             "--agent-zone", "Asia/Kolkata", "--json")
    assert code != 0 and out == ""
    assert "does not exist" in err and "03:00" in err


def test_convert_fold_gives_both_candidates_then_accepts_a_choice(run_cli):
    argv = ["convert", "--zone", "Europe/Berlin", "--local", "2024-10-27T02:30",
            "--agent-zone", "Asia/Kolkata", "--json"]
    code, out, err = run_cli(*argv)
    assert code != 0 and out == ""
    assert "00:30 UTC" in err and "01:30 UTC" in err and "--fold" in err
    code, out, _ = run_cli(*argv, "--fold", "0")
    assert code == 0 and json.loads(out)["utc"] == "2024-10-27T00:30:00Z"


def test_convert_uses_the_agent_zone_setting(run_cli, runtime):
    from assistant import settings

    settings.put(runtime.db, "clock.agent_zone", "Asia/Calcutta")
    runtime.close()
    code, out, _ = run_cli("convert", "--zone", "Europe/Berlin", "--local", "2025-01-17T10:00", "--json")
    data = json.loads(out)
    assert code == 0 and data["agent_zone"] == "Asia/Kolkata"
    assert data["agent_local"] == "2025-01-17T14:30:00+05:30"


@pytest.mark.parametrize("local", ["2025-13-01T10:00", "tomorrow", "2025-01-17T10:00+01:00"])
def test_convert_bad_local_time(run_cli, local):
    code, out, err = run_cli("convert", "--zone", "Europe/Berlin", "--local", local,
                             "--agent-zone", "Asia/Kolkata")
    assert code != 0 and out == "" and "--local" in err


def test_convert_unknown_zone(run_cli):
    code, out, err = run_cli("convert", "--zone", "Mars/Base", "--local", "2025-01-17T10:00",
                             "--agent-zone", "Asia/Kolkata")
    assert code != 0 and out == "" and "Unknown time zone" in err
