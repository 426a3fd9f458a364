"""The pieces the template search index is built from, made for a large library built on a
worker thread while the GUI thread keeps running (issue 18: 50,000 templates x 3 languages
in <= 2 s and <= 100 MB, the GUI thread never blocked more than 50 ms).

- :class:`Lexicon` turns raw text into word ids. The text is split on white space (in C) and
  each *raw* token ("Reembolsó,", "pedido") is looked up in a dict that remembers the word
  ids its folded form gives: folding (``str.translate`` character by character, slow on
  non-ASCII text) runs once per distinct raw token, not once per character of the library.
- :class:`PostingsBuilder` keeps each chunk's (word, template) pairs compactly (the chunk's
  distinct words with their counts, and each pair's template as a 16-bit offset in the
  chunk: ~2 bytes a pair, not 8-16), and lays them out once, at the end, as posting lists in
  vocabulary order, straight into the final array: no pass over all pairs at once.
- :func:`sorted_in_steps` sorts in pieces and merges them: one ``sorted()`` of 130,000
  strings is one C call that holds the interpreter lock ~50 ms, which the GUI thread waits.
  With a ``key`` it orders positions by what they point at, no tuple made per item.

Each step is short, and ``yield_lock()`` between chunks hands the lock to a waiting thread.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from itertools import islice

import numpy as np

from assistant.templates.render import TOKEN_RE

# Between two templates' texts in a chunk. Its token is the word id 0, never a word. It
# cannot be part of a placeholder match ('{' alone, between non-space non-brace characters,
# so the ``[^{}]*`` and ``\s*`` of TOKEN_RE cannot cross it): placeholders are stripped from
# a whole chunk at once exactly as from each template alone.
_MARK = "\x01"
SEPARATOR_TOKEN = f"{_MARK}{{{_MARK}"
_SEPARATOR = f" {SEPARATOR_TOKEN} "
_STAND_IN = "\x02"  # replaces a \x01 found in a text: folds to a space too, same regex class
MAX_CHUNK = 1 << 16  # a template's place in its chunk is kept in 16 bits


def yield_lock() -> None:
    """Let a thread waiting for the interpreter lock (the GUI thread) run now, rather than
    after the switch interval."""
    time.sleep(0)


class Lexicon(dict):
    """raw token -> word id (>= 1), or -k for a token that folds to no word or to several
    ("déjà-vu" -> "deja", "vu"; "—" -> nothing): ``spread[k - 1]`` holds its word ids. The
    folded words and their ids are in :attr:`words`. ``fold`` is the index's ``str.translate``
    table (``search._WORDS``)."""

    def __init__(self, fold_table):
        super().__init__()
        self.fold_table = fold_table
        self.words: dict[str, int] = {}
        self.spread: list[list[int]] = []
        self[SEPARATOR_TOKEN] = 0

    def __missing__(self, raw: str) -> int:
        folded = raw.translate(self.fold_table).split()
        if len(folded) == 1:
            found = self._word_id(folded[0])
        else:
            self.spread.append([self._word_id(word) for word in folded])
            found = -len(self.spread)
        self[raw] = found
        return found

    def _word_id(self, word: str) -> int:
        found = self.words.get(word)
        if found is None:
            found = self.words[word] = len(self.words) + 1
        return found

    def release(self, step: int = 20_000) -> None:
        """Empty the lexicon a slice at a time: freeing 100,000+ strings in one go is one C
        call that holds the interpreter lock (140 ms measured, on a loaded machine)."""
        for table in (self, self.words):
            while table:
                for key in list(islice(table, step)):
                    del table[key]
                yield_lock()
        self.spread = []

    def ids(self, texts: list[str], strip_placeholders: bool = False) -> np.ndarray:
        """The word ids of ``texts`` in order, 0 between two texts. ``strip_placeholders``:
        '{{customer_first_name}}' is not what an agent searches a body for."""
        joined = _SEPARATOR.join(texts)
        if joined.count(_MARK) != 2 * (len(texts) - 1):  # a text holds the mark: not a separator
            joined = _SEPARATOR.join(text.replace(_MARK, _STAND_IN) for text in texts)
        if strip_placeholders:
            joined = TOKEN_RE.sub(" ", joined)
        raw = joined.split()
        del joined
        ids = np.fromiter(map(self.__getitem__, raw), dtype=np.int32, count=len(raw))
        del raw
        spread = ids < 0
        if spread.any():
            ids = self._spread(ids, spread)
        return ids

    def _spread(self, ids: np.ndarray, spread: np.ndarray) -> np.ndarray:
        """Replace each token that is not one word by its words (none, or several): the
        array is repeated once, each such token taking as many places as it has words, and
        those places are filled in order; the rest is work on those tokens alone."""
        groups = self.spread
        sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
        flat = np.fromiter((w for group in groups for w in group), dtype=np.int32, count=int(sizes.sum()))
        starts = np.zeros(len(groups), dtype=np.int64)
        np.cumsum(sizes[:-1], out=starts[1:])
        group = -ids[spread].astype(np.int64) - 1
        taken = sizes[group]  # places each such token takes
        lengths = np.ones(len(ids), dtype=np.int64)
        lengths[spread] = taken
        out = np.repeat(ids, lengths)
        # each token's words: its group's start, then 0, 1, ... within it
        first = np.repeat(starts[group] - (np.cumsum(taken) - taken), taken)
        out[out < 0] = flat[first + np.arange(len(first), dtype=np.int64)]
        return out


class PostingsBuilder:
    """(word, template) pairs, chunk by chunk, as posting lists in vocabulary order."""

    def __init__(self):
        # per chunk: its first template, its distinct word ids (ascending), how many of its
        # templates hold each, and those templates (offsets in the chunk) word by word
        self.chunks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, ids: np.ndarray, first: int) -> None:
        """The word ids of a chunk's templates (from :meth:`Lexicon.ids`), template ``first``
        onwards; a word repeated in a template counts once."""
        separator = ids == 0
        owners = np.cumsum(separator, dtype=np.int64)
        count = int(owners[-1]) + 1 if owners.size else 0  # templates in the chunk
        if count > MAX_CHUNK:
            raise ValueError("a chunk holds at most 65,536 templates")
        # each pair as one integer, (word << shift) | template offset: 32 bits where the
        # library's words and the chunk's templates fit (numpy sorts them twice as fast)
        shift = max(count - 1, 1).bit_length()
        dtype = np.uint32 if ids.size and int(ids.max()) < 1 << (32 - shift) else np.int64
        keep = ~separator
        keys = ids[keep].astype(dtype)
        keys <<= shift
        keys |= owners[keep].astype(dtype)
        del owners, keep, separator
        keys.sort()  # numpy sorts integers without holding the interpreter lock
        if keys.size:
            keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
        word = (keys >> shift).astype(np.int32)
        starts = np.flatnonzero(np.concatenate(([True], word[1:] != word[:-1]))) if word.size \
            else np.zeros(0, dtype=np.int64)
        counts = np.diff(np.append(starts, word.size)).astype(np.int32)
        self.chunks.append((first, word[starts], counts, (keys & ((1 << shift) - 1)).astype(np.uint16)))

    def finish(self, rank: np.ndarray, size: int, templates: int) -> tuple[np.ndarray, np.ndarray]:
        """Posting lists concatenated in vocabulary order (``rank``: word id -> place in the
        sorted vocabulary of ``size`` words), each ascending, and where each starts. A
        library of up to 65,536 ``templates`` has its positions in 16 bits (half the size;
        numpy indexes with them as fast)."""
        per_word = np.zeros(len(rank), dtype=np.int64)
        for _first, words, counts, _owners in self.chunks:
            per_word[words] += counts  # words are distinct within a chunk
        offsets = np.zeros(size + 1, dtype=np.int64)
        per_rank = np.zeros(size, dtype=np.int64)
        per_rank[rank[1:]] = per_word[1:]
        np.cumsum(per_rank, out=offsets[1:])
        del per_rank
        dtype = np.uint16 if templates <= MAX_CHUNK else np.int32
        concat = np.empty(int(offsets[-1]), dtype=dtype)
        following = offsets[rank]  # by word id: where its next template goes
        del per_word
        chunks, self.chunks = self.chunks, []
        for k, (first, words, counts, owners) in enumerate(chunks, 1):
            runs = np.zeros(len(counts), dtype=np.int64)
            np.cumsum(counts[:-1], out=runs[1:])
            places = np.repeat(following[words] - runs, counts)
            places += np.arange(len(owners), dtype=np.int64)
            placed = owners.astype(dtype)
            placed += dtype(first)
            concat[places] = placed
            following[words] += counts
            if k % 16 == 0:  # a chunk takes 0.05-0.1 ms here, a hand-over ~0.08 ms (time.sleep(0))
                yield_lock()
        return concat, offsets


def sorted_in_steps(items: list, step: int = 8_192, key=None) -> list:
    """``sorted(items, key=key)`` in short calls: pieces of ``step`` sorted, then merged two
    runs at a time, each merge itself cut at pivots of the first run into pieces of about
    ``step`` (so the last merge is not one call over every item either). Stable, as
    ``sorted`` is: items of equal key keep their order in ``items``."""
    runs = [sorted(items[k:k + step], key=key) for k in range(0, len(items), step)]
    while len(runs) > 1:
        runs = [_merged(runs[k], runs[k + 1], step, key) if k + 1 < len(runs) else runs[k]
                for k in range(0, len(runs), 2)]
    return runs[0] if runs else []


def _merged(first: list, second: list, step: int, key) -> list:
    """Two sorted runs as one, ``first``'s items before ``second``'s of an equal key: the
    items of ``second`` below each pivot of ``first`` are sorted with that piece of
    ``first`` (Timsort merges the two runs, stably)."""
    out: list = []
    taken = 0
    for start in range(0, len(first), step):
        end = min(start + step, len(first))
        pivot = first[end - 1] if key is None else key(first[end - 1])
        upto = bisect_left(second, pivot, lo=taken, key=key) if end < len(first) else len(second)
        out += sorted(first[start:end] + second[taken:upto], key=key)
        taken = upto
        yield_lock()
    return out
