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
without rebuilding (:meth:`SearchIndex.set_usage`, one template: :meth:`set_one_usage`), and
templates changed since the build are laid over it (:mod:`assistant.templates.overlay`,
searched with :func:`search_layers`).
``benchmarks/templates.py`` measures it at 50,000 templates x 3 languages, typed into the
real panel.

Design notes (issue 18: a lighter index at 50,000 templates)
-------------------------------------------------------------
- The posting lists are numpy arrays concatenated in vocabulary order (a prefix is one slice),
  built by :mod:`assistant.templates.postings`: each chunk of 256 templates is split on white
  space in C and each distinct *raw* token ("Reembolsó,") is folded once and remembered with
  its word ids (:class:`~assistant.templates.postings.Lexicon`): no per-character
  ``translate`` over the whole library, no Python per word. A chunk keeps its (word,
  template) pairs as its distinct words, their counts and 16-bit template offsets (~2 bytes
  a pair), laid out once at the end straight into the final array; positions are 16-bit up
  to 65,536 templates. Exact words are found by bisection in the sorted vocabulary, typo
  candidates as the vocabulary range of a first letter filtered by length, shortcuts as
  sorted lists: no dict per word or per shortcut (each was 3-10 MB at 50,000 templates).
  Measured at 50,000 templates x 3 languages, standalone: 5.1 s CPU / +207 MB peak resident
  (+145 MB kept) before, 2.9 s / +83 MB after; the results are the same (compared query by
  query on 3,000 queries and four filters; ``tests/assistant/templates/test_postings.py``
  holds the structure against the plain definition).
- The build runs on the worker while the GUI thread keeps running. Python's lock is held by
  a C call from start to end, so no step is a long C call: chunks of 256 templates, sorts in
  pieces merged in pieces (``sorted_in_steps``; one ``sorted()`` of the vocabulary held the
  lock ~50 ms), the lexicon freed a slice at a time (133,000 raw tokens freed at once: up to 140 ms),
  and the lock handed over between steps (``time.sleep(0)``).
- What is left is mostly per token: splitting the bodies and looking each raw token up in the
  lexicon (6.2 million tokens at 50,000 templates x 3 languages; 130-190 ns a token on this
  machine, a fresh string hashed and a dict probed, whether through ``fromiter``, a list,
  ``itemgetter`` or per-chunk de-duplication). Around it, on 6 December: the titles fold
  ASCII ones apart (``str.translate`` has a fast path for ASCII text, which one accented
  title turned off for its whole chunk: 235 -> 135 ms), title and shortcut orders sort
  positions by key instead of tuples (``_order``: 75 -> 35 ms per title order, which the
  Replies panel also makes per language), and a chunk's (word, template) pairs are sorted
  as 32-bit integers where they fit (twice as fast as 64-bit). The build: 2.75 -> 2.49 s at
  best, medians 3.09 -> 2.94 s, over six interleaved runs each on a noisy machine. In the
  full runs of ``make bench`` that day: 2.35-2.41 s, then 2.03 s and 1.86 s (CPU 1.84 s),
  this machine's spells moving it by 0.3-0.5 s (docs/performance.md).
- The alternative the issue names, an SQLite FTS5 trigram index over the same folded keys,
  was measured in the same benchmark runs (``alternative FTS5 trigram``): at 50,000 templates
  its build took 12-16 s (these posting lists: 3.3 s), its p95 query 2-12x slower (a trigram
  of a common prefix lists most of the library) though it answers less: no 1-2 letter prefix,
  no typos, no field weights, no usage boost, each of which would need a second pass in Python
  over what it found. It was not chosen. rapidfuzz over precomputed keys is what the typo pass
  already does, over the vocabulary of a first letter; over whole keys it is a scan of the
  library per keystroke (the naive scan baseline: 70-100 ms p95). The figures are in
  docs/scale.md and docs/performance.md.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, islice
from operator import eq, ne
from typing import Iterable, Mapping

import numpy as np
from rapidfuzz import fuzz, process

from assistant.fuzzy import fold
from assistant.templates.model import Template, base_language
from assistant.templates.postings import Lexicon, PostingsBuilder, sorted_in_steps, yield_lock
from assistant.templates.render import TOKEN_RE
from assistant.templates.validation import normalize_language

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
SIGILS = ";:/!#."          # a shortcut typed in full may leave its sigil out


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
_LINES = _WordTable({ord("\n"): "\n"})  # the same, keeping line breaks: many titles folded at once
_CHUNK = 256  # templates tokenised at once: each step holds the interpreter lock a few ms
_STEP = 16_384  # vocabulary words looked up at once


