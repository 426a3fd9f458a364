"""The one template validator: every rule a reply template is held to, wherever it comes from.

The personal template editor, the pack editor, ``assistant pack build|validate|sign``, every
install (inbox, packs window, command line) and the template imports all judge a template
with :func:`problems`, so whatever a team lead's tools accept, every agent's
install accepts, and the reverse (tests/assistant/packs/test_template_agreement.py feeds a
fuzz corpus to every entry point). A pack adds only what is about the pack as a whole (languages
declared by the pack, ids and shortcuts unique across its templates, reserved ids; see
:mod:`assistant.packs.format`), and bounds the file before any of this runs.

A template dict here is the shape of a pack file's template (``id``, ``tags``, ``shortcut``,
``default_language``, ``variants``, ``variables``, ``sections``, ``locked``); the storage-only
``origin`` is taken off by :meth:`assistant.templates.model.Template.from_dict` before it asks.
Language codes are written in their canonical form (``pt_BR``, not ``pt-br``): input that
takes other spellings (the editor, imports) normalises them first.

Hidden characters follow :mod:`assistant.textsafety`, by the kind of field
(:func:`field_kind`): identifiers refuse anything invisible, names refuse controls and
invisible characters, text (bodies, defaults) only flags invisible and bidi characters
(a warning, which does not refuse the template).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from assistant import textsafety
from assistant.templates.render import TOKEN_RE

# \Z, not $: "$" also matches before a final newline ("en\n" is not a language code)
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}\Z")
LANG_RE = re.compile(r"^[a-z]{2,3}(_([A-Z]{2}|[A-Z][a-z]{3}|[0-9]{3}))?\Z")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
SHORTCUT_RE = re.compile(r"^\S{1,32}\Z")
VARIABLE_TYPES = ("text", "multiline", "choice", "date")
FIELDS = ("id", "tags", "shortcut", "default_language", "variants", "variables", "sections", "locked")
VARIABLE_FIELDS = ("label", "type", "required", "default", "choices")
SECTION_FIELDS = ("id", "label", "default")
# Placeholders filled by the app itself (see assistant.templates.values); any other name in a
# body must be declared in ``variables``.
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
MAX_LANGUAGES = 100
MAX_HIDDEN_FINDINGS = 20  # per template; the first ones are enough to fix it

ERROR, WARNING = "error", "warning"

_SECTION_MARK_RE = re.compile(r"\{\{\s*([#/])\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Anything between double braces, to tell what the renderer would not read as a token.
_BRACES_RE = re.compile(r"\{\{\s*([#/]?)\s*([^{}|]*?)\s*(?:\|[^{}]*)?\}\}")


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (dotted field path), what is wrong, and whether it
    refuses the template (``error``) or is only worth a look (``warning``)."""
    path: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def errors(found: Iterable[Problem]) -> list[Problem]:
    return [p for p in found if p.severity == ERROR]


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


def field_kind(path: tuple) -> str:
    """The :mod:`assistant.textsafety` kind of a template field, ``path`` relative to the
    template (``("variants", "es", "title")``, ``("tags", 0)``); keys are identifiers."""
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return textsafety.NAME
    head, last = names[0], names[-1]
    if head == "variants":
        return textsafety.TEXT if len(names) == 3 and last == "body" else (
            textsafety.NAME if len(names) == 3 else textsafety.IDENTIFIER)
    if head == "variables" and len(names) >= 3:
        if names[2] == "default" and len(names) == 3:
            return textsafety.TEXT
        if names[2] == "type" and len(names) == 3:
            return textsafety.IDENTIFIER
        return textsafety.NAME  # labels and choices
    if head == "sections" and last == "id":
        return textsafety.IDENTIFIER
    if head in ("id", "shortcut", "default_language"):
        return textsafety.IDENTIFIER
    return textsafety.NAME  # tags, labels


_ABSENT = object()


def _check_text(found: list[Problem], path: str, value: Any, limit: int,
                required: bool = True) -> None:
    if value is _ABSENT and not required:
        return
    if not isinstance(value, str):
        found.append(Problem(path, "must be text"))
    elif required and not value.strip():
        found.append(Problem(path, "must not be empty"))
    elif len(value) > limit:
        found.append(Problem(path, f"is too long ({len(value):,} characters, at most {limit:,})"))


def _bounded(found: list[Problem], path: str, value: Any, kind: type, limit: int, noun: str,
             wrong: str, empty: bool = True):
    """``value`` when it is a ``kind`` of at most ``limit`` entries (and not empty unless
    ``empty``); else the problem is noted and an empty ``kind`` stands in for it."""
    if not isinstance(value, kind) or (not empty and not value):
        found.append(Problem(path, wrong))
        return kind()
    if len(value) > limit:
        found.append(Problem(path, f"at most {limit} {noun}"))
        return kind()
    return value


