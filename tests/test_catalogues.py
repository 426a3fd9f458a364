"""Every UI catalogue is complete for the strings in the sources as they are now: nothing
missing or empty, nothing fuzzy, the same {placeholders} as the English text.
After changing UI strings: `make extract`, translate, see docs/translating.md."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from assistant.i18n import DOMAIN, SUPPORTED, compile_po, load_catalogue

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = [code for code in SUPPORTED if code != "en"]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "gettext": None}


def _extracted() -> dict:
    """msgid (str, or (singular, plural)) -> first source file, freshly from the sources."""
    with open(REPO / "babel.cfg", encoding="utf-8") as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    messages: dict = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map, keywords=KEYWORDS):
        if isinstance(message, tuple):
            message = tuple(message[:2])
        if message and message not in messages:
            messages[message] = filename
    return messages


@pytest.fixture(scope="module")
def extracted() -> dict:
    messages = _extracted()
    assert len(messages) > 20, "extraction found almost nothing: is babel.cfg right?"
    return messages


def _placeholders(text: str) -> set[str]:
    """Named fields of a str.format() string; a string that is not a format string has none."""
    try:
        return {name.split(".")[0].split("[")[0] for _lit, name, _spec, _conv in string.Formatter().parse(text)
                if name is not None}
    except ValueError:
        return set(re.findall(r"\{(\w+)\}", text))


def _catalog(code: str):
    po = REPO / "locales" / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    assert po.is_file(), f"{po} missing: run `make extract`"
    with po.open("rb") as fp:
        return read_po(fp, locale=code, domain=DOMAIN)


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalogue_is_complete_and_consistent(code, extracted):
    catalog = _catalog(code)
    problems = []
    for message_id, source in extracted.items():
        key = message_id[0] if isinstance(message_id, tuple) else message_id
        entry = catalog.get(key)
        label = f"{source}: {key!r}"
        if entry is None:
            problems.append(f"missing {label}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy {label}")
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if isinstance(message_id, tuple) != isinstance(entry.id, tuple):
            problems.append(f"singular/plural mismatch {label}")
            continue
        if not all(translations):
            problems.append(f"untranslated {label}")
            continue
        expected = _placeholders(message_id[0] if isinstance(message_id, tuple) else message_id)
        if isinstance(message_id, tuple):
            expected |= _placeholders(message_id[1])
        for text in translations:
            found = _placeholders(text)
            # a plural form may leave out the count ("one task" in words) but never invents fields
            if found != expected and not (isinstance(message_id, tuple) and found < expected):
                problems.append(f"placeholders {sorted(found)} != {sorted(expected)} in {label}: {text!r}")
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    problems += [f"fuzzy entry {m!r}" for m in fuzzy if m not in extracted and (m,) not in extracted]
    assert not problems, f"{code}: {len(problems)} problem(s):\n" + "\n".join(problems[:60])


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalogue_compiles_and_translates(code):
    po = REPO / "locales" / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    assert compile_po(po)
    assert load_catalogue(code).gettext("Quit") != "Quit"


def test_placeholder_parsing():
    assert _placeholders("{name} at {time:%H}") == {"name", "time"}
    assert _placeholders("no fields {{literal}}") == set()
    assert _placeholders("broken {") == set()


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_catalogue_uses_bidi_isolates(code):
    """Qt 6.11 does not honour the isolates (U+2066...U+2069): it paints a number inside them
    backwards and drops the glyphs after them. Placeholders meant to read left to right are
    wrapped in embeddings (U+202A...U+202C), as ``assistant.i18n.ltr`` does for the code's own."""
    isolates = re.compile("[\u2066-\u2069]")
    bad = [m.id for m in _catalog(code) if m.id and any(
        isolates.search(text) for text in (m.string if isinstance(m.string, tuple) else (m.string,)))]
    assert not bad, bad[:5]