def words(text: str) -> list[str]:
    """The folded words of ``text``, as both the index and the queries see them: one
    ``str.translate`` pass and a split, both in C (at 50,000 templates in three languages
    the index build spent most of its time folding and splitting word by word in Python)."""
    return text.translate(_WORDS).split()


def _folded_lines(texts: list[str]) -> list[str]:
    """``" ".join(words(text))`` of each text, folded in one ``translate`` call per kind:
    ASCII texts apart, since one other character anywhere turns off ``str.translate``'s
    ASCII path (a table cached per call) for the whole string, and each character is
    then a look-up of its own (the titles of 50,000 templates: 235 -> 135 ms)."""
    if not texts:
        return []
    plain = list(map(str.isascii, texts))
    if all(plain) or not any(plain):
        return _folded_joined(texts)
    folded = iter(_folded_joined(list(compress(texts, plain))))
    others = iter(_folded_joined([text for text, ascii_only in zip(texts, plain) if not ascii_only]))
    return [next(folded) if ascii_only else next(others) for ascii_only in plain]


def _folded_joined(texts: list[str]) -> list[str]:
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a text holds a line break: it folds to a space
        joined = "\n".join(text.replace("\n", " ") for text in texts)
    return list(map(" ".join, map(str.split, joined.translate(_LINES).split("\n"))))


def _strip_placeholders(body: str) -> str:
    # '{{customer_first_name}}' is not what an agent searches a body for
    return TOKEN_RE.sub(" ", body)


def sorted_tags(tags: Iterable[str]) -> list[str]:
    """Tags in the order the filter shows them: folded, then as written, so tags that fold
    alike ("Billing", "billing") keep one order whatever order the set gave them."""
    return sorted(tags, key=lambda tag: (fold(tag), tag))


