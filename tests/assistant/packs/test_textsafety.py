"""The hidden-character scanner's fast path must not miss anything its rules flag."""

from __future__ import annotations

import sys
import unicodedata

from assistant import textsafety


def test_fast_regex_covers_every_control_and_format_character():
    missed = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char not in "\t\n\r":
            if textsafety._TEXT_SUSPECT_RE.match(char) is None:
                missed.append(f"U+{code:04X}")
    assert missed == []


def test_every_format_character_is_judged_in_names():
    for char in ("\u00ad", "\u2061", "\ufeff", "\U000e0041", "\u2028", "\u180e", "\u3164"):
        assert [f.severity for f in textsafety.scan(f"a{char}b", textsafety.NAME)] == ["error"], hex(ord(char))
        assert [f.severity for f in textsafety.scan(f"a{char}b", textsafety.TEXT)] in (["warning"], []), hex(ord(char))


def test_invisible_letters_in_a_template_title_are_found(packs, make_pack):
    from assistant.packs import format as fmt

    data = make_pack(1)
    data["templates"][0]["variants"]["es"]["title"] = "Reembolso\u3164"
    pack, problems = fmt.check_file(packs.write(data, sign=False))
    assert pack is None
    assert problems[0].field == "templates[0].variants.es.title"
    assert "U+3164 HANGUL FILLER" in problems[0].message
