"""Search-as-you-type over the template library.

Matching is word-based on text folded to lower case without accents ("Reembolsó" ~
"reembolso"), over every language at once. Each query word must match somewhere in the
template (AND); the last word may be a prefix (the agent is still typing it), a word of 4+
letters also matches with one or two typos (rapidfuzz over the vocabulary). Where it matches
sets its weight: shortcut / title / tag words count more than body words, an exact word more
than a prefix, a prefix more than a typo. Bonuses: exact shortcut (``;refund``) first, the
whole query as a title prefix, then favourites, recently and frequently used templates.
Filters: a tag, a language (templates having that variant).

Speed: :class:`SearchIndex` is built once (the Replies panel builds it on the worker thread,
with the library read on a connection of its own, so the GUI thread only receives it) as a
folded vocabulary with numpy posting lists per word and field; a query costs a few vectorised
operations per matching vocabulary word, not a scan of the text. Usage boosts are updated
without rebuilding (:meth:`SearchIndex.set_usage`, one template: :meth:`set_one_usage`).
``benchmarks/templates.py`` measures it at 50,000 templates x 3 languages, typed into the
real panel.

Design notes (issue 18: a lighter index at 50,000 templates)
-------------------------------------------------------------
- The posting lists are built as (word id, template) pairs in flat int32 arrays and
  sorted once as one int64 key per pair (numpy sorts without holding the GIL), not as a Python
  list of ints per word: a few bytes per pair instead of ~36. Tags, which can number in the
  thousands (one per product), keep their templates as positions, and the tag filter makes
  its mask when asked (a mask per tag was 200 MB at 50k). Languages are few: masks at once.
- The alternative the issue names, an SQLite FTS5 trigram index over the same folded keys,
  was measured in the same benchmark runs (``alternative FTS5 trigram``): at 50,000 templates
  its build was no faster than these posting lists (as long, or up to 10x longer), its p95
  query 2-12x slower (a trigram of a common prefix lists most of the library) though it
  answers less: no 1-2 letter prefix, no typos, no field weights, no usage boost, each of
  which would need a second pass in Python over what it found. It was not chosen. The
  figures are in docs/scale.md.
- Words are folded and split by ``str.translate`` and ``split`` over a chunk of templates at
  once, looked up by ``map`` and owned by counting separators with numpy: no Python per
  word (50,000 templates x 3 languages: 6.7 s -> 4.3 s here). What remains is the per-
  character table look-up of ``translate`` on non-ASCII text and the per-template work
  (titles, tags, languages). The build runs on the worker; the GUI thread never waits for it.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from itertools import count
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
MAX_RANKED = 200           # candidates that get the phrase bonus and a full sort


@dataclass(frozen=True)
class Hit:
    template_id: str
    score: float


class _WordTable(dict):
    """``str.translate`` table that folds word characters (lower case without accents, as
    :func:`assistant.fuzzy.fold` folds whole text: case folding is not context-sensitive and
    NFKD decomposes each character alone, its combining marks dropped) and turns every other
    character into a space, so ``split()`` gives the words ``\\w+`` finds. Each character
    is worked out once, when first seen."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = self[code] = fold(char) if char.isalnum() or char == "_" else " "
        return folded


_WORDS = _WordTable()
_SEPARATOR = "\x01"  # between two templates' texts: a word no text can hold (not a word char)
_CHUNK = 2_000        # templates tokenised at once: bounds the words held at one time


def words(text: str) -> list[str]:
    """The folded words of ``text``, as both the index and the queries see them: one
    ``str.translate`` pass and a split, both in C (at 50,000 templates in three languages
    the index build spent most of its time folding and splitting word by word in Python)."""
    return text.translate(_WORDS).split()


