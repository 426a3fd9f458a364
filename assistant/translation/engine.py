"""The translation engine: Argos Translate packages run through CTranslate2, offline.

From Argos we use the package format, its metadata and tokenizers (SentencePiece or BPE)
and, when a package ships one, its MiniSBD sentence splitter. The steps around them are
ours, because the product needs what Argos's ``translate()`` does not give:

- sentence splitting without a download (:mod:`assistant.translation.splitter` when the
  package has no ``minisbd/*.onnx``);
- all sentences of a message in one ``translate_batch`` call, beam 2, one worker thread;
- the original spacing and line breaks between sentences kept;
- do-not-translate slots (:mod:`assistant.translation.glossary`) with a safe fallback;
- the route shown to the user: direct, or pivoting through English ("via English").

Not thread-safe by design: it runs on the app's single worker thread.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from assistant.errors import UserError
from assistant.i18n import _
from assistant.translation import glossary, packages
from assistant.translation.packages import InstalledPackage
from assistant.translation.splitter import sentence_spans

log = logging.getLogger(__name__)

PIVOT = "en"
_STRAY_MARKER = re.compile(r"\s*⟦[^⟧]*⟧")
BEAM_SIZE = 2
MAX_INPUT_CHARS = 20_000
MAX_DECODING_LENGTH = 256


class NoModelError(UserError, LookupError):
    """No installed package (direct or via English) translates this pair."""

    def __init__(self, source: str, target: str, installed: Iterable[tuple[str, str]]):
        self.source, self.target = source, target
        self.installed = sorted(set(installed))
        super().__init__(missing_model_message(source, target, self.installed))


def missing_model_message(source: str, target: str, installed) -> str:
    have = ", ".join(f"{a}→{b}" for a, b in installed) or _("none")
    pair = f"{source}→{target}"
    needs = pair
    if PIVOT not in (source, target):
        needs = _("{pair} (or {first} and {second})").format(
            pair=pair, first=f"{source}→{PIVOT}", second=f"{PIVOT}→{target}")
    # the agent's words: no command line (the CLI adds its own command, see cli/translate.py)
    return _("No translation model for {pair}. Install {needs} with Models ▸ Install model… "
             "(installed: {installed}).").format(pair=pair, needs=needs, installed=have)


@dataclass(frozen=True)
class TranslationResult:
    text: str
    source: str
    target: str
    route: tuple[tuple[str, str], ...]     # the packages used, in order
    seconds: float = 0.0
    protected: tuple[str, ...] = ()        # the spans kept unchanged
    fallback: bool = False                 # protected spans forced the piecewise translation

    @property
    def pivot(self) -> str | None:
        return self.route[0][1] if len(self.route) > 1 else None

    def to_dict(self) -> dict:
        return {"translation": self.text, "source": self.source, "target": self.target,
                "pair": [f"{a}-{b}" for a, b in self.route], "pivot": self.pivot,
                "seconds": round(self.seconds, 4), "protected": list(self.protected),
                "piecewise": self.fallback}


@dataclass
class _LoadedPair:
    info: InstalledPackage
    argos_package: object           # argostranslate.package.Package: metadata + tokenizer
    translator: object = None       # ctranslate2.Translator, loaded on first use or warm-up
    argos_splitter: object = None   # MiniSBD sentencizer when the package bundles its model
    lock: threading.Lock = field(default_factory=threading.Lock)


class TranslationEngine:
    def __init__(self, models_dir: Path, argos_home: Path, *, threads: int | None = None,
                 beam_size: int = BEAM_SIZE):
        self.models_dir = Path(models_dir)
        self._argos_home = Path(argos_home)
        self._argos_module = None  # imported with the first package (Argos and its sentence splitter: ~50 MB)
        self.threads = threads if threads is not None else min(4, os.cpu_count() or 1)
        self.beam_size = beam_size
        self._pairs: dict[tuple[str, str], _LoadedPair] = {}
        self.problems: list[str] = []
        self.reload()

    # -- packages ----------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the installed packages (after an install or removal). Loaded translators
        of packages still installed at the same path are kept."""
        found = packages.scan(self.models_dir)
        self.problems = found.problems
        pairs: dict[tuple[str, str], _LoadedPair] = {}
        for info in found.packages:
            old = self._pairs.get(info.pair)
            if old is not None and old.info == info:
                pairs[info.pair] = old
                continue
            try:
                pkg = self._argos_package().Package(info.path)
            except Exception as exc:  # a package Argos cannot read: reported, others still work
                self.problems.append(f"{info.path}: {exc}")
                continue
            pairs[info.pair] = _LoadedPair(info, pkg)
        self._pairs = pairs

    def _argos_package(self):
        """``argostranslate.package``, configured for our folders, imported when first needed:
        with no model installed the app never loads it."""
        if self._argos_module is None:
            from assistant.translation.argos_env import import_argos

            self._argos_module = import_argos(self.models_dir, self._argos_home)
        return self._argos_module

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return sorted(self._pairs)

    @property
    def installed(self) -> list[InstalledPackage]:
        return [self._pairs[p].info for p in self.pairs]

    def languages(self) -> list[str]:
        return sorted({code for pair in self._pairs for code in pair})

    def language_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for loaded in self._pairs.values():
            names.setdefault(loaded.info.from_code, loaded.info.from_name or loaded.info.from_code)
            names.setdefault(loaded.info.to_code, loaded.info.to_name or loaded.info.to_code)
        return names

    def route(self, source: str, target: str) -> tuple[tuple[str, str], ...]:
        """The packages that translate source→target: direct, else through English, else
        through any other installed language. Raises NoModelError."""
        if source == target:
            return ()
        if (source, target) in self._pairs:
            return ((source, target),)
        pivots = [PIVOT] + sorted(self.languages())
        for pivot in pivots:
            if (source, pivot) in self._pairs and (pivot, target) in self._pairs:
                return ((source, pivot), (pivot, target))
        raise NoModelError(source, target, self._pairs)

    def can_translate(self, source: str, target: str) -> bool:
        try:
            self.route(source, target)
        except NoModelError:
            return False
        return True

    # -- loading -----------------------------------------------------------------------
    def _load(self, pair: tuple[str, str]) -> _LoadedPair:
        loaded = self._pairs[pair]
        with loaded.lock:
            if loaded.translator is None:
                loaded.translator = open_translator(loaded.info.path, self.threads)
                if loaded.info.has_splitter_model:
                    from argostranslate.sbd import MiniSBDSentencizer

                    loaded.argos_splitter = MiniSBDSentencizer(loaded.argos_package)
        return loaded

    def warm_up(self, pairs: Iterable[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        """Load translators (and run one tiny translation each) so the first real request
        is fast. Returns the pairs warmed."""
        done = []
        for pair in list(pairs) if pairs is not None else self.pairs:
            if pair in self._pairs:
                self._translate_sentences(self._load(pair), ["Hello."])
                done.append(pair)
        return done

    def unload(self) -> None:
        for loaded in self._pairs.values():
            loaded.translator = None
            loaded.argos_splitter = None

    # -- translation -------------------------------------------------------------------
    def translate(self, text: str, source: str, target: str, terms: Iterable[str] = (),
                  clock=time.perf_counter) -> TranslationResult:
        started = clock()
        if len(text) > MAX_INPUT_CHARS:
            raise ValueError(f"The text is too long to translate at once ({len(text)} characters, "
                             f"at most {MAX_INPUT_CHARS}).")
        route = self.route(source, target)
        protected = glossary.protect(text, terms)
        fallback = False
        if not route or not text.strip():
            out = text
        else:
            masked = protected.text
            for pair in route:
                masked = self._translate_text(pair, masked)
            try:
                out = glossary.restore(masked, protected)
            except glossary.RestoreError as exc:
                log.info("protected spans lost in translation (%s); translating around them", exc)
                out = self._translate_around(route, protected)
                fallback = True
        return TranslationResult(out, source, target, route, clock() - started,
                                 protected.originals, fallback)

    def _translate_around(self, route, protected: glossary.Protected) -> str:
        pieces = []
        for piece, is_protected in glossary.segments(protected):
            if is_protected or not any(ch.isalpha() for ch in piece):
                pieces.append(piece)
                continue
            core = piece.strip()
            for pair in route:
                core = self._translate_text(pair, core)
            core = _STRAY_MARKER.sub("", core)  # a model may still invent one: drop it
            lead = piece[:len(piece) - len(piece.lstrip())]
            trail = piece[len(piece.rstrip()):]
            pieces.append(lead + core + trail)
        return "".join(pieces)

    def _translate_text(self, pair: tuple[str, str], text: str) -> str:
        """Translate keeping line breaks and the whitespace between sentences."""
        loaded = self._load(pair)
        lines = [(line, self._split(loaded, line)) for line in text.split("\n")]
        sentences = [sentence for _line, spans in lines for _a, _b, sentence in spans]
        # Slot markers are numbered from ⟦0⟧ in each sentence, as a model sees them in
        # training-like text, and mapped back after.
        local = [_renumber(s) for s in sentences]
        # Nothing to translate in "12345", "{{order_id}}" or "🙂": pass it through rather
        # than let a model make something up.
        wordy = [i for i, (s, _m) in enumerate(local) if _has_words(s)]
        outputs = dict(zip(wordy, self._translate_sentences(loaded, [local[i][0] for i in wordy]) if wordy else []))
        translated = iter(_map_back(outputs[i], mapping) if i in outputs else sentences[i]
                          for i, (_s, mapping) in enumerate(local))
        out: list[str] = []
        for line, spans in lines:
            cursor = 0
            for start, end, _sentence in spans:
                out.append(line[cursor:start])
                out.append(next(translated))
                cursor = end
            out.append(line[cursor:])
            out.append("\n")
        return "".join(out[:-1])

    def _split(self, loaded: _LoadedPair, line: str) -> list[tuple[int, int, str]]:
        if not line.strip():
            return []
        if loaded.argos_splitter is not None:
            spans = []
            cursor = 0
            for sentence in loaded.argos_splitter.split_sentences(line):
                sentence = sentence.strip()
                start = line.find(sentence, cursor) if sentence else -1
                if start < 0:  # the splitter changed the text: translate the line whole
                    stripped = line.strip()
                    start = line.find(stripped)
                    return [(start, start + len(stripped), stripped)]
                spans.append((start, start + len(sentence), sentence))
                cursor = start + len(sentence)
            return spans
        return [(a, b, line[a:b]) for a, b in sentence_spans(line)]

    def _translate_sentences(self, loaded: _LoadedPair, sentences: list[str]) -> list[str]:
        pkg = loaded.argos_package
        tokenized = [pkg.tokenizer.encode(s) for s in sentences]
        prefix = [[pkg.target_prefix]] * len(tokenized) if pkg.target_prefix else None
        results = loaded.translator.translate_batch(
            tokenized, target_prefix=prefix, beam_size=self.beam_size, num_hypotheses=1,
            replace_unknowns=True, length_penalty=0.2, max_decoding_length=decoding_limit(tokenized))
        out = []
        for result in results:
            value = pkg.tokenizer.decode(result.hypotheses[0])
            if pkg.target_prefix and value.startswith(pkg.target_prefix):
                value = value[len(pkg.target_prefix):]
            out.append(value.strip())
        return out


def open_translator(package: Path, threads: int):
    """The CTranslate2 translator of an installed (or staged) package folder."""
    import ctranslate2

    return ctranslate2.Translator(str(Path(package) / "model"), device="cpu", compute_type="int8",
                                  inter_threads=1, intra_threads=threads)


def decoding_limit(tokenized: list[list[str]]) -> int:
    """How many target tokens a batch may produce: enough for any real translation of the
    longest sentence, and a bound on a model that loops instead of ending the sentence."""
    longest = max((len(t) for t in tokenized), default=0)
    return min(MAX_DECODING_LENGTH, int(longest * 1.5) + 20)


def _has_words(text: str) -> bool:
    return any(ch.isalpha() for ch in glossary.SLOT_RE.sub("", text))


def _renumber(sentence: str) -> tuple[str, list[str]]:
    """("a ⟦3⟧ b ⟦5⟧", ...) → ("a ⟦0⟧ b ⟦1⟧", ["3", "5"])."""
    mapping: list[str] = []

    def local(match):
        mapping.append(match.group(1))
        return glossary.SLOT.format(len(mapping) - 1)

    return glossary.SLOT_RE.sub(local, sentence), mapping


def _map_back(text: str, mapping: list[str]) -> str:
    def original(match):
        n = int(match.group(1))
        # a marker the sentence did not have is kept invalid, so restore() notices it
        return glossary.SLOT.format(mapping[n]) if n < len(mapping) else glossary.SLOT.format(f"x{n}")

    return glossary.SLOT_RE.sub(original, text) if mapping or glossary.SLOT_RE.search(text) else text