def _check_bool(found: list[Problem], path: str, value: Any) -> None:
    if not isinstance(value, bool):
        found.append(Problem(path, "must be true or false"))


def _key(key: Any) -> str:
    """A key as a field path shows it: cut, hidden characters made visible."""
    if isinstance(key, str) and len(key) <= 40 and key.isascii() and key.isprintable():
        return key
    return textsafety.visible(str(key)[:40])


def _unknown(found: list[Problem], prefix: str, data: dict, known: tuple) -> None:
    for key in data:
        if key not in known:
            name = textsafety.visible(str(key)[:40])
            found.append(Problem(f"{prefix}.{name}" if prefix else name, "unknown field"))


def _language(found: list[Problem], path: str, code: Any, what: str = "a language code") -> bool:
    if isinstance(code, str) and LANG_RE.match(code):
        return True
    better = normalize_language(code) if isinstance(code, str) else ""
    hint = f" (write '{better}')" if better != code and LANG_RE.match(better) else ""
    found.append(Problem(path, f"is not {what} such as 'en', 'es' or 'pt_BR'{hint}"))
    return False


def section_marker_problems(body: str, declared: Iterable[str], path: str) -> list[Problem]:
    """Unbalanced, crossed or undeclared ``{{#id}}``/``{{/id}}`` markers in ``body``."""
    found: list[Problem] = []
    declared = set(declared)
    stack: list[str] = []
    for match in _SECTION_MARK_RE.finditer(body):
        kind, name = match.group(1), match.group(2)
        if kind == "#":
            if name not in declared:
                found.append(Problem(path, f"section '{name}' is not declared in sections"))
            if name in stack:
                found.append(Problem(path, f"section '{name}' is opened inside itself"))
            stack.append(name)
        elif not stack or stack[-1] != name:
            found.append(Problem(path, f"'{{{{/{name}}}}}' closes a section that is not open"))
        else:
            stack.pop()
    for name in stack:
        found.append(Problem(path, f"section '{name}' is opened but never closed"))
    return found


_BUILTINS = frozenset(BUILTIN_NAMES)


def placeholder_problems(body: str, declared: Iterable[str], path: str,
                         sections: Iterable[str] | None = None) -> list[Problem]:
    """What between double braces is not a placeholder, placeholders that are neither
    built-in nor declared (a pack must not make the form ask for, say, a password), and,
    given the declared ``sections``, section markers that are not declared, balanced and
    nested. One pass over the body's tokens when all is well (thousands of pack templates)."""
    if "{{" not in body:
        return []
    found: list[Problem] = []
    tokens = TOKEN_RE.findall(body)
    if body.count("{{") != len(tokens):  # something between braces that is not a token
        for match in _BRACES_RE.finditer(body):
            if not NAME_RE.match(match.group(2)):
                found.append(Problem(path, f"'{textsafety.visible(match.group(0))[:60]}' is not a "
                                           f"placeholder (names are letters, digits and '_')"))
    names = {name for sigil, name, _ in tokens if not sigil}
    unknown = names - _BUILTINS
    if unknown:
        unknown.difference_update(declared)
    for name in sorted(unknown):
        found.append(Problem(path, f"placeholder '{{{{{name}}}}}' is not declared in variables "
                                   f"and is not a built-in value"))
    if sections is not None and len(names) != len(tokens):
        sections = set(sections)
        if not _sections_nest(tokens, sections):
            found.extend(section_marker_problems(body, sections, path))
    return found


def _placeholders_fine(body: str, declared, sections: set[str]) -> bool:
    """True when :func:`placeholder_problems` finds nothing in ``body`` (quick, one pass over
    its tokens); False when it may find something (then ask it)."""
    tokens = TOKEN_RE.findall(body)
    if body.count("{{") != len(tokens):
        return False
    stack: list[str] = []
    for sigil, name, _ in tokens:
        if not sigil:
            if name not in _BUILTINS and name not in declared:
                return False
        elif sigil == "#":
            if name not in sections or name in stack:
                return False
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _sections_nest(tokens: list[tuple[str, str, str]], declared: set[str]) -> bool:
    """Whether section markers are declared and properly nested (quick; the messages come
    from :func:`section_marker_problems`)."""
    stack: list[str] = []
    for sigil, name, _ in tokens:
        if sigil == "#":
            if name not in declared or name in stack:
                return False
            stack.append(name)
        elif sigil == "/" and (not stack or stack.pop() != name):
            return False
    return not stack


def used_names(data: dict) -> list[str]:
    """Valid placeholder names used in the bodies of ``data`` (not section markers), in order
    of first use."""
    names: dict[str, None] = {}
    variants = data.get("variants")
    for variant in (variants.values() if isinstance(variants, dict) else ()):
        body = variant.get("body") if isinstance(variant, dict) else None
        for sigil, name, _ in TOKEN_RE.findall(body if isinstance(body, str) else ""):
            if not sigil:
                names.setdefault(name)
    return list(names)


