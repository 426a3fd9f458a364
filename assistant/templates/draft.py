"""Machine-translated drafts of a template for a language it lacks, clearly marked for review.

The translation feature (``assistant.translation``) is optional here: :func:`find_translator`
returns a callable only when that package is importable and reports a model for the pair;
otherwise None and the app simply falls back to the default language. Placeholders are
protected by the translation glossary (``{{...}}`` are do-not-translate terms); we also check
the output: every placeholder and section marker of the source must come back unchanged, or
the draft is refused (a draft with a broken ``{{order_id}}`` is worse than none).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from assistant.templates.model import Template, Variant
from assistant.templates.render import TOKEN_RE

log = logging.getLogger(__name__)

Translator = Callable[[str], str]  # text in the source language -> text in the target


@dataclass(frozen=True)
class Draft:
    variant: Variant
    source_language: str
    target_language: str


class DraftError(Exception):
    """The draft could not be made safely; the message says why."""


def _tokens(text: str) -> Counter:
    return Counter(m.group(0) for m in TOKEN_RE.finditer(text))


def make_draft(template: Template, target_language: str, translate: Translator) -> Draft:
    """Translate the default-language variant with ``translate``; raises :class:`DraftError`
    if the translator fails or changes a placeholder."""
    source = template.default_language
    variant = template.variants[source]
    try:
        title = translate(variant.title).strip() or variant.title
        body = translate(variant.body)
    except Exception as exc:  # an engine failure is reported, never fatal to the panel
        raise DraftError(f"The translation failed: {exc}") from exc
    lost = _tokens(variant.body) - _tokens(body)
    if lost:
        raise DraftError("The translation changed these placeholders: "
                         + ", ".join(sorted(lost)))
    return Draft(Variant(title, body), source, target_language)


def find_translator(source: str, target: str) -> Translator | None:
    """A translator for the pair from ``assistant.translation``, or None when the feature
    or a model for the pair is not installed. Never raises."""
    try:
        import assistant.translation as translation  # noqa: PLC0415 (optional feature)
    except Exception:  # not installed, or broken: drafts are simply not offered
        return None
    try:
        has_pair = getattr(translation, "has_pair", None)
        translate = getattr(translation, "translate", None)
        if has_pair is None or translate is None or not has_pair(source, target):
            return None
    except Exception as exc:
        log.info("No translation draft for %s -> %s: %s", source, target, exc)
        return None
    return lambda text: translate(text, source, target)
