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

:mod:`assistant.templates.validation` holds every rule (the one validator packs, editors and
imports share); :func:`validate_dict` returns its problems for a stored template
(``Problem(path, message, severity)``, e.g. ``variants.es.body``) and
:meth:`Template.from_dict` raises :class:`TemplateError` carrying the errors.
:func:`content_hash` is a stable digest of what an agent can edit (not ``locked``/``origin``),
used by the store and the packs' three-way merge to tell whether content changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from assistant.errors import UserError
from assistant.templates import validation
from assistant.templates.validation import (BUILTIN_NAMES, ID_RE, LANG_RE,  # noqa: F401 (re-exported)
                                            Problem, normalize_language)

ORIGINS = ("team", "personal", "import")
STORED_FIELDS = ("origin",)  # kept with a template in the database, never part of a pack


class TemplateError(UserError, ValueError):
    """A template is not valid; ``problems`` lists every error found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:10]))


def _language(code: Any) -> str:
    """:func:`normalize_language`, skipped for a code already in its canonical form (every
    code a validated template holds; normalising one gives it back unchanged)."""
    return code if type(code) is str and LANG_RE.match(code) else normalize_language(code)


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
            problems = validation.errors(validate_dict(data))
            if problems:
                raise TemplateError(problems)
        variants = {_language(lang): Variant(v["title"].strip(), v["body"])
                    for lang, v in data["variants"].items()}
        variables = {}
        for name, v in (data.get("variables") or {}).items():
            variables[name] = Variable(
                label=v.get("label") or name, type=v.get("type", "text"),
                required=bool(v.get("required", False)), default=v.get("default") or "",
                choices={_language(k): list(c) for k, c in (v.get("choices") or {}).items()})
        sections = [Section(s["id"], s.get("label") or s["id"], bool(s.get("default", True)))
                    for s in data.get("sections") or []]
        tags = _clean_tags(data.get("tags"))
        return cls(
            id=data["id"], default_language=_language(data["default_language"]),
            variants=variants, tags=tags, shortcut=(data.get("shortcut") or None),
            variables=variables, sections=sections, locked=bool(data.get("locked", False)),
            origin=origin or data.get("origin") or "personal")

    def copy(self, **changes) -> "Template":
        data = self.to_dict()
        data.update(changes)
        return Template.from_dict(data)

    def validate(self) -> list[Problem]:
        """Errors and warnings (:mod:`.validation`); only errors refuse the template."""
        return validate_dict(self.to_dict())


def content_dict(data: dict) -> dict:
    """The part of a template dict an agent edits (what hashes and merges compare)."""
    return {k: v for k, v in data.items() if k not in ("locked", "origin")}


def content_hash(template: "Template | dict") -> str:
    """sha256 of the canonical JSON of the template's content, as hex."""
    data = template.to_dict() if isinstance(template, Template) else template
    return hashlib.sha256(_canonical(content_dict(data)).encode("utf-8")).hexdigest()


def _c_encoder(sort_keys: bool):
    # json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":")), its C
    # encoder made once instead of once per call (a pack's merge encodes thousands)
    from json.encoder import c_make_encoder, encode_basestring

    if c_make_encoder is None:
        return lambda data: json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":"))
    encoder = c_make_encoder(None, None, encode_basestring, None, ":", ",", sort_keys, False, True)
    return lambda data: "".join(encoder(data, 0))


_canonical = _c_encoder(True)
_canonical_in_order = _c_encoder(False)  # for dicts built in sorted order (template_dict): no sort
_CANONICAL_STRING = json.encoder.encode_basestring  # a JSON string, as the encoder writes it


def _clean_tags(tags) -> list[str]:
    """Tags stripped, empty ones and repeats dropped, in their order."""
    clean: list[str] = []
    for tag in tags or []:
        tag = tag.strip()
        if tag and tag not in clean:
            clean.append(tag)
    return clean


