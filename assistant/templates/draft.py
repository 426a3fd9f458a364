"""Machine-translated drafts of a template for a language it lacks, clearly marked for review.

The translation feature is optional here: :func:`find_translator` returns a callable only
when a started translation service (``assistant.translation.service.TranslationService``,
owned by the Translate panel) can translate the pair; otherwise None and the app simply
falls back to the default language. Placeholders are protected by the translation glossary:
every ``{{...}}`` token of the body (fallbacks and section markers included) is passed as a
do-not-translate term. The output is checked too: every token must come back unchanged, or
the draft is refused (a draft with a broken ``{{order_id}}`` is worse than none).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

from assistant.errors import UserError
from assistant.templates.model import Template, Variant, base_language
from assistant.templates.render import TOKEN_RE

log = logging.getLogger(__name__)

# (text in the source language, terms to keep unchanged) -> text in the target language
Translator = Callable[[str, Sequence[str]], str]


@dataclass(frozen=True)
class Draft:
    variant: Variant
    source_language: str
    target_language: str


class DraftError(UserError):
    """The draft could not be made safely; the message says why."""


def _tokens(text: str) -> Counter:
    return Counter(m.group(0) for m in TOKEN_RE.finditer(text))


def make_draft(template: Template, target_language: str, translate: Translator) -> Draft:
    """Translate the default-language variant with ``translate``; raises :class:`DraftError`
    if the translator fails or changes a placeholder."""
    source = template.default_language
    variant = template.variants[source]
    tokens = sorted(_tokens(variant.body), key=len, reverse=True)
    try:
        title = translate(variant.title, ()).strip() or variant.title
        body = translate(variant.body, tokens)
    except Exception as exc:  # an engine failure is reported, never fatal to the panel
        raise DraftError(f"The translation failed: {exc}") from exc
    lost = _tokens(variant.body) - _tokens(body)
    if lost:
        raise DraftError("The translation changed these placeholders: "
                         + ", ".join(sorted(lost)))
    return Draft(Variant(title, body), source, target_language)


def find_translator(service, source: str, target: str) -> Translator | None:
    """A translator for the pair through ``service`` (a started TranslationService), or None
    when there is no service, its engine is not loaded, or no model covers the pair.
    Never raises. The callable must run on the worker thread that owns the engine."""
    try:
        engine = getattr(service, "engine", None)
        source, target = base_language(source), base_language(target)
        if engine is None or source == target or not engine.can_translate(source, target):
            return None
    except Exception as exc:  # a half-loaded engine must not break the Replies panel
        log.info("No translation draft for %s -> %s: %s", source, target, exc)
        return None

    def translate(text: str, terms: Sequence[str]) -> str:
        return service.translate(text, source, target, terms).text

    return translate
