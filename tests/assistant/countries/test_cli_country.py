"""`assistant country <code-or-name> [--json]`."""

from __future__ import annotations

import json

KEYS = {"code", "name", "languages", "currency", "calling_code", "zones", "weekend",
        "first_day_of_week", "holidays_next", "card"}


def test_json_for_a_country_with_a_card(run_cli):
    code, out, err = run_cli("country", "Saudi Arabia", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == KEYS
    assert data["code"] == "SA" and data["name"] == "Saudi Arabia"
    assert data["weekend"] == [5, 6] and data["first_day_of_week"] == 7
    assert data["calling_code"] == "+966"
    assert data["currency"]["code"] == "SAR"
    assert data["zones"] == ["Asia/Riyadh"]
    assert data["languages"][0]["code"] == "ar"
    assert all(set(h) == {"date", "name"} for h in data["holidays_next"])
    assert data["holidays_next"], "Saudi Arabia has holidays every year"
    assert data["card"]["code"] == "SA"
    assert data["card"]["business_hours"]["days"] == [7, 1, 2, 3, 4]


def test_json_by_code_and_foreign_name(run_cli):
    code, out, _ = run_cli("country", "ae", "--json")
    assert code == 0 and json.loads(out)["weekend"] == [6, 7]
    code, out, _ = run_cli("country", "Allemagne", "--json")
    assert code == 0 and json.loads(out)["code"] == "DE"


def test_country_without_a_card_has_null(run_cli):
    code, out, _ = run_cli("country", "IR", "--json")
    data = json.loads(out)
    assert code == 0 and data["card"] is None and data["weekend"] == [5]


def test_unknown_country_fails_clearly(run_cli):
    code, out, err = run_cli("country", "Atlantis", "--json")
    assert code != 0 and out == ""
    assert "unknown country 'Atlantis'" in err


def test_ambiguous_name_lists_candidates(run_cli):
    code, out, err = run_cli("country", "united")
    assert code != 0 and out == ""
    assert "US (United States)" in err and "GB (United Kingdom)" in err


def test_text_output(run_cli):
    code, out, _ = run_cli("country", "EG")
    assert code == 0
    assert "Egypt (EG)" in out
    assert "weekend: Fri, Sat" in out and "first day of week: Sat" in out
    code, out, _ = run_cli("country", "PE")
    assert "no etiquette card yet" in out


def test_full_card_text(run_cli):
    code, out, _ = run_cli("country", "JP", "--full")
    assert code == 0
    assert "Key phrases (Japanese)" in out and "お待たせいたしました" in out
    assert "Tendencies, not rules" in out
