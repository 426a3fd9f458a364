"""The reply-template data model: plain dataclasses, a dict form for JSON, and validation.

A template, as a dict (the same shape inside pack files, the database and exports)::

    {
      "id": "starter.refund.approved",          # stable id: [a-z0-9] then [a-z0-9._-], <= 80
      "tags": ["refund", "billing"],
      "shortcut": ";refund",                    # optional, no spaces, <= 32 characters
      "default_language": "en",                 # must have a variant
      "variants": {                             # one per language (CLDR code: en, es, pt_BR)
        "en": {"title": "Refund approved", "body": "{{greeting}} {{customer_first_name|}},..."},
        "es": {"title": "Reembolso aprobado", "body": "..."}
      },
      "variables": {                            # optional: what the fill-in form asks for
        "amount": {"label": "Amount", "type": "text", "required": true, "default": "",
                   "choices": {}},
        "reason": {"label": "Reason", "type": "choice", "required": false, "default": "",
                   "choices": {"en": ["damaged", "late"], "es": ["dañado", "tarde"]}}
      },
      "sections": [                             # optional parts the agent ticks in or out
        {"id": "returns_address", "label": "Include the returns address", "default": false}
      ],
      "locked": false,                          # team templates only: no personal version
      "origin": "team"                          # "team", "personal" or "import"
    }

Body syntax (rendered by :mod:`assistant.templates.render`, never by a template language):
``{{name}}``, ``{{name|fallback}}``, and section markers ``{{#section_id}}...{{/section_id}}``.

:func:`validate_dict` returns precise problems (``Problem(path, message)``, e.g.
``variants.es.body``); :meth:`Template.from_dict` raises :class:`TemplateError` carrying them.
:func:`content_hash` is a stable digest of what an agent can edit (not ``locked``/``origin``),
used by the store and the packs' three-way merge to tell whether content changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from assistant.errors import UserError

# \Z, not $: "$" also matches before a final newline ("en\n" is not a language code)
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}\Z")
LANG_RE = re.compile(r"^[a-z]{2,3}(_([A-Z]{2}|[A-Z][a-z]{3}|[0-9]{3}))?\Z")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
SHORTCUT_RE = re.compile(r"^\S{1,32}\Z")
VARIABLE_TYPES = ("text", "multiline", "choice", "date")
ORIGINS = ("team", "personal", "import")
# Placeholders filled by the app itself (see assistant.templates.values); any other name in a
# body should be declared in ``variables`` (see :func:`undeclared_placeholders`).
BUILTIN_NAMES = ("customer_name", "customer_first_name", "agent_name", "company", "greeting",
                 "salutation", "date", "time", "order_id", "ticket_id")

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_TAGS = 20
MAX_TAG = 40
MAX_LABEL = 120
MAX_DEFAULT = 2_000
MAX_CHOICES = 50
MAX_VARIABLES = 40
MAX_SECTIONS = 20


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (dotted field path) and what is wrong."""
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class TemplateError(UserError, ValueError):
    """A template is not valid; ``problems`` lists every issue found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:10]))


def normalize_language(code: str) -> str:
    """'pt-br' -> 'pt_BR', 'ES' -> 'es'; other shapes are returned stripped for validation."""
    code = (code or "").strip().replace("-", "_")
    parts = code.split("_")
    if not parts[0]:
        return code
    head = parts[0].lower()
    tail = []
    for part in parts[1:]:
        if len(part) == 2 or part.isdigit():
            tail.append(part.upper())
        elif len(part) == 4:
            tail.append(part.title())
        else:
            tail.append(part)
    return "_".join([head, *tail])


def base_language(code: str | None) -> str:
    return (code or "").replace("-", "_").split("_")[0].lower()


@dataclass
class Variant:
    """The template in one language."""
    title: str
    body: str

    def to_dict(self) -> dict:
        return {"title": self.title, "body": self.body}


@dataclass
class Variable:
    """A value the agent fills in. ``choices`` holds the options per language for a
    ``choice`` variable (the variant's language, else the default language's list)."""
    label: str
    type: str = "text"
    required: bool = False
    default: str = ""
    choices: dict[str, list[str]] = field(default_factory=dict)

    def choices_for(self, language: str, default_language: str) -> list[str]:
        for lang in (language, base_language(language), default_language):
            if lang in self.choices:
                return list(self.choices[lang])
        return next(iter(self.choices.values()), []) if self.choices else []

    def to_dict(self) -> dict:
        return {"label": self.label, "type": self.type, "required": self.required,
                "default": self.default, "choices": {k: list(v) for k, v in self.choices.items()}}


@dataclass
class Section:
    """An optional part of the body between ``{{#id}}`` and ``{{/id}}``; ``default`` says
    whether it is ticked in when the template is opened."""
    id: str
    label: str
    default: bool = True

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "default": self.default}


@dataclass
class Template:
    id: str
    default_language: str
    variants: dict[str, Variant]
    tags: list[str] = field(default_factory=list)
    shortcut: str | None = None
    variables: dict[str, Variable] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    locked: bool = False
    origin: str = "personal"

    # -- reading -------------------------------------------------------------------
    @property
    def title(self) -> str:
        """The title in the default language."""
        variant = self.variants.get(self.default_language)
        return variant.title if variant else self.id

    @property
    def languages(self) -> list[str]:
        return list(self.variants)

    def variant_language(self, language: str | None) -> str:
        """The language whose variant serves ``language``: exact, then same base language
        (``pt`` for ``pt_BR`` and vice versa), then the default language."""
        if language:
            lang = normalize_language(language)
            if lang in self.variants:
                return lang
            base = base_language(lang)
            if base in self.variants:
                return base
            for code in self.variants:
                if base_language(code) == base:
                    return code
        return self.default_language

    def variant(self, language: str | None) -> Variant:
        return self.variants[self.variant_language(language)]

    def section_defaults(self) -> dict[str, bool]:
        return {s.id: s.default for s in self.sections}

    # -- dict form -----------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "tags": list(self.tags),
            "shortcut": self.shortcut,
            "default_language": self.default_language,
            "variants": {lang: v.to_dict() for lang, v in self.variants.items()},
            "variables": {name: v.to_dict() for name, v in self.variables.items()},
            "sections": [s.to_dict() for s in self.sections],
            "locked": self.locked,
            "origin": self.origin,
        }

    @classmethod
    def from_dict(cls, data: Any, *, origin: str | None = None, validate: bool = True) -> "Template":
        """Build a validated template; raises :class:`TemplateError` with every problem.
        ``origin`` overrides the dict's own (a pack cannot claim to be personal).
        ``validate=False`` is for data this app stored after validating it (the database):
        loading 10,000 templates then takes a third of the time. A structurally broken dict
        still raises (KeyError, TypeError, AttributeError), never yields a half template."""
        if validate:
            problems = validate_dict(data)
            if problems:
                raise TemplateError(problems)
        variants = {normalize_language(lang): Variant(v["title"].strip(), v["body"])
                    for lang, v in data["variants"].items()}
        variables = {}
        for name, v in (data.get("variables") or {}).items():
            variables[name] = Variable(
                label=v.get("label") or name, type=v.get("type", "text"),
                required=bool(v.get("required", False)), default=v.get("default") or "",
                choices={normalize_language(k): list(c) for k, c in (v.get("choices") or {}).items()})
        sections = [Section(s["id"], s.get("label") or s["id"], bool(s.get("default", True)))
                    for s in data.get("sections") or []]
        tags = []
        for tag in data.get("tags") or []:
            tag = tag.strip()
            if tag and tag not in tags:
                tags.append(tag)
        return cls(
            id=data["id"], default_language=normalize_language(data["default_language"]),
            variants=variants, tags=tags, shortcut=(data.get("shortcut") or None),
            variables=variables, sections=sections, locked=bool(data.get("locked", False)),
            origin=origin or data.get("origin") or "personal")

    def copy(self, **changes) -> "Template":
        data = self.to_dict()
        data.update(changes)
        return Template.from_dict(data)

    def validate(self) -> list[Problem]:
        return validate_dict(self.to_dict())


def undeclared_placeholders(template: "Template") -> list[Problem]:
    """Placeholders used in a body that are neither built-in nor declared variables."""
    from assistant.templates.render import placeholders

    problems = []
    for lang, variant in template.variants.items():
        for name in placeholders(variant.body):
            if name not in BUILTIN_NAMES and name not in template.variables:
                problems.append(Problem(f"variants.{lang}.body",
                                        f"placeholder '{{{{{name}}}}}' is not declared in variables"))
    return problems


def content_dict(data: dict) -> dict:
    """The part of a template dict an agent edits (what hashes and merges compare)."""
    return {k: v for k, v in data.items() if k not in ("locked", "origin")}


def content_hash(template: "Template | dict") -> str:
    """sha256 of the canonical JSON of the template's content, as hex."""
    data = template.to_dict() if isinstance(template, Template) else template
    canonical = json.dumps(content_dict(data), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- validation --------------------------------------------------------------------------

_SECTION_MARK_RE = re.compile(r"\{\{\s*([#/])\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _check_text(problems: list[Problem], path: str, value: Any, limit: int,
                required: bool = True) -> None:
    if value is None and not required:
        return
    if not _is_str(value):
        problems.append(Problem(path, "must be text"))
    elif required and not value.strip():
        problems.append(Problem(path, "must not be empty"))
    elif len(value) > limit:
        problems.append(Problem(path, f"is too long ({len(value)} characters, at most {limit})"))
    elif "\x00" in value:
        problems.append(Problem(path, "contains a NUL character"))


def section_marker_problems(body: str, declared: Iterable[str], path: str) -> list[Problem]:
    """Unbalanced, crossed or undeclared ``{{#id}}``/``{{/id}}`` markers in ``body``."""
    problems: list[Problem] = []
    declared = set(declared)
    stack: list[str] = []
    for match in _SECTION_MARK_RE.finditer(body):
        kind, name = match.group(1), match.group(2)
        if kind == "#":
            if name not in declared:
                problems.append(Problem(path, f"section '{name}' is not declared in sections"))
            if name in stack:
                problems.append(Problem(path, f"section '{name}' is opened inside itself"))
            stack.append(name)
        elif not stack or stack[-1] != name:
            problems.append(Problem(path, f"'{{{{/{name}}}}}' closes a section that is not open"))
        else:
            stack.pop()
    for name in stack:
        problems.append(Problem(path, f"section '{name}' is opened but never closed"))
    return problems


def validate_dict(data: Any) -> list[Problem]:
    """Every problem with a template dict, as (field path, message). Empty means valid."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return [Problem("", "a template must be an object")]
    known = {"id", "tags", "shortcut", "default_language", "variants", "variables", "sections",
             "locked", "origin", "title"}
    for key in data:
        if key not in known:
            problems.append(Problem(str(key)[:40], "unknown field"))

    tid = data.get("id")
    if not _is_str(tid) or not ID_RE.match(tid):
        problems.append(Problem("id", "must be 1-80 characters: lower-case letters, digits, "
                                      "'.', '_' or '-', starting with a letter or digit"))

    tags = data.get("tags", [])
    if tags is None:
        tags = []
    if not isinstance(tags, list):
        problems.append(Problem("tags", "must be a list of text"))
    else:
        if len(tags) > MAX_TAGS:
            problems.append(Problem("tags", f"at most {MAX_TAGS} tags"))
        for i, tag in enumerate(tags):
            _check_text(problems, f"tags[{i}]", tag, MAX_TAG)

    shortcut = data.get("shortcut")
    if shortcut not in (None, "") and (not _is_str(shortcut) or not SHORTCUT_RE.match(shortcut)):
        problems.append(Problem("shortcut", "must be 1-32 characters without spaces"))

    variants = data.get("variants")
    langs: list[str] = []
    if not isinstance(variants, dict) or not variants:
        problems.append(Problem("variants", "must be an object with at least one language"))
        variants = {}
    for lang, variant in variants.items():
        path = f"variants.{lang}"
        norm = normalize_language(lang) if _is_str(lang) else ""
        if not LANG_RE.match(norm):
            problems.append(Problem(path, "is not a language code such as 'en', 'es' or 'pt_BR'"))
            continue
        if norm in langs:
            problems.append(Problem(path, f"duplicates language '{norm}'"))
        langs.append(norm)
        if not isinstance(variant, dict):
            problems.append(Problem(path, "must be an object with title and body"))
            continue
        _check_text(problems, f"{path}.title", variant.get("title"), MAX_TITLE)
        _check_text(problems, f"{path}.body", variant.get("body"), MAX_BODY)
        for key in variant:
            if key not in ("title", "body"):
                problems.append(Problem(f"{path}.{str(key)[:40]}", "unknown field"))

    default = data.get("default_language")
    if not _is_str(default) or not LANG_RE.match(normalize_language(default)):
        problems.append(Problem("default_language", "must be a language code such as 'en'"))
    elif langs and normalize_language(default) not in langs:
        problems.append(Problem("default_language", f"'{default}' has no variant"))

    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        problems.append(Problem("variables", "must be an object of name -> definition"))
        variables = {}
    if len(variables) > MAX_VARIABLES:
        problems.append(Problem("variables", f"at most {MAX_VARIABLES} variables"))
    for name, spec in variables.items():
        path = f"variables.{name}"
        if not _is_str(name) or not NAME_RE.match(name):
            problems.append(Problem(path, "name must be letters, digits or '_', not starting "
                                          "with a digit"))
            continue
        if not isinstance(spec, dict):
            problems.append(Problem(path, "must be an object"))
            continue
        for key in spec:
            if key not in ("label", "type", "required", "default", "choices"):
                problems.append(Problem(f"{path}.{str(key)[:40]}", "unknown field"))
        _check_text(problems, f"{path}.label", spec.get("label"), MAX_LABEL, required=False)
        vtype = spec.get("type", "text")
        if vtype not in VARIABLE_TYPES:
            problems.append(Problem(f"{path}.type", f"must be one of {', '.join(VARIABLE_TYPES)}"))
        if not isinstance(spec.get("required", False), bool):
            problems.append(Problem(f"{path}.required", "must be true or false"))
        _check_text(problems, f"{path}.default", spec.get("default"), MAX_DEFAULT, required=False)
        choices = spec.get("choices") or {}
        if not isinstance(choices, dict):
            problems.append(Problem(f"{path}.choices", "must be an object of language -> list"))
            choices = {}
        for lang, options in choices.items():
            cpath = f"{path}.choices.{lang}"
            if not _is_str(lang) or not LANG_RE.match(normalize_language(lang)):
                problems.append(Problem(cpath, "is not a language code"))
            if not isinstance(options, list) or not options or len(options) > MAX_CHOICES:
                problems.append(Problem(cpath, f"must be a list of 1-{MAX_CHOICES} options"))
                continue
            for i, option in enumerate(options):
                _check_text(problems, f"{cpath}[{i}]", option, MAX_LABEL)
        if vtype == "choice" and not choices:
            problems.append(Problem(f"{path}.choices", "a choice variable needs choices"))

    sections = data.get("sections") or []
    section_ids: list[str] = []
    if not isinstance(sections, list):
        problems.append(Problem("sections", "must be a list"))
        sections = []
    if len(sections) > MAX_SECTIONS:
        problems.append(Problem("sections", f"at most {MAX_SECTIONS} sections"))
    for i, section in enumerate(sections):
        path = f"sections[{i}]"
        if not isinstance(section, dict):
            problems.append(Problem(path, "must be an object with id and label"))
            continue
        sid = section.get("id")
        if not _is_str(sid) or not NAME_RE.match(sid):
            problems.append(Problem(f"{path}.id", "must be letters, digits or '_'"))
            continue
        if sid in section_ids:
            problems.append(Problem(f"{path}.id", f"duplicates section '{sid}'"))
        section_ids.append(sid)
        _check_text(problems, f"{path}.label", section.get("label"), MAX_LABEL, required=False)
        if not isinstance(section.get("default", True), bool):
            problems.append(Problem(f"{path}.default", "must be true or false"))
        for key in section:
            if key not in ("id", "label", "default"):
                problems.append(Problem(f"{path}.{str(key)[:40]}", "unknown field"))
    for lang, variant in variants.items():
        if isinstance(variant, dict) and _is_str(variant.get("body")):
            problems.extend(section_marker_problems(variant["body"], section_ids,
                                                    f"variants.{lang}.body"))

    if not isinstance(data.get("locked", False), bool):
        problems.append(Problem("locked", "must be true or false"))
    if data.get("origin") not in (None, *ORIGINS):
        problems.append(Problem("origin", f"must be one of {', '.join(ORIGINS)}"))
    if "title" in data and not _is_str(data["title"]):
        problems.append(Problem("title", "must be text"))
    return problems
