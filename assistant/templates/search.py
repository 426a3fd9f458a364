"""Search-as-you-type over the template library.

Matching is word-based on text folded to lower case without accents ("Reembolsó" ~
"reembolso"), over every language at once. Each query word must match somewhere in the
template (AND); the last word may be a prefix (the agent is still typing it), a word of 4+
letters also matches with one or two typos (rapidfuzz over the vocabulary). Where it matches
sets its weight: shortcut / title / tag words count more than body words, an exact word more
than a prefix, a prefix more than a typo. Bonuses: exact shortcut (``;refund``) first, the
whole query as a title prefix, then favourites, recently and frequently used templates.
Filters: a tag, a language (templates having that variant).

Speed: :class:`SearchIndex` is built once (a worker thread does it in the app) as a folded
vocabulary with numpy posting lists per word and field; a query costs a few vectorised
operations per matching vocabulary word, not a scan of the text, so 10,000 templates in three
languages answer well under 10 ms (see ``benchmarks/templates.py``). Usage boosts are
updated without rebuilding (:meth:`SearchIndex.set_usage`).
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

import numpy as np
from rapidfuzz import fuzz, process

from assistant.fuzzy import fold
from assistant.templates.model import Template, base_language
from assistant.templates.render import TOKEN_RE

WORD_RE = re.compile(r"\w+")

# weights: (exact word, prefix, typo) per field
KEY_WEIGHTS = (100.0, 80.0, 55.0)
BODY_WEIGHTS = (40.0, 30.0, 18.0)
SHORTCUT_BONUS = 1000.0
TITLE_PREFIX_BONUS = 60.0
TITLE_SUBSTRING_BONUS = 30.0
FAVOURITE_BONUS = 25.0
RECENT_BONUS = 15.0        # decays over days
FREQUENT_BONUS = 15.0      # grows with log of the use count
MIN_PREFIX_BODY = 3        # shorter prefixes only look at titles/tags/shortcuts
MIN_TYPO = 4               # words this long tolerate typos
TYPO_CUTOFF = 80.0
MAX_TYPO_WORDS = 12


@dataclass(frozen=True)
class Hit:
    template_id: str
    score: float


def words(text: str) -> list[str]:
    return WORD_RE.findall(fold(text))


def _strip_placeholders(body: str) -> str:
    # '{{customer_first_name}}' is not what an agent searches a body for
    return TOKEN_RE.sub(" ", body)


class SearchIndex:
    """An immutable folded index of templates; cheap to query from the GUI thread."""

    def __init__(self, templates: Iterable[Template]):
        self.templates: list[Template] = list(templates)
        n = len(self.templates)
        self.ids = [t.id for t in self.templates]
        self.position = {tid: i for i, tid in enumerate(self.ids)}
        self.titles_folded: list[list[str]] = []
        self.shortcuts: dict[str, list[int]] = {}
        key_post: dict[str, set[int]] = {}
        body_post: dict[str, set[int]] = {}
        self.tag_masks: dict[str, np.ndarray] = {}
        self.lang_masks: dict[str, np.ndarray] = {}
        for i, t in enumerate(self.templates):
            titles = [fold(v.title) for v in t.variants.values()]
            self.titles_folded.append(titles)
            key_text = " ".join([*titles, *t.tags, t.shortcut or ""])
            for w in WORD_RE.findall(fold(key_text)):
                key_post.setdefault(w, set()).add(i)
            for v in t.variants.values():
                for w in WORD_RE.findall(fold(_strip_placeholders(v.body))):
                    body_post.setdefault(w, set()).add(i)
            if t.shortcut:
                self.shortcuts.setdefault(fold(t.shortcut), []).append(i)
            for tag in t.tags:
                self.tag_masks.setdefault(fold(tag), np.zeros(n, dtype=bool))[i] = True
            for lang in t.variants:
                for code in {lang, base_language(lang)}:
                    self.lang_masks.setdefault(code, np.zeros(n, dtype=bool))[i] = True
        self.vocab = sorted(set(key_post) | set(body_post))
        empty = np.zeros(0, dtype=np.int32)
        self.key_post = [np.fromiter(sorted(key_post.get(w, ())), dtype=np.int32) if w in key_post
                         else empty for w in self.vocab]
        self.body_post = [np.fromiter(sorted(body_post.get(w, ())), dtype=np.int32) if w in body_post
                          else empty for w in self.vocab]
        self.word_index = {w: i for i, w in enumerate(self.vocab)}
        self.tags = sorted({tag for t in self.templates for tag in t.tags}, key=fold)
        self.languages = sorted({lang for t in self.templates for lang in t.variants})
        self.boost = np.zeros(n, dtype=np.float64)
        # the default order for an empty query: title, stable
        self.title_order = sorted(range(n), key=lambda i: (fold(self.templates[i].title), self.ids[i]))
        self.title_order_rank = {i: r for r, i in enumerate(self.title_order)}
        # a shortcut typed in full, with or without its sigil (';refund', 'refund')
        self.shortcut_exact: dict[str, list[int]] = {}
        for key, found in self.shortcuts.items():
            for form in {key, key.lstrip(";:/!#.")}:
                if form:
                    self.shortcut_exact.setdefault(form, []).extend(found)

    def __len__(self) -> int:
        return len(self.templates)

    # -- usage boosts --------------------------------------------------------------
    def set_usage(self, usage: Mapping[str, object], now: datetime) -> None:
        """Favourites, recency and frequency from ``store.usage()``; ``now`` is aware."""
        boost = np.zeros(len(self.templates), dtype=np.float64)
        for tid, use in usage.items():
            i = self.position.get(tid)
            if i is None:
                continue
            value = FAVOURITE_BONUS if getattr(use, "favourite", False) else 0.0
            count = getattr(use, "count", 0) or 0
            value += FREQUENT_BONUS * min(1.0, math.log1p(count) / math.log1p(50))
            last = getattr(use, "last_used", None)
            if last:
                try:
                    age_days = max(0.0, (now - datetime.fromisoformat(last)).total_seconds() / 86400)
                    value += RECENT_BONUS * math.exp(-age_days / 3.0)
                except (ValueError, TypeError):
                    pass
            boost[i] = value
        self.boost = boost

    # -- querying ------------------------------------------------------------------
    def _prefix_words(self, prefix: str) -> range:
        lo = bisect.bisect_left(self.vocab, prefix)
        hi = bisect.bisect_left(self.vocab, prefix + "\U0010ffff")
        return range(lo, hi)

    def _token_scores(self, token: str, is_last: bool) -> np.ndarray:
        n = len(self.templates)
        scores = np.zeros(n, dtype=np.float64)

        def apply(word_idx: int, quality: int, factor: float = 1.0) -> None:
            key = self.key_post[word_idx]
            if key.size:
                _max_into(scores, key, KEY_WEIGHTS[quality] * factor)
            if quality == 0 or len(token) >= MIN_PREFIX_BODY:
                body = self.body_post[word_idx]
                if body.size:
                    _max_into(scores, body, BODY_WEIGHTS[quality] * factor)

        exact = self.word_index.get(token)
        if exact is not None:
            apply(exact, 0)
        if is_last or exact is None:
            for idx in self._prefix_words(token):
                if idx != exact:
                    apply(idx, 1)
        if len(token) >= MIN_TYPO and (exact is None or not scores.any()):
            for word, score, idx in process.extract(
                    token, self.vocab, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF,
                    limit=MAX_TYPO_WORDS):
                if idx != exact:
                    apply(idx, 2, score / 100.0)
        return scores

    def search(self, query: str, *, tag: str | None = None, language: str | None = None,
               limit: int | None = 50) -> list[Hit]:
        """Templates matching ``query``, best first."""
        n = len(self.templates)
        mask = np.ones(n, dtype=bool)
        if tag:
            mask &= self.tag_masks.get(fold(tag), np.zeros(n, dtype=bool))
        if language:
            mask &= self.lang_masks.get(language, self.lang_masks.get(
                base_language(language), np.zeros(n, dtype=bool)))
        folded = fold(query).strip()
        tokens = WORD_RE.findall(folded)
        if not tokens:
            if folded:  # only punctuation so far, e.g. ';': shortcuts starting with it
                picked = [i for key, found in self.shortcuts.items() if key.startswith(folded)
                          for i in found if mask[i]]
                picked.sort(key=lambda i: (-self.boost[i], self.title_order_rank[i]))
                return [Hit(self.ids[i], float(self.boost[i])) for i in picked[:limit]]
            order = sorted((i for i in self.title_order if mask[i]),
                           key=lambda i: -self.boost[i])  # stable: title order among equals
            return [Hit(self.ids[i], float(self.boost[i])) for i in order[:limit]]
        total = np.zeros(n, dtype=np.float64)
        for k, token in enumerate(tokens):
            scores = self._token_scores(token, k == len(tokens) - 1)
            mask &= scores > 0
            total += scores
        if tokens:
            total /= len(tokens)
        for i in self.shortcut_exact.get(folded, ()):  # ';refund' (or 'refund') typed in full
            total[i] += SHORTCUT_BONUS
            mask[i] = True
        candidates = np.flatnonzero(mask)
        if candidates.size == 0:
            return []
        # phrase bonuses only where it matters: the current best few hundred
        if candidates.size > 400:
            top = np.argpartition(-total[candidates], 400)[:400]
            candidates = candidates[top]
        phrase = " ".join(tokens)
        ranked = []
        for i in candidates.tolist():
            score = total[i] + self.boost[i]
            if phrase:
                titles = self.titles_folded[i]
                if any(t.startswith(phrase) for t in titles):
                    score += TITLE_PREFIX_BONUS
                elif any(phrase in t for t in titles):
                    score += TITLE_SUBSTRING_BONUS
            ranked.append((-score, fold(self.templates[i].title), self.ids[i], score))
        ranked.sort()
        return [Hit(tid, float(score)) for _, _, tid, score in ranked[:limit]]


def _max_into(scores: np.ndarray, positions: np.ndarray, value: float) -> None:
    """scores[positions] = max(scores[positions], value); positions are unique."""
    current = scores[positions]
    np.maximum(current, value, out=current)
    scores[positions] = current


def typo_similarity(a: str, b: str) -> float:
    """Exposed for tests and the palette: accent/case-insensitive similarity 0-100."""
    return fuzz.ratio(fold(a), fold(b))
