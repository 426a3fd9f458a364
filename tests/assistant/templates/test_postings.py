"""The index's compact build (assistant/templates/postings.py, issue 18) must give exactly
what the plain definition gives: each template's folded words, each word's templates."""

import random

import numpy as np
import pytest

from assistant.templates import search
from assistant.templates.model import Template, declare_placeholders
from assistant.templates.postings import Lexicon, PostingsBuilder, sorted_in_steps
from assistant.templates.search import SearchIndex, _strip_placeholders, words

PIECES = ["Reembolsó", "pedido,", "déjà-vu", "—", "½", "ﬁnal", "STRASSE", "straße", "返金は", "x_y",
          "{{amount}}", "{{ order_id | the order }}", "{{#late}}", "{{/late}}", "{{x|a\x01b}}", "{{",
          "}}", "{", "\x01", "\x01{\x01", "\x02", "a\x01b", "#1234", "ͺ", "e\u0301", "\u0301", ";refund"]


def random_text(rng: random.Random) -> str:
    return rng.choice(["", " ", "\n"]).join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))


def test_lexicon_gives_each_texts_words_with_a_separator_between():
    rng = random.Random(18)
    lexicon = Lexicon(search._WORDS)
    for _ in range(200):
        texts = [random_text(rng) for _ in range(rng.randint(1, 6))]
        for strip in (False, True):
            ids = lexicon.ids(texts, strip_placeholders=strip).tolist()
            by_id = {word_id: word for word, word_id in lexicon.words.items()}
            got = [by_id.get(word_id, "|") for word_id in ids]
            expected = []
            for k, text in enumerate(texts):
                if k:
                    expected.append("|")
                expected += words(_strip_placeholders(text) if strip else text)
            assert got == expected, texts


def test_postings_list_each_words_templates_once_in_order_across_chunks():
    rng = random.Random(6)
    builder = PostingsBuilder()
    truth: dict[int, set[int]] = {}
    first = 0
    for size in (3, 1, 7, 5):
        ids: list[int] = []
        for k in range(size):
            if k:
                ids.append(0)
            for _ in range(rng.randint(0, 9)):
                word = rng.randint(1, 12)
                ids.append(word)
                truth.setdefault(word, set()).add(first + k)
        builder.add(np.array(ids, dtype=np.int32), first)
        first += size
    rank = np.zeros(13, dtype=np.int32)
    rank[1:] = rng.sample(range(12), 12)  # word id -> its place in the vocabulary
    concat, offsets = builder.finish(rank, 12, first)
    for word in range(1, 13):
        place = rank[word]
        assert concat[offsets[place]:offsets[place + 1]].tolist() == sorted(truth.get(word, ()))


def test_a_chunk_holds_at_most_what_16_bits_can_place():
    ids = np.zeros(1 << 16, dtype=np.int32)  # 65,537 templates
    with pytest.raises(ValueError):
        PostingsBuilder().add(ids, 0)


def test_sorted_in_steps_is_sorted():
    rng = random.Random(3)
    for size in (0, 1, 5, 17, 100, 1000):
        items = list({rng.choice(["a", "b", "ab", "ba", "é", ""]) + str(rng.randint(0, 10 ** 6))
                      for _ in range(size)})
        for step in (1, 4, 64):
            assert sorted_in_steps(items, step=step) == sorted(items)
    skewed = [*range(0, 2000, 2), *range(1, 30, 2), *range(5000, 6000)]  # runs that barely overlap
    rng.shuffle(skewed)
    assert sorted_in_steps(skewed, step=16) == sorted(skewed)


def test_sorted_in_steps_by_a_key_keeps_equal_keys_in_list_order():
    """Positions sorted by what they point at (the index's title and shortcut orders): many
    equal keys, across the pieces and merges, keep the order they had, as ``sorted`` does."""
    rng = random.Random(5)
    for size in (0, 1, 7, 100, 1000):
        keys = [rng.choice(["a", "b", "é", "", "ab"]) for _ in range(size)]
        positions = list(range(size))
        rng.shuffle(positions)
        for step in (1, 3, 16, 64):
            assert sorted_in_steps(positions, step=step, key=keys.__getitem__) == \
                sorted(positions, key=keys.__getitem__)