class SearchIndex:
    """An immutable folded index of templates; cheap to query from the GUI thread."""

    def __init__(self, templates: Iterable[Template]):
        self.templates: list[Template] = list(templates)
        n = len(self.templates)
        self.ids = [t.id for t in self.templates]
        self.position = {tid: i for i, tid in enumerate(self.ids)}
        self.title_blobs: list[str] = []  # "\ntitle\ntitle...": a phrase test is one 'in'
        lexicon = Lexicon(_WORDS)
        keys, bodies = PostingsBuilder(), PostingsBuilder()
        default_titles: list[str] = []  # folded, in the default language: the empty query's order
        shortcuts: list[str] = []
        shortcut_owners: list[int] = []
        raw_tags: dict[str, list[int]] = {}
        lang_positions: dict[str, list[int]] = {}
        for first in range(0, n, _CHUNK):
            chunk = self.templates[first:first + _CHUNK]
            titles = _folded_lines([v.title for t in chunk for v in t.variants.values()])
            key_texts: list[str] = []
            body_texts: list[str] = []
            at = 0
            for i, t in enumerate(chunk, first):
                variants = t.variants
                mine = titles[at:at + len(variants)]
                at += len(variants)
                self.title_blobs.append("\n" + "\n".join(mine))
                key_texts.append(" ".join([*mine, *t.tags, t.shortcut or ""]))
                body_texts.append(" ".join([v.body for v in variants.values()]))
                default_titles.append(mine[list(variants).index(t.default_language)]
                                      if t.default_language in variants else " ".join(words(t.id)))
                if t.shortcut:
                    shortcuts.append(t.shortcut)
                    shortcut_owners.append(i)
                for tag in t.tags:
                    raw_tags.setdefault(tag, []).append(i)
                for lang in variants:
                    lang_positions.setdefault(lang, []).append(i)
            keys.add(lexicon.ids(key_texts), first)
            bodies.add(lexicon.ids(body_texts, strip_placeholders=True), first)
            del titles, key_texts, body_texts
            yield_lock()
        # tags can be many (one per product): their templates are kept as positions and a
        # mask is made when a filter asks for one; languages are few: masks at once
        tag_positions: dict[str, list[int]] = {}
        for tag, found in raw_tags.items():
            tag_positions.setdefault(fold(tag), []).extend(found)
        self.tag_positions = {tag: np.array(found, dtype=np.int32) for tag, found in tag_positions.items()}
        self.tags = sorted_tags(raw_tags)  # every tag as written, once (a set of them: 27 ms more)
        del raw_tags, tag_positions
        self.lang_masks: dict[str, np.ndarray] = {}
        for lang, found in lang_positions.items():
            for code in {lang, base_language(lang)}:
                if code not in self.lang_masks:
                    self.lang_masks[code] = np.zeros(n, dtype=bool)
                self.lang_masks[code][found] = True
        self.languages = sorted(lang_positions)
        del lang_positions
        self.vocab = sorted_in_steps(list(lexicon.words))
        # word id -> its place in the sorted vocabulary (id 0, the separator, is never used)
        rank = np.zeros(len(self.vocab) + 1, dtype=np.int32)
        for start in range(0, len(self.vocab), _STEP):  # a slice at a time: short calls
            part = self.vocab[start:start + _STEP]
            rank[np.fromiter(map(lexicon.words.__getitem__, part), dtype=np.int32, count=len(part))] = \
                np.arange(start, start + len(part), dtype=np.int32)
            yield_lock()
        lexicon.release()
        del lexicon
        yield_lock()
        # Posting lists concatenated in vocabulary order: the templates of every word sharing
        # a prefix (a contiguous vocabulary range) are one slice, so a prefix costs one
        # vectorised update however many words it covers.
        self.key_concat, self.key_offsets = keys.finish(rank, len(self.vocab), n)
        self.body_concat, self.body_offsets = bodies.finish(rank, len(self.vocab), n)
        del keys, bodies, rank
        # typo candidates: a first letter's words are a vocabulary range, taken by length
        self.word_lengths = np.fromiter(map(len, self.vocab), dtype=np.int32, count=len(self.vocab))
        self.boost = np.zeros(n, dtype=np.float64)
        # the default order for an empty query: title, stable
        self.title_rank = _rank(default_titles, self.ids)
        del default_titles
        self._ranks_by_language: dict[str, np.ndarray] = {}
        self._shapes: list[list[int]] | None = None  # positions by (languages, default): _served_titles
        # shortcuts, folded, in order (a prefix is a range), and their forms without a sigil
        # (';refund' typed as 'refund'): sorted lists and positions, no dict of lists
        folded = _folded_each(shortcuts)
        self.shortcut_keys, self.shortcut_concat, self.shortcut_offsets = \
            _grouped(folded, shortcut_owners)
        forms = [key.lstrip(SIGILS) for key in folded]
        kept = [form and form != key for form, key in zip(forms, folded)]
        self.bare_keys, self.bare_concat, self.bare_offsets = _grouped(
            list(compress(forms, kept)), list(compress(shortcut_owners, kept)))

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
        variant the reply would use), computed once per language (:meth:`prepare_orders`
        computes, on the reading thread, every one a customer can ask for: a customer's
        language changes on the GUI thread, where one took 70-230 ms at 50,000 templates).
        A language no template has is served as its base language is (``pt_BR`` as ``pt``);
        one whose base no template has either, by every template's default: the default order."""
        if not language:
            return self.title_rank
        code = normalize_language(language)
        if code not in self.lang_masks:
            code = base_language(code)
            if code not in self.lang_masks:
                return self.title_rank
        rank = self._ranks_by_language.get(code)
        if rank is None:
            rank = self._ranks_by_language[code] = _rank(self._served_titles(code), self.ids)
        return rank

    def prepare_orders(self) -> None:
        """Compute the title order of every language :meth:`titles_rank` can be asked for
        beyond the default one: the library's languages and their base languages."""
        for code in self.lang_masks:
            self.titles_rank(code)

    def _served_titles(self, language: str) -> list[str]:
        """Each template's folded title as shown in ``language``. The folded titles are in
        the title blobs, in the order of the variants, and which variant serves a language
        depends only on the template's languages and its default: the templates are grouped
        by that shape once (a library has a few), and a group's titles are taken in C, its
        blobs joined and split a slice at a time (each blob adds a line per variant), the
        served place's every ``len(variants)``-th line. At 50,000 templates x 3 languages,
        on each reading of the library: 12-17 ms a language (30 ms more the first time, for
        the shapes) against about 45 ms with a split per template; the orders of the three
        languages 234 -> 194 ms, their sorts (~30 ms each) most of what is left."""
        if self._shapes is None:
            shapes: dict[tuple, list[int]] = {}
            for i, t in enumerate(self.templates):
                shapes.setdefault((*t.variants, t.default_language), []).append(i)
            self._shapes = list(shapes.values())
        blobs = self.title_blobs
        keys = [""] * len(blobs)
        for positions in self._shapes:
            first = self.templates[positions[0]]
            k, count = _served_place(first, language), len(first.variants)
            titles: list[str] = []
            for start in range(0, len(positions), _CHUNK * 16):  # short C calls (see postings)
                part = "".join(map(blobs.__getitem__, positions[start:start + _CHUNK * 16]))
                titles += part.split("\n")[k + 1::count]
            if len(positions) == len(blobs):
                return titles
            for i, title in zip(positions, titles):
                keys[i] = title
        return keys

    def title_key(self, position: int, language: str | None) -> str:
        """What the template at ``position`` is ordered by among equal scores: its folded
        title as shown in ``language`` (as :meth:`titles_rank` orders), then its id."""
        t = self.templates[position]
        if not language and t.default_language not in t.variants:
            return " ".join(words(t.id))
        k = _served_place(t, language or t.default_language)
        return self.title_blobs[position].split("\n", k + 2)[k + 1]

    def _by_usage(self, candidates: np.ndarray, limit: int | None,
                  rank: np.ndarray | None = None) -> list[Hit]:
        """Candidates by usage boost, then title: the order of an empty query. Only the first
        ``limit`` are sorted: those above the limit-th highest boost, and the first by title
        among those at it (ranks are distinct), chosen in one pass each. Sorting every
        candidate took 4.4 ms at 50,000, on the GUI thread at each customer change; 0.4 ms."""
        rank = self.title_rank if rank is None else rank
        boost = self.boost[candidates]
        if limit is not None and 0 < limit < candidates.size:
            edge = -np.partition(-boost, limit - 1)[limit - 1]
            above = np.flatnonzero(boost > edge)
            at = np.flatnonzero(boost == edge)
            room = limit - above.size  # at least one: ``edge`` is the limit-th highest
            if at.size > room:
                at = at[np.argpartition(rank[candidates[at]], room - 1)[:room]]
            keep = np.concatenate((above, at))
            candidates, boost = candidates[keep], boost[keep]
        order = candidates[np.lexsort((rank[candidates], -boost))]
        return [Hit(self.ids[i], float(self.boost[i])) for i in order[:limit].tolist()]

    def _prefix_words(self, prefix: str) -> tuple[int, int]:
        lo = bisect.bisect_left(self.vocab, prefix)
        hi = bisect.bisect_left(self.vocab, prefix + "\U0010ffff")
        return lo, hi

    def _word(self, word: str) -> int | None:
        """The vocabulary place of ``word``, if it is a word of the library."""
        at = bisect.bisect_left(self.vocab, word)
        return at if at < len(self.vocab) and self.vocab[at] == word else None

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
        choices: dict[int, str] = {}
        for initial in dict.fromkeys(token[:2]):
            # the words starting with ``initial`` are one vocabulary range
            lo = bisect.bisect_left(self.vocab, initial)
            hi = bisect.bisect_left(self.vocab, chr(ord(initial) + 1)) if ord(initial) < 0x10FFFF \
                else len(self.vocab)
            lengths = self.word_lengths[lo:hi]
            near = np.flatnonzero((lengths >= MIN_TYPO - 1) & (np.abs(lengths - len(token)) <= 2))
            vocab = self.vocab
            choices.update((idx, vocab[idx]) for idx in (near + lo).tolist())
        found = process.extract(token, choices, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF,
                                limit=MAX_TYPO_WORDS)
        return [(idx, score) for _word, score, idx in found]

    def _direct_scores(self, token: str, is_last: bool) -> np.ndarray:
        """Each template's score for ``token`` as a word or, the last one, as a prefix."""
        scores = np.zeros(len(self.templates), dtype=np.float64)
        exact = self._word(token)
        if is_last or exact is None:
            lo, hi = self._prefix_words(token)
            if hi > lo:
                self._apply(scores, lo, hi, 1, len(token) >= MIN_PREFIX_BODY)
        if exact is not None:
            self._apply(scores, exact, exact + 1, 0, True)
        return scores

    def _add_typos(self, scores: np.ndarray, token: str) -> None:
        """Scores for words one or two edits from ``token`` (asked when nothing matched it)."""
        for idx, similarity in self._typo_words(token):
            self._apply(scores, idx, idx + 1, 2, True, similarity / 100.0)

    def _shortcut_exact(self, folded: str) -> list[int]:
        """Templates whose folded shortcut is ``folded``, with or without its sigil."""
        found: list[int] = []
        for keys, concat, offsets in ((self.shortcut_keys, self.shortcut_concat, self.shortcut_offsets),
                                      (self.bare_keys, self.bare_concat, self.bare_offsets)):
            at = bisect.bisect_left(keys, folded)
            if folded and at < len(keys) and keys[at] == folded:
                found += concat[offsets[at]:offsets[at + 1]].tolist()
        return found

    def _filtered(self, tag: str | None, language: str | None) -> np.ndarray:
        """Which templates the filters let through: ``tag``, and having a variant in ``language``."""
        n = len(self.templates)
        mask = np.ones(n, dtype=bool)
        if tag:
            picked = np.zeros(n, dtype=bool)
            picked[self.tag_positions.get(fold(tag), [])] = True
            mask &= picked
        if language:
            mask &= self.lang_masks.get(language, self.lang_masks.get(
                base_language(language), np.zeros(n, dtype=bool)))
        return mask

    def _shortcut_prefixed(self, folded: str) -> np.ndarray:
        """Templates whose folded shortcut starts with ``folded`` (only punctuation typed, e.g. ';')."""
        lo = bisect.bisect_left(self.shortcut_keys, folded)
        hi = bisect.bisect_left(self.shortcut_keys, folded + "\U0010ffff")
        picked = np.zeros(len(self.templates), dtype=bool)
        picked[self.shortcut_concat[self.shortcut_offsets[lo]:self.shortcut_offsets[hi]]] = True
        return picked

    def _ranked(self, total: np.ndarray, mask: np.ndarray, allowed: np.ndarray, folded: str,
                tokens: list[str], limit: int | None, rank: np.ndarray) -> list[Hit]:
        """The matching templates (``mask``), best first: word scores (``total``), the exact
        shortcut (within the filters, ``allowed``), usage, the typed phrase in a title."""
        for i in self._shortcut_exact(folded):  # ';refund' (or 'refund') typed in full
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

    def search(self, query: str, *, tag: str | None = None, language: str | None = None,
               limit: int | None = 50, display_language: str | None = None) -> list[Hit]:
        """Templates matching ``query``, best first. ``language`` filters (templates with
        that variant); ``display_language`` orders equal scores by the titles shown in it."""
        return search_layers([(self, None)], query, tag=tag, language=language, limit=limit,
                             display_language=display_language)