def _pairs(texts: list[str], first: int, word_ids) -> tuple[np.ndarray, np.ndarray]:
    """(word id, template) for every word of ``texts`` (template ``first`` onwards), a word
    repeated in a template included (the postings drop repeats): the texts are folded and
    split as one, their words looked up by ``map`` in C, and each word's template counted
    from the separators between the texts, with numpy."""
    joined = f" {_SEPARATOR} ".join(text.translate(_WORDS) for text in texts)
    tokens = joined.split()
    ids = np.fromiter(map(word_ids.__getitem__, tokens), dtype=np.int32, count=len(tokens))
    del tokens, joined
    separator = ids == word_ids[_SEPARATOR]
    owners = np.cumsum(separator, dtype=np.int32)
    owners += first
    keep = ~separator
    return ids[keep], owners[keep]


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
        self.title_blobs: list[str] = []  # "\ntitle\ntitle...": a phrase test is one 'in'

        self.shortcuts: dict[str, list[int]] = {}
        # (word id, template) pairs in flat integer arrays, not a Python list per word: a
        # few bytes per pair, and the posting lists come out of one vectorised sort. A new
        # word gets the next id when first looked up (in C: no Python per word).
        word_ids: dict[str, int] = defaultdict(count().__next__)
        word_ids[_SEPARATOR]  # noqa: B018  (id 0: between templates, never a word)
        keys: list[tuple[np.ndarray, np.ndarray]] = []
        bodies: list[tuple[np.ndarray, np.ndarray]] = []
        key_texts: list[str] = []
        body_texts: list[str] = []
        tag_positions: dict[str, list[int]] = {}
        lang_positions: dict[str, list[int]] = {}
        for i, t in enumerate(self.templates):
            titles = [" ".join(words(v.title)) for v in t.variants.values()]
            self.title_blobs.append("\n" + "\n".join(titles))
            key_texts.append(" ".join([*titles, *t.tags, t.shortcut or ""]))
            body_texts.append(_strip_placeholders(" ".join(v.body for v in t.variants.values())))
            if len(key_texts) == _CHUNK or i == n - 1:
                first = i + 1 - len(key_texts)
                keys.append(_pairs(key_texts, first, word_ids))
                bodies.append(_pairs(body_texts, first, word_ids))
                key_texts, body_texts = [], []
            if t.shortcut:
                self.shortcuts.setdefault(fold(t.shortcut), []).append(i)
            for tag in t.tags:
                tag_positions.setdefault(fold(tag), []).append(i)
            for lang in t.variants:
                for code in {lang, base_language(lang)}:
                    lang_positions.setdefault(code, []).append(i)
        # tags can be many (one per product): their templates are kept as positions and a
        # mask is made when a filter asks for one; languages are few: masks at once
        self.tag_positions = {tag: np.array(found, dtype=np.int32) for tag, found in tag_positions.items()}
        self.lang_masks: dict[str, np.ndarray] = {}
        for code, found in lang_positions.items():
            self.lang_masks[code] = np.zeros(n, dtype=bool)
            self.lang_masks[code][found] = True
        del word_ids[_SEPARATOR]
        self.vocab = sorted(word_ids)
        # word id -> its place in the sorted vocabulary (id 0, the separator, is never used)
        order = np.zeros(len(word_ids) + 1, dtype=np.int32)
        order[np.fromiter((word_ids[w] for w in self.vocab), dtype=np.int32, count=len(self.vocab))] = \
            np.arange(len(self.vocab), dtype=np.int32)
        del word_ids
        # Posting lists concatenated in vocabulary order: the templates of every word sharing
        # a prefix (a contiguous vocabulary range) are one slice, so a prefix costs one
        # vectorised update however many words it covers.
        self.key_concat, self.key_offsets = _postings(order, len(self.vocab), keys)
        self.body_concat, self.body_offsets = _postings(order, len(self.vocab), bodies)
        del keys, bodies
        # typo candidates, bucketed by first letter (see _typo_words)
        self.by_initial: dict[str, list[int]] = {}
        for idx, w in enumerate(self.vocab):
            if len(w) >= MIN_TYPO - 1:
                self.by_initial.setdefault(w[0], []).append(idx)
        self.word_index = {w: i for i, w in enumerate(self.vocab)}
        self.tags = sorted({tag for t in self.templates for tag in t.tags}, key=fold)
        self.languages = sorted({lang for t in self.templates for lang in t.variants})
        self.boost = np.zeros(n, dtype=np.float64)
        # the default order for an empty query: title, stable
        self.sort_titles = [" ".join(words(t.title)) for t in self.templates]
        self.title_order = sorted(range(n), key=lambda i: (self.sort_titles[i], self.ids[i]))
        self.title_rank = np.empty(n, dtype=np.int64)
        self.title_rank[self.title_order] = np.arange(n)
        self._ranks_by_language: dict[str, np.ndarray] = {}
        self.shortcut_keys = sorted(self.shortcuts)
        self.shortcut_concat, self.shortcut_offsets = _concat(self.shortcut_keys, self.shortcuts)
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
            if i is not None:
                boost[i] = _usage_boost(use, now)
        self.boost = boost

    def set_one_usage(self, template_id: str, use: object, now: datetime) -> None:
        """One template's usage changed (the agent copied it, marked it): no re-read of all."""
        i = self.position.get(template_id)
        if i is not None:
            self.boost[i] = _usage_boost(use, now)

    # -- querying ------------------------------------------------------------------
    def titles_rank(self, language: str | None) -> np.ndarray:
        """Alphabetical rank of each template by its title as shown in ``language`` (the
        variant the reply would use), computed once per language."""
        if not language:
            return self.title_rank
        rank = self._ranks_by_language.get(language)
        if rank is None:
            keys = [" ".join(words(t.variants[t.variant_language(language)].title))
                    for t in self.templates]
            order = sorted(range(len(keys)), key=lambda i: (keys[i], self.ids[i]))
            rank = np.empty(len(keys), dtype=np.int64)
            rank[order] = np.arange(len(keys))
            self._ranks_by_language[language] = rank
        return rank

    def _by_usage(self, candidates: np.ndarray, limit: int | None,
                  rank: np.ndarray | None = None) -> list[Hit]:
        """Candidates by usage boost, then title: the order of an empty query."""
        rank = self.title_rank if rank is None else rank
        order = candidates[np.lexsort((rank[candidates], -self.boost[candidates]))]
        return [Hit(self.ids[i], float(self.boost[i])) for i in order[:limit].tolist()]

    def _prefix_words(self, prefix: str) -> tuple[int, int]:
        lo = bisect.bisect_left(self.vocab, prefix)
        hi = bisect.bisect_left(self.vocab, prefix + "\U0010ffff")
        return lo, hi

    def _apply(self, scores: np.ndarray, lo: int, hi: int, quality: int, body: bool,
               factor: float = 1.0) -> None:
        """Raise the scores of templates having a word in vocabulary range [lo, hi)."""
        key = self.key_concat[self.key_offsets[lo]:self.key_offsets[hi]]
        if key.size:
            _max_into(scores, key, KEY_WEIGHTS[quality] * factor)
        if body:
            found = self.body_concat[self.body_offsets[lo]:self.body_offsets[hi]]
            if found.size:
                _max_into(scores, found, BODY_WEIGHTS[quality] * factor)

    def _typo_words(self, token: str) -> list[tuple[int, float]]:
        """Vocabulary words within one or two edits of ``token``: those starting with its
        first letter, or with its second (a slip on the first key)."""
        pool: list[int] = []
        for initial in dict.fromkeys(token[:2]):
            pool += self.by_initial.get(initial, [])
        choices = {idx: self.vocab[idx] for idx in pool
                   if abs(len(self.vocab[idx]) - len(token)) <= 2}
        found = process.extract(token, choices, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF,
                                limit=MAX_TYPO_WORDS)
        return [(idx, score) for _word, score, idx in found]

    def _token_scores(self, token: str, is_last: bool) -> np.ndarray:
        scores = np.zeros(len(self.templates), dtype=np.float64)
        exact = self.word_index.get(token)
        if is_last or exact is None:
            lo, hi = self._prefix_words(token)
            if hi > lo:
                self._apply(scores, lo, hi, 1, len(token) >= MIN_PREFIX_BODY)
        if exact is not None:
            self._apply(scores, exact, exact + 1, 0, True)
        if len(token) >= MIN_TYPO and not scores.any():
            for idx, similarity in self._typo_words(token):
                self._apply(scores, idx, idx + 1, 2, True, similarity / 100.0)
        return scores

    def search(self, query: str, *, tag: str | None = None, language: str | None = None,
               limit: int | None = 50, display_language: str | None = None) -> list[Hit]:
        """Templates matching ``query``, best first. ``language`` filters (templates with
        that variant); ``display_language`` orders equal scores by the titles shown in it."""
        rank = self.titles_rank(display_language or language)
        n = len(self.templates)
        mask = np.ones(n, dtype=bool)
        if tag:
            picked = np.zeros(n, dtype=bool)
            picked[self.tag_positions.get(fold(tag), [])] = True
            mask &= picked
        if language:
            mask &= self.lang_masks.get(language, self.lang_masks.get(
                base_language(language), np.zeros(n, dtype=bool)))
        folded = fold(query).strip()
        tokens = words(query)
        if not tokens:
            if folded:  # only punctuation so far, e.g. ';': shortcuts starting with it
                lo = bisect.bisect_left(self.shortcut_keys, folded)
                hi = bisect.bisect_left(self.shortcut_keys, folded + "\U0010ffff")
                picked = np.zeros(n, dtype=bool)
                picked[self.shortcut_concat[self.shortcut_offsets[lo]:self.shortcut_offsets[hi]]] = True
                mask &= picked
            return self._by_usage(np.flatnonzero(mask), limit, rank)
        allowed = mask.copy()  # the filters alone: a shortcut match must respect them too
        total = np.zeros(n, dtype=np.float64)
        for k, token in enumerate(tokens):
            scores = self._token_scores(token, k == len(tokens) - 1)
            mask &= scores > 0
            total += scores
        if tokens:
            total /= len(tokens)
        for i in self.shortcut_exact.get(folded, ()):  # ';refund' (or 'refund') typed in full
            if allowed[i]:
                total[i] += SHORTCUT_BONUS
                mask[i] = True
        candidates = np.flatnonzero(mask)
        if candidates.size == 0:
            return []
        scores = total[candidates] + self.boost[candidates]
        # phrase bonuses (at most TITLE_PREFIX_BONUS) only where they can change the top
        if candidates.size > MAX_RANKED:
            top = np.argpartition(-scores, MAX_RANKED)[:MAX_RANKED]
            candidates, scores = candidates[top], scores[top]
        phrase = " ".join(tokens)
        blobs = self.title_blobs
        starts = "\n" + phrase
        bonus = np.fromiter(
            (TITLE_PREFIX_BONUS if starts in blobs[i] else TITLE_SUBSTRING_BONUS if phrase in blobs[i]
             else 0.0 for i in candidates.tolist()), dtype=np.float64, count=candidates.size)
        scores = scores + bonus
        order = np.lexsort((rank[candidates], -scores))[:limit]
        return [Hit(self.ids[i], float(sc)) for i, sc in
                zip(candidates[order].tolist(), scores[order].tolist())]