def undeclared_names(data: dict) -> list[str]:
    """:func:`used_names` that are neither built-in nor declared."""
    variables = data.get("variables")
    declared = set(variables if isinstance(variables, dict) else ()) | set(BUILTIN_NAMES)
    return [name for name in used_names(data) if name not in declared]


def hidden_problems(data: dict, limit: int = MAX_HIDDEN_FINDINGS) -> list[Problem]:
    """Hidden, control and bidirectional characters in every key and string of a template,
    judged by the kind of field (:func:`field_kind`)."""
    found: list[Problem] = []
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack and len(found) < limit:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            where = path + (key,)
            if isinstance(key, str) and not (key.isascii() and key.isprintable()):
                for finding in textsafety.scan(key, textsafety.IDENTIFIER, limit=limit):
                    found.append(Problem(_dotted(where), f"in a key: {finding.message}", finding.severity))
            if isinstance(value, str):
                if not (value.isascii() and value.isprintable()):
                    for finding in textsafety.scan(value, field_kind(where), limit=limit):
                        at = f" at character {finding.index + 1}" if finding.index >= 0 else ""
                        found.append(Problem(_dotted(where), finding.message + at, finding.severity))
            elif isinstance(value, (dict, list)):
                stack.append((value, where))
    found.sort(key=lambda p: (p.severity != ERROR, p.path))
    return found[:limit]


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = textsafety.visible(str(part)[:40])
            out += f".{part}" if out else part
    return out


_FIELD_SET = frozenset(FIELDS)
_VARIANT_FIELDS = frozenset(("title", "body"))
_VARIABLE_FIELD_SET = frozenset(VARIABLE_FIELDS)
_SECTION_FIELD_SET = frozenset(SECTION_FIELDS)
_PLAIN_TYPES = ("text", "multiline", "date")  # the types that need no choices


def _fine_text(value: Any, limit: int) -> bool:
    """What :func:`_check_text` (required) finds nothing in, told quickly."""
    return type(value) is str and 0 < len(value) <= limit and not value.isspace()


