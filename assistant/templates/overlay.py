"""The templates changed since the search index was built, laid over it (issue 18).

Building the index of a library of 50,000 templates takes seconds (on the worker), so one
template saved must not wait for a new one: the Replies panel reads the templates that
changed and lays a small index of them over the big one, whose old rows for them are hidden.
Searching the two answers as one index over the changed library would
(:func:`assistant.templates.search.search_layers`): the same matches, scores and order.
Each later change makes a new overlay over the same big index; past
:data:`MAX_CHANGES` templates the library is read and indexed afresh instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Mapping

import numpy as np

from assistant.fuzzy import fold
from assistant.templates.model import Template
from assistant.templates.search import Hit, SearchIndex, search_layers, sorted_tags

# An overlay is built on the GUI thread, anew at each change: 2 ms and about 0.2 ms a
# template laid over (at 50,000 templates: 1 change 1.9 ms, 50 14 ms, 100 22 ms, 200 37 ms).
# The Replies panel reads the whole library again on the worker past half of this.
MAX_CHANGES = 100


class OverlaidIndex:
    """``base`` with its rows for changed or removed templates hidden and the changed
    templates (``changed``, their current versions) in a small index of their own."""

    def __init__(self, base: SearchIndex, changed: list[Template], hidden: np.ndarray):
        self.base = base
        self.delta = SearchIndex(changed)
        self.hidden = hidden  # positions in ``base``, sorted, distinct
        self.laid_over = len({*(base.ids[p] for p in hidden.tolist()), *self.delta.ids})
        self.tags = _tags(base, hidden, changed)
        self.languages = sorted({*_visible_languages(base, hidden), *self.delta.languages})

    @classmethod
    def over(cls, index: SearchIndex | OverlaidIndex, changed: Iterable[Template],
             removed: Iterable[str], usage: Mapping[str, object], now: datetime) -> OverlaidIndex:
        """``index`` with the templates ``changed`` (new or saved again) and ``removed``
        (deleted, hidden or disabled) laid over it; ``usage`` as ``store.usage()`` gives it."""
        changed = list(changed)
        gone = {t.id for t in changed} | set(removed)
        if isinstance(index, OverlaidIndex):
            base, kept, hidden = index.base, index.delta.templates, index.hidden.tolist()
        else:
            base, kept, hidden = index, [], []
        hidden = {*hidden, *(base.position[tid] for tid in gone if tid in base.position)}
        overlay = cls(base, [t for t in kept if t.id not in gone] + changed,
                      np.array(sorted(hidden), dtype=np.int64))
        delta = overlay.delta
        delta.set_usage({tid: usage[tid] for tid in delta.ids if tid in usage}, now)
        return overlay

    @staticmethod
    def changes(index: SearchIndex | OverlaidIndex) -> int:
        """How many templates ``index`` has laid over the index it was built as (changed,
        added or removed)."""
        return index.laid_over if isinstance(index, OverlaidIndex) else 0

    def __len__(self) -> int:
        return len(self.base) - len(self.hidden) + len(self.delta)

    def set_usage(self, usage: Mapping[str, object], now: datetime) -> None:
        self.base.set_usage(usage, now)
        self.delta.set_usage(usage, now)

    def set_one_usage(self, template_id: str, use: object, now: datetime) -> None:
        self.base.set_one_usage(template_id, use, now)  # a hidden row's boost is never read
        self.delta.set_one_usage(template_id, use, now)

    def search(self, query: str, *, tag: str | None = None, language: str | None = None,
               limit: int | None = 50, display_language: str | None = None) -> list[Hit]:
        return search_layers([(self.base, self.hidden), (self.delta, None)], query, tag=tag,
                             language=language, limit=limit, display_language=display_language)


def _tags(base: SearchIndex, hidden: np.ndarray, changed: list[Template]) -> list[str]:
    """The tags of the templates shown: the base's, less those that only hidden rows hold,
    and the changed templates' (sorted as :attr:`SearchIndex.tags` is)."""
    hidden_set = set(hidden.tolist())
    templates = base.templates
    lost = {tag for tag in {tag for p in hidden_set for tag in templates[p].tags}
            if not any(tag in templates[p].tags and p not in hidden_set
                       for p in base.tag_positions[fold(tag)].tolist())}
    mine = {tag for t in changed for tag in t.tags}
    if not lost and mine.issubset(base.tags):
        return base.tags
    return sorted_tags({*base.tags, *mine} - (lost - mine))


def _visible_languages(base: SearchIndex, hidden: np.ndarray) -> list[str]:
    """The base's languages that a row not hidden still has a variant in."""
    return [code for code in base.languages
            if int(base.lang_masks[code].sum()) > int(base.lang_masks[code][hidden].sum())]