def search_layers(layers: list[tuple[SearchIndex, np.ndarray | None]], query: str, *,
                  tag: str | None = None, language: str | None = None, limit: int | None = 50,
                  display_language: str | None = None) -> list[Hit]:
    """:meth:`SearchIndex.search` over indexes laid over each other, as if they were one:
    ``layers`` are (index, the positions it must not answer with, or None). Each query word
    may match with typos only when it matches no word in any layer, as in one index; each
    layer ranks its own matches and the lists are merged in the order one index would give
    (score, then the title as shown, then the id)."""
    order_language = display_language or language
    folded = fold(query).strip()
    tokens = words(query)
    masks = []
    for index, hidden in layers:
        mask = index._filtered(tag, language)
        if hidden is not None:
            mask[hidden] = False
        masks.append(mask)
    if not tokens:
        found = []
        for (index, _hidden), mask in zip(layers, masks):
            if folded:  # only punctuation so far, e.g. ';': shortcuts starting with it
                mask &= index._shortcut_prefixed(folded)
            found.append(index._by_usage(np.flatnonzero(mask), limit, index.titles_rank(order_language)))
        return _merged(layers, found, limit, order_language)
    allowed = [mask.copy() for mask in masks]  # the filters alone: a shortcut match must respect them too
    totals = [np.zeros(len(index), dtype=np.float64) for index, _hidden in layers]
    for k, token in enumerate(tokens):
        scores = [index._direct_scores(token, k == len(tokens) - 1) for index, _hidden in layers]
        for (_index, hidden), score in zip(layers, scores):
            if hidden is not None:
                score[hidden] = 0.0
        if len(token) >= MIN_TYPO and not any(score.any() for score in scores):
            for (index, hidden), score in zip(layers, scores):
                index._add_typos(score, token)
                if hidden is not None:
                    score[hidden] = 0.0
        for mask, total, score in zip(masks, totals, scores):
            mask &= score > 0
            total += score
    found = []
    for (index, _hidden), total, mask, allow in zip(layers, totals, masks, allowed):
        total /= len(tokens)
        found.append(index._ranked(total, mask, allow, folded, tokens, limit, index.titles_rank(order_language)))
    return _merged(layers, found, limit, order_language)