def problems(data: Any, *, hidden: bool = True) -> list[Problem]:
    """Every problem with a template dict (errors and warnings). Empty means valid.
    ``hidden=False`` leaves hidden characters to a caller that scans them itself (a pack
    scans its whole document, bounded, with the same :func:`field_kind`).

    Each part (a tag, a variant, a variable, a section) is first given a quick look that
    only says "nothing to report" (thousands of pack templates); a part it is not sure of
    is judged by the full rules below, which word every problem."""
    if not isinstance(data, dict):
        return [Problem("", "a template must be an object")]
    found: list[Problem] = []
    if not data.keys() <= _FIELD_SET:
        _unknown(found, "", data, FIELDS)

    tid = data.get("id")
    if not isinstance(tid, str) or not ID_RE.match(tid):
        found.append(Problem("id", "must be 1-80 characters: lower-case letters, digits, "
                                   "'.', '_' or '-', starting with a letter or digit"))

    tags = data.get("tags", [])
    if not isinstance(tags, list):
        found.append(Problem("tags", "must be a list of text"))
    else:
        if len(tags) > MAX_TAGS:
            found.append(Problem("tags", f"at most {MAX_TAGS} tags"))
        for i, tag in enumerate(tags[:MAX_TAGS + 1]):
            if not _fine_text(tag, MAX_TAG):
                _check_text(found, f"tags[{i}]", tag, MAX_TAG)

    shortcut = data.get("shortcut")
    if shortcut is not None and (not isinstance(shortcut, str) or not SHORTCUT_RE.match(shortcut)):
        found.append(Problem("shortcut", "must be 1-32 characters without spaces (or no shortcut)"))

    if "locked" in data:
        _check_bool(found, "locked", data["locked"])

    variants = _bounded(found, "variants", data.get("variants"), dict, MAX_LANGUAGES, "languages",
                        "must be an object with at least one language", empty=False)
    languages: list[str] = []
    for lang, variant in variants.items():
        if type(lang) is str and LANG_RE.match(lang) and type(variant) is dict and variant.keys() <= _VARIANT_FIELDS:
            title, text = variant.get("title"), variant.get("body")  # _fine_text, inline (30,000 a pack)
            if (type(title) is str and 0 < len(title) <= MAX_TITLE and not title.isspace()
                    and type(text) is str and 0 < len(text) <= MAX_BODY and not text.isspace()):
                languages.append(lang)
                continue
        path = f"variants.{_key(lang)}"
        if not _language(found, path, lang):
            continue
        languages.append(lang)
        if not isinstance(variant, dict):
            found.append(Problem(path, "must be an object with title and body"))
            continue
        _unknown(found, path, variant, ("title", "body"))
        _check_text(found, f"{path}.title", variant.get("title"), MAX_TITLE)
        _check_text(found, f"{path}.body", variant.get("body"), MAX_BODY)

    default = data.get("default_language")
    if _language(found, "default_language", default) and languages and default not in languages:
        found.append(Problem("default_language", f"the default language '{default}' has no variant"))

    variables = _bounded(found, "variables", data.get("variables", {}), dict, MAX_VARIABLES, "variables",
                         "must be an object of name -> definition")
    for name, spec in variables.items():
        if type(name) is str and NAME_RE.match(name) and type(spec) is dict and spec.keys() <= _VARIABLE_FIELD_SET:
            label, vtype = spec.get("label", _ABSENT), spec.get("type", "text")
            default, choices = spec.get("default", _ABSENT), spec.get("choices", _ABSENT)
            if ((label is _ABSENT or (type(label) is str and len(label) <= MAX_LABEL))
                    and type(vtype) is str and vtype in _PLAIN_TYPES
                    and ("required" not in spec or type(spec["required"]) is bool)
                    and (default is _ABSENT or (type(default) is str and len(default) <= MAX_DEFAULT))
                    and (choices is _ABSENT or (type(choices) is dict and not choices))):
                continue
        path = f"variables.{_key(name)}"
        if not isinstance(name, str) or not NAME_RE.match(name):
            found.append(Problem(path, "name must be letters, digits or '_', not starting with a digit"))
            continue
        if not isinstance(spec, dict):
            found.append(Problem(path, "must be an object"))
            continue
        _unknown(found, path, spec, VARIABLE_FIELDS)
        _check_text(found, f"{path}.label", spec.get("label", _ABSENT), MAX_LABEL, required=False)
        vtype = spec.get("type", "text")
        if vtype not in VARIABLE_TYPES:
            found.append(Problem(f"{path}.type", f"must be one of {', '.join(VARIABLE_TYPES)}"))
        if "required" in spec:
            _check_bool(found, f"{path}.required", spec["required"])
        _check_text(found, f"{path}.default", spec.get("default", _ABSENT), MAX_DEFAULT, required=False)
        choices = spec.get("choices", {})
        if not isinstance(choices, dict):
            found.append(Problem(f"{path}.choices", "must be an object of language -> list"))
            choices = {}
        for lang, options in list(choices.items())[:MAX_LANGUAGES + 1]:
            cpath = f"{path}.choices.{_key(lang)}"
            _language(found, cpath, lang)
            if not isinstance(options, list) or not options or len(options) > MAX_CHOICES:
                found.append(Problem(cpath, f"must be a list of 1-{MAX_CHOICES} options"))
                continue
            for i, option in enumerate(options):
                _check_text(found, f"{cpath}[{i}]", option, MAX_LABEL)
        if vtype == "choice" and not choices:
            found.append(Problem(f"{path}.choices", "a choice variable needs choices"))

    sections = _bounded(found, "sections", data.get("sections", []), list, MAX_SECTIONS, "sections", "must be a list")
    section_ids: list[str] = []
    for i, section in enumerate(sections):
        if type(section) is dict and section.keys() <= _SECTION_FIELD_SET:
            sid, label = section.get("id"), section.get("label", _ABSENT)
            if (type(sid) is str and NAME_RE.match(sid) and sid not in section_ids
                    and (label is _ABSENT or (type(label) is str and len(label) <= MAX_LABEL))
                    and ("default" not in section or type(section["default"]) is bool)):
                section_ids.append(sid)
                continue
        path = f"sections[{i}]"
        if not isinstance(section, dict):
            found.append(Problem(path, "must be an object with id and label"))
            continue
        _unknown(found, path, section, SECTION_FIELDS)
        sid = section.get("id")
        if not isinstance(sid, str) or not NAME_RE.match(sid):
            found.append(Problem(f"{path}.id", "must be letters, digits or '_', not starting with a digit"))
            continue
        if sid in section_ids:
            found.append(Problem(f"{path}.id", f"duplicates section '{sid}'"))
        section_ids.append(sid)
        _check_text(found, f"{path}.label", section.get("label", _ABSENT), MAX_LABEL, required=False)
        if "default" in section:
            _check_bool(found, f"{path}.default", section["default"])

    declared_sections = set(section_ids)
    for lang in languages:
        body = variants[lang].get("body") if isinstance(variants[lang], dict) else None
        if (isinstance(body, str) and "{{" in body
                and not _placeholders_fine(body, variables, declared_sections)):
            found.extend(placeholder_problems(body, variables, f"variants.{lang}.body", section_ids))

    if hidden:
        found.extend(hidden_problems(data))
    return found