def template_dict(data: dict, origin: str | None = None) -> dict:
    """``Template.from_dict(data, origin=origin, validate=False).to_dict()``, without building
    the objects: for thousands of templates of a pack that were validated already (a pack's
    merge). Every dict in it has its keys in sorted order, so :func:`encode` need not sort
    them (``in_order=True``). tests/assistant/packs/test_fast_checks.py holds both."""
    variants = {}
    for lang, v in data["variants"].items():
        variants[_language(lang)] = {"body": v["body"], "title": v["title"].strip()}
    variables = {}
    given = data.get("variables") or {}
    for name in sorted(given):
        v = given[name]
        choices = {_language(k): list(c) for k, c in (v.get("choices") or {}).items()}
        variables[name] = {
            "choices": dict(sorted(choices.items())) if len(choices) > 1 else choices,
            "default": v.get("default") or "", "label": v.get("label") or name,
            "required": bool(v.get("required", False)), "type": v.get("type", "text")}
    sections = [{"default": bool(s.get("default", True)), "id": s["id"], "label": s.get("label") or s["id"]}
                for s in data.get("sections") or []]
    tags = _clean_tags(data.get("tags"))
    return {"default_language": _language(data["default_language"]), "id": data["id"],
            "locked": bool(data.get("locked", False)), "origin": origin or data.get("origin") or "personal",
            "sections": sections, "shortcut": data.get("shortcut") or None, "tags": tags,
            "variables": variables, "variants": dict(sorted(variants.items())) if len(variants) > 1 else variants}


_DICT_KEYS = frozenset(("id", "tags", "shortcut", "default_language", "variants", "variables", "sections",
                        "locked", "origin"))  # what Template.to_dict() holds


def encode(data: dict, in_order: bool = False) -> tuple[str, str]:
    """(stored JSON, :func:`content_hash`) of a template dict in the shape of
    :meth:`Template.to_dict`, from one JSON encoding: the stored form is the hashed canonical
    JSON (sorted keys, no spaces) with ``locked`` and ``origin`` put back in their sorted place
    (after ``default_language`` and ``id``, before ``sections``). ``in_order``: every dict in
    ``data`` has its keys in sorted order already (:func:`template_dict`), so none is sorted."""
    canonical = (_canonical_in_order if in_order else _canonical)(content_dict(data))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    if (data.keys() == _DICT_KEYS and type(data["locked"]) is bool and type(data["id"]) is str
            and type(data["default_language"]) is str and '"' not in data["id"]
            and '"' not in data["default_language"]):
        # the first two values hold no quote, so the first ',"sections":' is the top-level key
        head, mark, tail = canonical.partition(',"sections":')
        flags = f',"locked":{"true" if data["locked"] else "false"},"origin":{_CANONICAL_STRING(data["origin"])}'
        return head + flags + mark + tail, digest
    return _canonical(data), digest


# -- validation --------------------------------------------------------------------------

def validate_dict(data: Any) -> list[Problem]:
    """Every problem with a template dict as stored (:mod:`.validation` judges the template;
    the storage field ``origin`` is checked here). Empty means valid."""
    if not isinstance(data, dict):
        return validation.problems(data)
    found = []
    if data.get("origin") not in (None, *ORIGINS):
        found.append(Problem("origin", f"must be one of {', '.join(ORIGINS)}"))
    return found + validation.problems({k: v for k, v in data.items() if k not in STORED_FIELDS})


def declare_placeholders(data: dict, *, drop_unused: bool = False) -> dict:
    """``data`` with every undeclared placeholder of its bodies declared as a text variable:
    what the agent's own editor and imports do, since a name typed in one's own template is
    meant to be asked for (a pack must declare its names itself). ``drop_unused``: variables
    no body uses any more are dropped too (the editor, after a placeholder was deleted)."""
    variables = dict(data.get("variables") or {})
    if drop_unused:
        used = validation.used_names(data)
        variables = {name: spec for name, spec in variables.items() if name in used}
    for name in validation.undeclared_names({**data, "variables": variables}):
        variables[name] = {"label": name.replace("_", " ").strip().capitalize() or name, "type": "text"}
    if variables == (data.get("variables") or {}):
        return data
    return {**data, "variables": variables}