def tpl(tid, rng):
    variants = {lang: {"title": random_text(rng) or "t", "body": random_text(rng)}
                for lang in rng.sample(["en", "es", "fr", "pt_BR"], rng.randint(1, 3))}
    tags = [tag for tag in {rng.choice(["Refund", "refund", "billing", "ÉTÉ"]) for _ in range(2)}]
    return Template.from_dict(declare_placeholders({
        "id": tid, "default_language": next(iter(variants)), "tags": tags, "variants": variants,
        "shortcut": rng.choice([None, ";refund", "refund", ":ref", f";x{tid}", "É"])}))


def test_the_index_across_chunks_lists_what_each_template_holds(monkeypatch):
    """Built in chunks of 4 templates: every word's templates, by field, are the templates
    whose folded titles, tags and shortcut (keys) or bodies hold it."""
    monkeypatch.setattr(search, "_CHUNK", 4)
    rng = random.Random(11)
    library = []
    while len(library) < 23:
        try:
            library.append(tpl(f"t{len(library)}", rng))
        except Exception:  # noqa: BLE001  (a random template the model refuses: draw again)
            continue
    index = SearchIndex(library)
    key_words, body_words = [], []
    for t in library:
        titles = [" ".join(words(v.title)) for v in t.variants.values()]
        key_words.append(set(words(" ".join([*titles, *t.tags, t.shortcut or ""]))))
        body_words.append(set(words(_strip_placeholders(" ".join(v.body for v in t.variants.values())))))
    assert index.vocab == sorted(set().union(*key_words, *body_words))
    for place, word in enumerate(index.vocab):
        for concat, offsets, held in ((index.key_concat, index.key_offsets, key_words),
                                      (index.body_concat, index.body_offsets, body_words)):
            assert concat[offsets[place]:offsets[place + 1]].tolist() == \
                [i for i, found in enumerate(held) if word in found]
    # the empty query's order: by folded default title, then id
    order = sorted(range(len(library)), key=lambda i: (" ".join(words(library[i].title)), library[i].id))
    assert [h.template_id for h in index.search("", limit=None)] == [library[i].id for i in order]
    # a shortcut typed in full, with or without its sigil, finds exactly its templates
    for typed in (";refund", "refund", ":ref", "ref", "é"):
        folded = search.fold(typed)
        holders = {t.id for t in library if t.shortcut and (
            search.fold(t.shortcut) == folded or search.fold(t.shortcut).lstrip(search.SIGILS) == folded)}
        top = [h for h in index.search(typed, limit=None) if h.score >= search.SHORTCUT_BONUS]
        assert {h.template_id for h in top} == holders, typed


def test_typo_candidates_are_the_words_of_either_first_letter_within_two_letters():
    index = SearchIndex([Template.from_dict({"id": "a", "default_language": "en", "variants": {"en": {
        "title": "refund refunds reefund rfund efund refundable zzz", "body": "ab abc"}}})])
    from rapidfuzz import fuzz

    found = {index.vocab[idx]: score for idx, score in index._typo_words("refnud")}
    expected = {word: fuzz.ratio("refnud", word) for word in index.vocab
                if word[0] in "re" and len(word) >= 3 and abs(len(word) - 6) <= 2
                and fuzz.ratio("refnud", word) >= search.TYPO_CUTOFF}
    assert found == expected and "refund" in found and "refundable" not in found


def test_positions_past_16_bits_are_kept_whole():
    """A library over 65,536 templates keeps its positions in 32 bits."""
    builder = PostingsBuilder()
    builder.add(np.array([1, 0, 2, 1], dtype=np.int32), 70_000)
    rank = np.array([0, 0, 1], dtype=np.int32)
    concat, offsets = builder.finish(rank, 2, 70_002)
    assert concat.dtype == np.int32
    assert concat.tolist() == [70_000, 70_001, 70_001] and offsets.tolist() == [0, 2, 3]


def test_an_empty_library_answers_every_query_with_nothing():
    index = SearchIndex([])
    for query in ("", "refund", ";", "refnud", "ré"):
        assert index.search(query) == [] and index.search(query, language="es", tag="x") == []
