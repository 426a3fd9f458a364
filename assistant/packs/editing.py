"""The rules behind the in-app pack editor (ui/pack_editor.py): a pack document edited in
place, new template ids, language lists, problems per template, and the live preview.
Nothing here touches Qt; the editor only lays widgets out and calls these."""

from __future__ import annotations

import copy
import re
from datetime import datetime

from assistant.errors import UserError
from assistant.packs import format as fmt
from assistant.packs.build import skeleton

LANGUAGE_SPLIT_RE = re.compile(r"[\s,;]+")
SAMPLE_VALUES = {"customer_name": "Ana García", "customer_first_name": "Ana", "agent_name": "Sam",
                 "company": "ACME", "greeting": "", "date": "", "time": "",
                 "order_id": "A-10023", "ticket_id": "T-5521"}
SAMPLE_GREETINGS = {"en": "Good morning", "es": "Buenos días", "fr": "Bonjour", "de": "Guten Morgen",
                    "pt": "Bom dia", "it": "Buongiorno", "ar": "صباح الخير", "nl": "Goedemorgen"}


class EditError(UserError, ValueError):
    pass


def new_document(pack_id: str, title: str, publisher: str, languages: list[str], now: datetime) -> dict:
    return skeleton(pack_id, title, publisher, languages, now)


def parse_languages(text: str) -> list[str]:
    """'en, es pt_BR' -> ['en', 'es', 'pt_BR']; raises EditError for anything else."""
    from assistant.templates.model import LANG_RE, normalize_language

    codes = []
    for part in LANGUAGE_SPLIT_RE.split(text.strip()):
        if not part:
            continue
        code = normalize_language(part)
        if not LANG_RE.match(code):
            raise EditError(f"'{part}' is not a language code such as en, es or pt_BR")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise EditError("at least one language is needed")
    return codes


def set_languages(doc: dict, languages: list[str]) -> None:
    doc["languages"] = list(languages)
    if doc.get("default_language") not in languages:
        doc["default_language"] = languages[0]


def unique_template_id(doc: dict, base: str) -> str:
    used = {t.get("id") for t in doc.get("templates", [])}
    base = re.sub(r"[^a-z0-9._-]+", "-", base.lower()).strip("-.") or "template"
    prefix = f"{doc.get('id', 'pack')}."
    candidate = base if base.startswith(prefix) else prefix + base
    candidate = candidate[:76]
    n, result = 2, candidate
    while result in used:
        result, n = f"{candidate}-{n}", n + 1
    return result


def add_template(doc: dict, title: str = "New reply") -> dict:
    lang = doc.get("default_language") or "en"
    template = {"id": unique_template_id(doc, "reply"), "tags": [], "shortcut": None, "default_language": lang,
                "locked": False, "variants": {lang: {"title": title, "body": "{{greeting}} {{customer_first_name|}},\n\n"}}}
    doc.setdefault("templates", []).append(template)
    return template


def duplicate_template(doc: dict, index: int) -> dict:
    template = copy.deepcopy(doc["templates"][index])
    template["id"] = unique_template_id(doc, template["id"] + "-copy")
    template["shortcut"] = None
    doc["templates"].insert(index + 1, template)
    return template


def remove_template(doc: dict, index: int) -> None:
    del doc["templates"][index]


def set_variant(template: dict, language: str, title: str, body: str) -> None:
    """Set or (when both are empty) drop a language's variant."""
    if not title.strip() and not body.strip():
        template["variants"].pop(language, None)
    else:
        template["variants"][language] = {"title": title, "body": body}


def problems_by_template(doc: dict) -> tuple[dict[str, list[fmt.Problem]], list[fmt.Problem]]:
    """Every problem of the document, grouped by template id, plus the pack-level ones."""
    problems = fmt.validate_document(doc)
    grouped: dict[str, list[fmt.Problem]] = {}
    general = []
    for problem in problems:
        if problem.template:
            grouped.setdefault(problem.template, []).append(problem)
        else:
            general.append(problem)
    return grouped, general


def preview(template: dict, language: str) -> tuple[str, list[str]]:
    """The body in ``language`` rendered with sample values: (text, unresolved names)."""
    from assistant.templates.render import render

    variant = template.get("variants", {}).get(language)
    if variant is None:
        return "", []
    values = dict(SAMPLE_VALUES)
    values["greeting"] = SAMPLE_GREETINGS.get(language.split("_")[0], SAMPLE_GREETINGS["en"])
    for name, spec in (template.get("variables") or {}).items():
        values[name] = (spec.get("default") or "").strip() or f"[{spec.get('label') or name}]"
    sections = {s["id"]: bool(s.get("default", True)) for s in template.get("sections") or []}
    result = render(variant.get("body", ""), values, sections=sections)
    return result.text, list(result.unresolved)