def _merged(layers: list[tuple[SearchIndex, np.ndarray | None]], found: list[list[Hit]],
            limit: int | None, language: str | None) -> list[Hit]:
    """The hits of each layer as one list, in the order one index gives its hits."""
    if len(found) == 1:
        return found[0]
    keyed = [(-hit.score, index.title_key(index.position[hit.template_id], language), hit.template_id, hit)
             for (index, _hidden), hits in zip(layers, found) for hit in hits]
    keyed.sort(key=lambda item: item[:3])
    return [item[3] for item in keyed[:limit]]


def _served_place(template: Template, language: str) -> int:
    """The place, among ``template``'s variants, of the one that serves ``language``."""
    return list(template.variants).index(template.variant_language(language))


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


def _grouped(keys: list[str], owners: list[int]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The distinct ``keys`` sorted, the positions of each (ascending) concatenated in that
    order, and where each key's positions start."""
    order = _order(keys, owners)
    ordered = list(map(keys.__getitem__, order))
    starts = [0, *compress(range(1, len(order)), map(ne, ordered, islice(ordered, 1, None)))] if order else []
    distinct = list(map(ordered.__getitem__, starts))
    starts.append(len(order))
    concat = np.fromiter(map(owners.__getitem__, order), dtype=np.int32, count=len(order))
    return distinct, concat, np.array(starts, dtype=np.int64)


def _rank(keys: list[str], ids: list[str]) -> np.ndarray:
    """Each template's place when ordered by (key, id), ties in list order."""
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.array(_order(keys, ids), dtype=np.int64)] = np.arange(len(keys), dtype=np.int64)
    return rank


