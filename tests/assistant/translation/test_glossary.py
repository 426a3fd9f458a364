from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def spans_pattern_by_pattern(text, terms):
    """What protection found before the terms were indexed: every term's pattern tried on
    the text (0.95 s a message at 30,000 terms); the index must find exactly the same."""
    import re

    candidates = []
    for pattern in glossary._PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            while end > start and text[end - 1] in glossary._TRAILING and pattern is glossary._PATTERNS[2]:
                end -= 1
            candidates.append((start, end))
    for term in sorted({t for t in terms if t and t.strip()}, key=len, reverse=True):
        candidates.extend(m.span() for m in re.finditer(glossary.term_pattern(term), text))
    chosen = []
    for start, end in sorted(candidates, key=lambda s: (s[0], -(s[1] - s[0]))):
        if end > start and all(end <= a or start >= b for a, b in chosen):
            chosen.append((start, end))
    return sorted(chosen)


ALPHABET = "aAZbé_19 .!-#@{}:/ñ中"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=60),
       terms=st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=6), max_size=12))
def test_the_term_index_finds_what_each_terms_pattern_finds(text, terms):
    # terms also taken from the text itself, so that many of them occur
    terms = terms + [text[i:i + n] for i, n in zip(range(0, len(text), 7), (1, 2, 3, 4, 5, 6, 7, 8, 9))]
    assert glossary.find_protected_spans(text, terms) == spans_pattern_by_pattern(text, terms)


def test_a_glossary_at_six_packs_caps_finds_its_terms_in_a_message():
    import random

    rng = random.Random(18)
    terms = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(3, 14))) for _ in range(30_000)]
    terms += ["Acme Cloud", "Zenbook", "X1", ".NET"]
    text = "My Zenbook X1 on Acme Cloud stopped; the .NET app (Acme Cloudy) too. " + terms[17] + "!"
    protected = protect(text, terms)
    assert [o for o in protected.originals] == ["Zenbook", "X1", "Acme Cloud", ".NET", terms[17]]
    assert glossary.find_protected_spans(text, terms) == spans_pattern_by_pattern(text, terms)
