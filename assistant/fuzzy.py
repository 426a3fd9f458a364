"""Accent- and case-insensitive fuzzy matching for short lists (palette, country search)."""

from __future__ import annotations

import unicodedata

from rapidfuzz import fuzz


def fold(text: str) -> str:
    """Lower case without accents: 'Éxito' -> 'exito'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def rank(query: str, items: list[str], limit: int | None = None, cutoff: float = 60.0) -> list[int]:
    """Indices of ``items`` matching ``query``, best first. Prefix and substring matches
    rank above fuzzy ones; an empty query keeps the original order."""
    q = fold(query.strip())
    if not q:
        return list(range(len(items)))[:limit]
    scored = []
    for i, item in enumerate(items):
        text = fold(item)
        if text.startswith(q):
            score = 300.0
        elif q in text:
            score = 200.0
        else:
            score = fuzz.partial_ratio(q, text)
            if score < cutoff:
                continue
        scored.append((-score, i))
    scored.sort()
    return [i for _, i in scored][:limit]
