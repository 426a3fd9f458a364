"""Our own offline sentence splitter, used when a model package ships no MiniSBD model
(Argos would otherwise download one on the first translation).

Rule-based and deliberately conservative: splitting too little costs a little quality on
a long sentence, splitting an abbreviation in two costs a mistranslation.
"""

from __future__ import annotations

import re

# A sentence ends at . ! ? … (possibly repeated, possibly followed by closing quotes or
# brackets) before whitespace, or at CJK full stops, which need no space after them.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|[。！？]+[」』”’)）]*")

# Words that end with a full stop without ending the sentence (lower case, no dot).
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr sra srta jr st mt vs etc e.g i.e cf approx inc ltd co corp dept est
nr nº tel ref fig vol p pp ca av avda sig ing lic dra hr fr frau nb z.b u.a bzw usw
""".split())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace between sentences excluded."""
    spans: list[tuple[int, int]] = []
    start = _skip_space(text, 0)
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end <= start or not _is_boundary(text, match):
            continue
        spans.append((start, end))
        start = _skip_space(text, end)
    tail_end = len(text.rstrip())
    if start < tail_end:
        spans.append((start, tail_end))
    return spans


def split_sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _is_boundary(text: str, match: re.Match) -> bool:
    punct = match.group()
    if punct[0] in "。！？":
        return True
    following = text[_skip_space(text, match.end()):match.end() + 40].lstrip()
    if following and following[0].islower():
        return False  # "e.g. this", "approx. ten": the sentence goes on
    if punct.startswith(".") and not punct.startswith(".."):
        word = re.search(r"(\S+)$", text[:match.start()])
        token = word.group(1).lower().lstrip("([\"'¿¡") if word else ""
        if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            return False  # "Dr. Smith", initials "J. Smith"
        if token == "no" and following[:1].isdigit():
            return False  # "Order No. 12345"
        if re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):
            return False  # "U.S. customers" style dotted abbreviations
    return True