def _usage_boost(use: object, now: datetime) -> float:
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
    return value


def _concat(keys: list[str], postings: dict[str, list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """All posting lists in ``keys`` order in one array, and where each starts."""
    lists = [postings.get(k, ()) for k in keys]
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum([len(found) for found in lists], out=offsets[1:])
    concat = np.fromiter((i for found in lists for i in found), dtype=np.int32,
                         count=int(offsets[-1]))
    return concat, offsets


def _postings(order: np.ndarray, size: int, pairs: list[tuple[np.ndarray, np.ndarray]]
              ) -> tuple[np.ndarray, np.ndarray]:
    """(word id, template) pairs as posting lists concatenated in vocabulary order (each
    template once per word, ascending), and where each of the ``size`` words' lists starts.
    One int64 sort key per pair (numpy sorts without holding the GIL: the GUI thread keeps
    running); a word repeated in a template is one key repeated, dropped after the sort."""
    offsets = np.zeros(size + 1, dtype=np.int64)
    ids = np.concatenate([found for found, _owners in pairs]) if pairs else np.zeros(0, np.int32)
    if not len(ids):
        return np.zeros(0, np.int32), offsets
    keys = order[ids].astype(np.int64)
    del ids
    keys <<= 32
    keys |= np.concatenate([owners for _found, owners in pairs])
    keys.sort()
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    np.cumsum(np.bincount(keys >> 32, minlength=size), out=offsets[1:])
    return (keys & 0xFFFFFFFF).astype(np.int32), offsets


def _max_into(scores: np.ndarray, positions: np.ndarray, value: float) -> None:
    """scores[positions] = max(scores[positions], value). Repeated positions are fine: each
    copy computes the same value from the same old score."""
    current = scores[positions]
    np.maximum(current, value, out=current)
    scores[positions] = current


def typo_similarity(a: str, b: str) -> float:
    """Exposed for tests and the palette: accent/case-insensitive similarity 0-100."""
    return fuzz.ratio(fold(a), fold(b))
