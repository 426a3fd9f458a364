from datetime import datetime, timezone

import pytest

from assistant.translation import glossary
from assistant.translation.glossary import RestoreError, protect, restore

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


def test_protects_placeholders_emails_urls_order_numbers_and_terms():
    text = ("Hi {{ first_name }}, order ORD-2024-0042 (#55120) ships today; track it at "
            "https://track.example.com/a?b=1. Write to help@acme.example or call. Acme Cloud rocks.")
    p = protect(text, ["Acme Cloud"])
    assert p.originals == ("{{ first_name }}", "ORD-2024-0042", "#55120", "https://track.example.com/a?b=1",
                           "help@acme.example", "Acme Cloud")
    assert "⟦0⟧" in p.text and "⟦5⟧" in p.text and "{{" not in p.text and "@" not in p.text
    assert p.text.endswith("⟦5⟧ rocks.")
    assert "⟦3⟧. Write" in p.text  # the sentence's full stop is not part of the URL


def test_plain_numbers_and_partial_words_are_not_protected():
    p = protect("We will contact you within 24 hours. Acmeology is not Acme.", ["Acme"])
    assert p.originals == ("Acme",)
    assert p.text == "We will contact you within 24 hours. Acmeology is not ⟦0⟧."


@pytest.mark.parametrize("text, term", [("Built on.NET today", ".NET"), ("Try Yahoo!Mail now", "Yahoo!"),
                                        ("We use C++ daily", "C++"), ("(Acme) says hi", "(Acme)")])
def test_terms_that_begin_or_end_with_punctuation_are_found_touching_a_word(text, term):
    p = protect(text, [term])
    assert p.originals == (term,)
    assert restore(p.text, p) == text


def test_a_term_inside_a_longer_word_is_left_alone_at_its_letter_ends():
    assert protect("ASP.NETCore and NETwork", [".NET"]).originals == ()
    assert protect("Acme!s and xAcme! too", ["Acme!"]).originals == ("Acme!",)


def test_longest_term_wins_and_overlaps_are_resolved():
    p = protect("Acme Cloud Pro and Acme", ["Acme", "Acme Cloud Pro", "Cloud"])
    assert p.originals == ("Acme Cloud Pro", "Acme")


def test_restore_round_trip_and_spacing_inside_markers():
    p = protect("Order {{order_id}} for a@b.example", [])
    assert restore("Pedido ⟦ 0 ⟧ para ⟦1⟧", p) == "Pedido {{order_id}} para a@b.example"


@pytest.mark.parametrize("output", ["Pedido para ⟦1⟧", "Pedido ⟦0⟧ ⟦0⟧ ⟦1⟧", "Pedido ⟦0⟧ ⟦1⟧ ⟦2⟧"])
def test_restore_refuses_lost_duplicated_or_invented_markers(output):
    p = protect("Order {{order_id}} for a@b.example", [])
    with pytest.raises(RestoreError):
        restore(output, p)


def test_markers_already_in_the_text_are_protected_too():
    p = protect("weird ⟦0⟧ text {{x}}")
    assert p.originals == ("⟦0⟧", "{{x}}")
    assert restore(p.text, p) == "weird ⟦0⟧ text {{x}}"


def test_segments_for_the_piecewise_fallback():
    p = protect("Write to a@b.example today", [])
    assert glossary.segments(p) == [("Write to ", False), ("a@b.example", True), (" today", False)]


def test_terms_storage_by_source(db):
    with db.atomic():
        assert glossary.add_terms(db, ["Acme Cloud", " Acme  Cloud ", "Zeta"], "pack:acme", now=NOW) == 2
        glossary.add_terms(db, ["Zeta", "MyBrand"], "user", now=NOW)
    assert glossary.all_terms(db) == ["Acme Cloud", "MyBrand", "Zeta"]
    assert glossary.terms_by_source(db) == {"pack:acme": ["Acme Cloud", "Zeta"], "user": ["MyBrand", "Zeta"]}
    with db.atomic():
        assert glossary.remove_source(db, "pack:acme") == 2
    assert glossary.all_terms(db) == ["MyBrand", "Zeta"]


def test_terms_are_written_in_the_callers_transaction(db):
    with pytest.raises(RuntimeError):
        with db.atomic():
            glossary.add_terms(db, ["Acme"], "pack:x", now=NOW)
            raise RuntimeError("the pack install failed later")
    assert glossary.all_terms(db) == []