def _order(keys: list, then: list) -> list[int]:
    """The positions of ``keys`` ordered by (key, ``then``), ties in list order: sorted by
    what they point at, in short steps, no tuple per item, then each run of equal keys
    (titles seldom repeat) by ``then``. 75 -> 35 ms for 50,000 titles, against sorting
    (key, then, position) tuples."""
    order = sorted_in_steps(list(range(len(keys))), key=keys.__getitem__)
    ordered = list(map(keys.__getitem__, order))
    end = 0
    for k in compress(range(1, len(order)), map(eq, ordered, islice(ordered, 1, None))):
        if k <= end:  # in the run sorted already
            continue
        end = k
        while end + 1 < len(order) and ordered[end + 1] == ordered[k]:
            end += 1
        order[k - 1:end + 1] = sorted(order[k - 1:end + 1], key=then.__getitem__)
    return order


def _folded_each(texts: list[str]) -> list[str]:
    """``[fold(text) for text in texts]``, at once: case folding and NFKD work character by
    character (a line break stays itself), so the joined text folds as its parts do."""
    if not texts:
        return []
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1:
        decomposed = unicodedata.normalize("NFKD", joined.casefold())
        if decomposed.count("\n") == len(texts) - 1:
            if not decomposed.isascii():
                decomposed = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
            return decomposed.split("\n")
    return [fold(text) for text in texts]


def _max_into(scores: np.ndarray, positions: np.ndarray, value: float) -> None:
    """scores[positions] = max(scores[positions], value). Repeated positions are fine: each
    copy computes the same value from the same old score."""
    current = scores[positions]
    np.maximum(current, value, out=current)
    scores[positions] = current


def typo_similarity(a: str, b: str) -> float:
    """Exposed for tests and the palette: accent/case-insensitive similarity 0-100."""
    return fuzz.ratio(fold(a), fold(b))
