"""The translation feature as the app and the CLI use it: the engine and the language
detector together, rebuilt when packages change, plus the rules that need no engine.

Everything here runs on the one worker thread (or the CLI's thread); reading glossary terms
and writing history touch the database and are done by the caller on its own thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from assistant import settings
from assistant.translation import packages
from assistant.translation.detect import Detection, LanguageDetector
from assistant.translation.engine import TranslationEngine, TranslationResult

MY_LANGUAGE_KEY = "translation.my_language"
LAST_INCOMING_KEY = "translation.last_incoming_language"


def my_language(db, ui_language: str = "en", languages=()) -> str:
    """The agent's own language: a saved choice, else the UI language (as installed)."""
    value = settings.get(db, MY_LANGUAGE_KEY)
    return value if isinstance(value, str) and value else match_installed(ui_language, languages)


def set_my_language(db, code: str) -> None:
    settings.put(db, MY_LANGUAGE_KEY, code)


# CLDR codes and the Argos package codes that stand for them, best first.
_ARGOS_VARIANTS = {"pt_br": ("pb", "pt"), "pt": ("pt", "pb"), "zh_hant": ("zt", "zh"), "zh_tw": ("zt", "zh"),
                   "zh_hk": ("zt", "zh"), "zh": ("zh", "zt"), "no": ("nb", "no"), "nb": ("nb", "no")}


def match_installed(code: str | None, languages) -> str | None:
    """The installed language code for a CLDR/BCP 47 code ("pt_BR" → "pb" or "pt", "es_MX" → "es");
    the base code when nothing installed matches (so the "install …" message names it)."""
    if not code:
        return None
    code = code.replace("-", "_").lower()
    base = code.split("_")[0]
    candidates = _ARGOS_VARIANTS.get(code) or _ARGOS_VARIANTS.get(base) or (base,)
    for candidate in candidates:
        if candidate in languages:
            return candidate
    return base if base in candidates else candidates[0]


def customer_language(context, languages=()) -> str | None:
    """The customer's language for translation (CLDR "pt_BR" → Argos "pt", or "pb" if that is installed)."""
    return match_installed(getattr(context, "language", None), languages)


@dataclass(frozen=True)
class EngineReady:
    pairs: tuple[tuple[str, str], ...]
    languages: tuple[str, ...]
    names: dict
    problems: tuple[str, ...]
    seconds: float


class TranslationService:
    def __init__(self, models_dir: Path, argos_home: Path):
        self.models_dir = Path(models_dir)
        self.argos_home = Path(argos_home)
        self.engine: TranslationEngine | None = None
        self.detector: LanguageDetector | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_data_dir(cls, data_dir) -> "TranslationService":
        return cls(data_dir.models, data_dir.path / "argos")

    def start(self, warm: Iterable[tuple[str, str]] | None = None, clock=time.perf_counter,
              detector: bool = True) -> EngineReady:
        """Load the engine, warm the given pairs (all if None), and (unless ``detector`` is
        False, for a caller that loads it next with :meth:`load_detector`) the detector."""
        started = clock()
        with self._lock:
            self.models_dir.mkdir(parents=True, exist_ok=True)
            if self.engine is None:
                self.engine = TranslationEngine(self.models_dir, self.argos_home)
            else:
                self.engine.reload()
            self.detector = None
            self.engine.warm_up(warm)
            if detector:
                self.detector = LanguageDetector(self.engine.languages())
            return EngineReady(tuple(self.engine.pairs), tuple(self.engine.languages()),
                               self.engine.language_names(), tuple(self.engine.problems), clock() - started)

    def load_detector(self) -> None:
        """The language detector for the installed languages (1–2 s the first time)."""
        with self._lock:
            if self.detector is None and self.engine is not None:
                self.detector = LanguageDetector(self.engine.languages())

    def detect(self, text: str, previous: str | None = None) -> Detection:
        return self._require_detector().detect(text, previous)

    def translate(self, text: str, source: str, target: str, terms: Iterable[str] = ()) -> TranslationResult:
        return self._require_engine().translate(text, source, target, terms)

    def translate_detected(self, text: str, target: str, previous: str | None = None,
                           terms: Iterable[str] = ()) -> tuple[Detection, TranslationResult]:
        detection = self.detect(text, previous)
        source = detection.language or previous or target
        return detection, self.translate(text, source, target, terms)

    # -- packages (the engine is reloaded afterwards) ---------------------------------
    def install(self, path: Path) -> list[packages.InstallResult]:
        path = Path(path)
        if path.is_dir():
            results = packages.install_from_folder(self.models_dir, path)
        else:
            results = [packages.install_archive(self.models_dir, path)]
        self._reload_if_started()
        return results

    def remove(self, from_code: str, to_code: str) -> packages.InstalledPackage:
        removed = packages.remove(self.models_dir, from_code, to_code)
        self._reload_if_started()
        return removed

    def _reload_if_started(self) -> None:
        if self.engine is not None:
            self.start(warm=())

    def _require_engine(self) -> TranslationEngine:
        if self.engine is None:
            self.start(warm=())
        return self.engine

    def _require_detector(self) -> LanguageDetector:
        if self.engine is None:
            self.start(warm=())
        self.load_detector()
        return self.detector
