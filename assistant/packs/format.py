"""Reading and validating a pack file (docs/pack-format.md), without touching any state.

Stages, in the order the installer runs them, each named in every problem it reports:
``read`` (a regular file, read with a stall timeout), ``size`` (caps on the raw bytes before
anything is parsed), ``parse`` (strict UTF-8 JSON: no duplicate keys, no NaN or infinite
numbers, bounded nesting, counts of templates and languages), ``schema``
(resources/schemas/pack.schema.json) and ``content`` (what a schema cannot say: duplicate
ids and shortcuts, undeclared placeholders and languages, hidden characters, dates, reserved
ids). A problem says which check, which template and which field.

A pack file is hostile until its signature is checked (assistant.packs.install checks it
before parsing whenever there is one): every step here is bounded by the caps below, so any
file up to the size cap is refused or accepted in bounded time and memory
(benchmarks/hostile_packs.py holds the bar).
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant import collector, textsafety
from assistant.errors import UserError
from assistant.paths import resource_path
from assistant.schemas import inline_refs
from assistant.templates import validation

FORMAT_NAME = "agent-assistant-pack"
FORMAT_VERSION = 1
PACK_SUFFIX = ".agentpack.json"

# -- caps: every bound a pack file is held to before it is trusted, in one place --------
# (room for the 5,000-template, 6-language benchmark pack, 13 MB; any file within these caps
# is judged in under 2 s and 300 MB on a 2-core machine: benchmarks/hostile_packs.py)
MAX_PACK_BYTES = 14 * 1024 * 1024
# Counted in the raw bytes before parsing: '{' and '[' (placeholders' '{{' excepted) bound the
# objects and arrays parsing would build; with ',' and ':' they bound every value and key.
MAX_JSON_CONTAINERS = 200_000
MAX_JSON_ITEMS = 750_000
MAX_NUMBER_DIGITS = 20
MAX_DEPTH = 24
MAX_TEMPLATES = 20_000  # the schema's maxItems (a test keeps them equal)
MAX_LANGUAGES = 100  # languages of a pack, and variants of a template
MAX_PROBLEMS = 200  # problems collected before the check stops
MAX_SCHEMA_STRING = 20_000  # the longest string the schema allows (a body)
MAX_FINDINGS = 200  # hidden characters listed; the rest are counted
READ_STALL_S = 10.0  # a read that makes no progress this long is abandoned (a hung share)
MAX_NOTE_CHARS = 2000  # as the culture feature shows them (assistant.countries.cards)



@dataclass(frozen=True)
class Caps:
    """The caps that grow with the pack size cap IT sets in the policy (``max_pack_mb``);
    the defaults are the ones above. Every other bound stays fixed."""
    max_bytes: int = MAX_PACK_BYTES
    max_templates: int = MAX_TEMPLATES
    max_containers: int = MAX_JSON_CONTAINERS
    max_items: int = MAX_JSON_ITEMS

    @classmethod
    def for_megabytes(cls, megabytes: int) -> "Caps":
        """A size cap of ``megabytes``; the counted caps grow in proportion when it is above
        the default (a lower cap already bounds them)."""
        max_bytes = megabytes * 1024 * 1024
        factor = max(1.0, max_bytes / MAX_PACK_BYTES)
        return cls(max_bytes, int(MAX_TEMPLATES * factor), int(MAX_JSON_CONTAINERS * factor),
                   int(MAX_JSON_ITEMS * factor))


DEFAULT_CAPS = Caps()


def caps_for(policy) -> Caps:
    """The caps in force under ``policy`` (assistant.policy.Policy)."""
    return Caps.for_megabytes(policy.max_pack_mb)


# The built-in starter pack's id and template ids (assistant.packs.starter): no other
# pack may claim them, whatever its signature.
RESERVED_PACK_ID = "starter"
RESERVED_PREFIX = RESERVED_PACK_ID + "."

READ, SIZE, PARSE, SCHEMA, CONTENT = "read", "size", "parse", "schema", "content"
SIGNATURE, VERSION, EXPIRY, APP_VERSION, MERGE = "signature", "version", "expiry", "app_version", "merge"

@dataclass(frozen=True)
class Problem:
    check: str
    message: str
    template: str | None = None
    field: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = []
        if self.template:
            where.append(f"template '{self.template}'")
        if self.field:
            where.append(f"field {self.field}")
        place = f" ({', '.join(where)})" if where else ""
        return f"{self.check}{place}: {self.message}"

    def to_dict(self) -> dict:
        return {"check": self.check, "severity": self.severity, "template": self.template,
                "field": self.field, "message": self.message}


class PackRejected(UserError):
    """The pack was refused; nothing was changed. ``problems`` lists every reason found at
    the stage that failed (the first one is the headline)."""

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == "error"] or list(problems)
        super().__init__(str(self.problems[0]) + (
            f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""))

    @property
    def check(self) -> str:
        return self.problems[0].check


class ReadStalled(PackRejected):
    """Reading the file stalled (a share that stopped answering): nothing is known about its
    content, so it is worth trying again later."""


def reject(check: str, message: str, template: str | None = None, field: str | None = None):
    raise PackRejected([Problem(check, message, template, field)])


@dataclass
class Pack:
    """A pack that passed size, parse, schema and content checks. ``sha256``: of the file's
    bytes, which the pack does not keep (a 50,000-template pack's are 130 MB, held through
    the merge for this digest alone)."""
    data: dict
    sha256: str
    warnings: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def version(self) -> int:
        return self.data["version"]

    @property
    def title(self) -> str:
        return self.data["title"]

    @property
    def publisher(self) -> str:
        return self.data["publisher"]

    @property
    def key_id(self) -> str | None:
        return self.data.get("publisher_key_id")

    @property
    def templates(self) -> list[dict]:
        return self.data["templates"]

    def expires_at(self) -> datetime | None:
        return parse_datetime(self.data["expires"]) if self.data.get("expires") else None


# -- stage 1 and 2: read, size and parse -------------------------------------------------

def read_capped(path: Path, max_bytes: int = MAX_PACK_BYTES, within: Path | None = None) -> bytes:
    """The file's bytes: a regular file only (``within``: a link must stay inside that
    folder), refused over the cap before reading, abandoned when the read stalls."""
    from assistant import reading

    try:
        return reading.read_untrusted(path, max_bytes, within=within, stall_s=READ_STALL_S)
    except reading.TooLarge as exc:
        reject(SIZE, f"the file is {exc.size:,} bytes; packs are limited to {max_bytes:,} bytes")
    except reading.Stalled as exc:
        raise ReadStalled([Problem(READ, str(exc))]) from None
    except reading.UnreadableFile as exc:
        reject(READ, str(exc))


_NOT_SEPARATORS = bytes(c for c in range(256) if c not in b"{[,:")


# A pass over a whole file in one call into C holds the interpreter lock throughout: on a
# 130 MB pack (50,000 templates, as IT may allow) each took 70-170 ms, on the install's thread,
# while the window waited. Passes go over pieces of this size (3-5 ms each) instead.
_SCAN_PIECE = 1 << 22


def _pieces(raw: bytes, overlap: int = 0):
    """``raw`` in pieces of ``_SCAN_PIECE`` bytes, each running ``overlap`` bytes into the next
    (so a pattern that long or shorter, where it crosses a border, is whole in one piece)."""
    for start in range(0, len(raw), _SCAN_PIECE):
        yield raw[start:start + _SCAN_PIECE + overlap]


def check_bounds(raw: bytes, caps: Caps = DEFAULT_CAPS) -> None:
    """Caps on what parsing ``raw`` would build, from byte counts alone (no parse): every
    later step is bounded by them."""
    if len(raw) > caps.max_bytes:
        reject(SIZE, f"the pack is {len(raw):,} bytes; packs are limited to {caps.max_bytes:,} bytes")
    braces = brackets = commas = colons = doubled = 0
    for piece in _pieces(raw):
        marks = piece.translate(None, _NOT_SEPARATORS)  # one pass over the piece, then small counts
        braces, brackets = braces + marks.count(b"{"), brackets + marks.count(b"[")
        commas, colons = commas + marks.count(b","), colons + marks.count(b":")
        doubled += piece.count(b"{{")
    # In valid JSON a structural '{' never touches another '{', so '{{' is always text. A '{{'
    # across two pieces is not subtracted: the count errs on the strict side, by two a piece.
    containers = braces - 2 * doubled + brackets
    if containers > caps.max_containers:
        reject(SIZE, f"the file has {containers:,} brackets that may open objects or arrays; a pack "
                     f"has at most {caps.max_containers:,}")
    items = containers + commas + colons
    if items > caps.max_items:
        reject(SIZE, f"the file has {items:,} brackets, commas and colons, each of which may start a "
                     f"value; a pack has at most {caps.max_items:,}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON number")


# Digits as '0', exponent marks as 'e', '+' kept, all else '.': a number that overflows a
# float or has more than MAX_NUMBER_DIGITS digits leaves a tell-tale run (found at C speed).
_NUMBER_SHAPES = bytes(0x30 if 0x30 <= c <= 0x39 else 0x65 if c in b"eE" else 0x2B if c == 0x2B else 0x2E
                       for c in range(256))


def _may_hold_big_numbers(raw: bytes) -> bool:
    runs = (b"0" * (MAX_NUMBER_DIGITS + 1), b"0e000", b"0e+000")
    for piece in _pieces(raw, overlap=MAX_NUMBER_DIGITS):
        shapes = piece.translate(_NUMBER_SHAPES)
        if any(run in shapes for run in runs):
            return True
    return False


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:MAX_NUMBER_DIGITS]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of {len(text):,} digits (at most {MAX_NUMBER_DIGITS})")
    return int(text)


def shown(text: str, limit: int = 60) -> str:
    """Outside text quoted in a message: cut first, then hidden characters made visible."""
    return textsafety.visible(text[:limit]) + ("…" if len(text) > limit else "")


def parse(raw: bytes, caps: Caps = DEFAULT_CAPS) -> dict:
    check_bounds(raw, caps)
    if raw.startswith(b"\xef\xbb\xbf"):
        reject(PARSE, "the file starts with a byte-order mark; save it as UTF-8 without BOM")
    try:
        # one call into C (170 ms at 130 MB): decoded in pieces, joining them took longer
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reject(PARSE, f"not UTF-8 (invalid byte at offset {exc.start})")
    if not text or text.isspace():  # (strip() copied the whole text: 155 ms at 130 MB)
        reject(PARSE, "the file is empty")
    try:
        # the number hooks cost a Python call per number: only when a number may need them
        numbers = (dict(parse_float=_finite_float, parse_int=_bounded_int)
                   if _may_hold_big_numbers(raw) else {})
        # JSON makes no reference cycles: the collector's passes over the millions of objects
        # being made found nothing, and took 40 % of the parse at 130 MB, each pass holding the
        # interpreter lock up to 0.7 s. Put off while parsing, then the result frozen out of
        # its passes (refcounts still free it), as the library's read does.
        with collector.paused():
            data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants, **numbers)
            gc.freeze()
    except _DuplicateKey as exc:
        reject(PARSE, f"the key '{shown(exc.key)}' appears twice in one object")
    except json.JSONDecodeError as exc:
        reject(PARSE, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    except RecursionError:
        reject(PARSE, f"nested too deeply (at most {MAX_DEPTH} levels)")
    except ValueError as exc:
        reject(PARSE, f"not valid JSON: {exc}")
    del text
    if not isinstance(data, dict):
        reject(PARSE, "a pack must be a JSON object")
    # Templates are held to a fixed shape by the schema (which refuses unknown fields without
    # descending into them), so only the free-form parts (cards) need the walk.
    depth = _depth({k: v for k, v in data.items() if k != "templates"})
    if depth > MAX_DEPTH:
        reject(PARSE, f"nested too deeply ({depth} levels, at most {MAX_DEPTH})")
    _check_counts(data, caps)
    return data


def _check_counts(data: dict, caps: Caps) -> None:
    """The counts every later check loops over, before any of them runs."""
    templates = data.get("templates")
    if isinstance(templates, list) and len(templates) > caps.max_templates:
        reject(PARSE, f"{len(templates):,} templates; a pack holds at most {caps.max_templates:,}",
               field="templates")
    languages = data.get("languages")
    if isinstance(languages, list) and len(languages) > MAX_LANGUAGES:
        reject(PARSE, f"{len(languages):,} languages; a pack has at most {MAX_LANGUAGES}", field="languages")
    for index, template in enumerate(templates if isinstance(templates, list) else ()):
        variants = template.get("variants") if isinstance(template, dict) else None
        if isinstance(variants, dict) and len(variants) > MAX_LANGUAGES:
            reject(PARSE, f"{len(variants):,} variants; a template has at most {MAX_LANGUAGES}",
                   _template_id_at(data, ["templates", index]), f"templates[{index}].variants")


def _depth(value: Any) -> int:
    # iterative, so a hostile file cannot exhaust the stack here
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > deepest:
            deepest = level
            if deepest > MAX_DEPTH:
                return deepest
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node if isinstance(v, (dict, list)))
    return deepest


# -- stage 3: schema and content ---------------------------------------------------------

def schema_path() -> Path:
    return resource_path("schemas", "pack.schema.json")


@lru_cache(maxsize=1)
def _schema_file() -> dict:
    return json.loads(schema_path().read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def load_schema(max_templates: int = MAX_TEMPLATES) -> dict:
    """The pack schema; its templates' maxItems is the cap in force (the file has the default)."""
    schema = _schema_file()
    if max_templates == MAX_TEMPLATES:
        return schema
    schema = json.loads(json.dumps(schema))
    schema["properties"]["templates"]["maxItems"] = max_templates
    return schema


@lru_cache(maxsize=2)
def _fast_validator(max_templates: int = MAX_TEMPLATES):
    import fastjsonschema  # compiled once: ~15x faster than jsonschema on a 5,000-template pack

    schema = load_schema(max_templates)
    return fastjsonschema.compile(inline_refs(schema, schema.get("$defs", {})))


@lru_cache(maxsize=4)
def _outer_validator(max_templates: int = MAX_TEMPLATES, with_extras: bool = True):
    """The pack schema without its rule for each template (the array and its size stay):
    what :func:`_fast_checks` asks of the schema, the templates being judged by the validator.
    ``with_extras=False``: without the rules for each glossary term and card too, for a pack
    that has none (half the time to compile, on the first install of a session)."""
    import fastjsonschema

    schema = json.loads(json.dumps(load_schema(max_templates)))
    del schema["properties"]["templates"]["items"]
    if not with_extras:
        del schema["properties"]["glossary"]["items"], schema["properties"]["cards"]["items"]
    return fastjsonschema.compile(inline_refs(schema, schema.get("$defs", {})))


def _template_id_at(data: dict, path: list) -> str | None:
    if len(path) >= 2 and path[0] == "templates" and isinstance(path[1], int):
        templates = data.get("templates")
        if isinstance(templates, list) and path[1] < len(templates):
            item = templates[path[1]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return shown(item["id"], 80)
    return None


def _field_path(path: list) -> str:
    out = ""
    for part in path:
        part = part if isinstance(part, int) else shown(str(part), 40)
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def schema_problems(data: dict, caps: Caps = DEFAULT_CAPS) -> list[Problem]:
    import fastjsonschema

    try:
        _fast_validator(caps.max_templates)(data)
        return []
    except fastjsonschema.JsonSchemaValueException:
        pass  # slow path, only for broken packs: every problem with its place
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema(caps.max_templates))
    # the first MAX_PROBLEMS errors (iter_errors is lazy), then in document order; strings
    # are clipped first because jsonschema quotes a whole too-long string in its message
    errors = itertools.islice(validator.iter_errors(_clipped(data)), MAX_PROBLEMS)
    problems = []
    for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        path = list(error.absolute_path)
        problems.append(Problem(SCHEMA, _schema_message(error), _template_id_at(data, path),
                                _field_path(path) or None))
    return problems or [Problem(SCHEMA, "does not match the pack schema")]


def _clipped(node: Any) -> Any:
    """``node`` with every string longer than any the schema allows cut just past that
    length (still too long, so still refused); containers are copied only where needed."""
    if isinstance(node, str):
        return node[:MAX_SCHEMA_STRING + 1] if len(node) > MAX_SCHEMA_STRING else node
    if isinstance(node, dict):
        items = {_clipped(k): _clipped(v) for k, v in node.items()}
        return node if all(items.get(k) is v for k, v in node.items()) else items
    if isinstance(node, list):
        items = [_clipped(v) for v in node]
        return node if all(a is b for a, b in zip(items, node)) else items
    return node


def _schema_message(error) -> str:
    kind = error.validator
    value = error.instance
    if isinstance(value, (dict, list)):
        found = type(value).__name__
    else:
        found = shown(json.dumps(value[:100] if isinstance(value, str) else value, ensure_ascii=False), 80)
    if kind == "const":
        return f"must be {json.dumps(error.validator_value)} (found {found})"
    if kind == "required":
        return error.message.replace("is a required property", "is missing")
    if kind == "additionalProperties":
        return error.message
    if kind == "type":
        return f"must be of type {error.validator_value} (found {found})"
    if kind == "pattern":
        return f"has an invalid form: {found}"
    limits = {"maxLength": "is too long (at most {} characters)", "minLength": "is too short (at least {} characters)",
              "maxItems": "has too many entries (at most {})", "minItems": "has too few entries (at least {})",
              "maxProperties": "has too many entries (at most {})", "minProperties": "has too few entries (at least {})",
              "maximum": "is too large (at most {})", "minimum": "is too small (at least {})"}
    if kind in limits:
        return limits[kind].format(error.validator_value)
    if kind == "uniqueItems":
        return "has duplicate entries"
    if kind == "enum":
        return f"must be one of {', '.join(map(str, error.validator_value))} (found {found})"
    if kind == "oneOf":
        return f"has an invalid value {found}"
    return textsafety.visible(error.message[:300])


_SPECIFIC_IDENTIFIERS = {"id", "shortcut", "default_language", "publisher_key_id", "format",
                         "created", "expires", "min_app_version", "country", "kind", "type"}
_TEXT_FIELDS = {"body", "description", "release_notes", "note", "default"}


def _kind_for(path: tuple) -> str:
    if len(path) > 2 and path[0] == "templates":
        return validation.field_kind(path[2:])  # one table of field kinds for templates
    if path and path[0] == "cards":
        return textsafety.TEXT
    last = next((p for p in reversed(path) if isinstance(p, str)), "")
    if path and path[0] == "languages":
        return textsafety.IDENTIFIER
    if last in _SPECIFIC_IDENTIFIERS and not (len(path) >= 2 and path[-2] == "variants"):
        return textsafety.IDENTIFIER
    if last in _TEXT_FIELDS:
        return textsafety.TEXT
    return textsafety.NAME


class _Findings:
    """Hidden-character problems: the first MAX_FINDINGS listed with their place, the rest
    counted (a hostile file may hold millions) in one pass per kind of field at the end."""

    def __init__(self, data: dict):
        self.data = data
        self.problems: list[Problem] = []
        self.unlisted: dict[str, list[str]] = {}  # kind -> texts whose findings are counted
        self.more = {"error": 0, "warning": 0}  # (minus those of these texts already listed)

    def scan(self, path: tuple, text: str, kind: str, prefix: str = "") -> None:
        room = MAX_FINDINGS - len(self.problems)
        if room > 0:
            listed = textsafety.scan(text, kind, limit=room)
            for finding in listed:
                where = f" at character {finding.index + 1}" if finding.index >= 0 else ""
                self.problems.append(Problem(CONTENT, f"{prefix}{finding.message}{where}",
                                             _template_id_at(self.data, list(path)), _field_path(list(path)),
                                             finding.severity))
            if len(listed) < room:
                return  # all of this text's findings are listed
            for finding in listed:
                self.more[finding.severity] -= 1
        if kind == textsafety.IDENTIFIER and len(text) > textsafety.MAX_IDENTIFIER_CHARS:
            self.more["error"] += 1  # one finding: its length
        else:
            self.unlisted.setdefault(kind, []).append(text)

    def result(self) -> list[Problem]:
        problems = sorted(self.problems, key=lambda p: (p.severity != "error", p.field or ""))
        for kind, texts in self.unlisted.items():
            errors, warnings = textsafety.count("".join(texts), kind)
            self.more["error"] += errors
            self.more["warning"] += warnings
        for severity, count in self.more.items():
            if count > 0:
                problems.append(Problem(CONTENT, f"and {count:,} more hidden or control characters "
                                                 f"(only the first {MAX_FINDINGS} are listed)", severity=severity))
        return problems


def hidden_character_problems(data: Any) -> list[Problem]:
    """Scan every key and string of the document. Templates whose strings are all plainly
    printable (bodies: free of suspect characters) are cleared by a quick pass; the rest is
    walked with field paths so each finding says where it is."""
    if not isinstance(data, dict):
        return []
    findings = _Findings(data)
    templates = data.get("templates")
    if isinstance(templates, list):
        rest = {k: v for k, v in data.items() if k != "templates"}
        for start in range(0, len(templates), _CLEAN_BATCH):
            batch = templates[start:start + _CLEAN_BATCH]
            if _all_clean(batch):
                continue
            for index, template in enumerate(batch, start):
                if not _template_is_clean(template):
                    _walk(template, ("templates", index), findings)
    else:
        rest = data
    _walk(rest, (), findings)
    return findings.result()


_CLEAN_BATCH = 250  # templates cleared together by _all_clean
_SCALARS = (bool, int, float, type(None))


def _all_clean(templates: list) -> bool:
    """True when :func:`_template_is_clean` holds for every one of ``templates``: told with
    a few joins over all their strings (one check per kind of field instead of one per
    string), for templates of the usual shape; False when unsure (each is then looked at)."""
    ascii_keys: list = []  # template keys and language codes: printable ASCII
    names: list = []  # every other key and string but bodies: plain (textsafety.is_plain)
    bodies: list = []  # no finding as text
    try:
        for template in templates:
            if type(template) is not dict:
                return False
            ascii_keys.extend(template)
            for key, value in template.items():
                if type(value) is str:
                    names.append(value)
                elif key == "variants":
                    if type(value) is not dict:
                        return False
                    ascii_keys.extend(value)
                    for variant in value.values():
                        if type(variant) is not dict or len(variant) != 2:
                            return False
                        title, body = variant.get("title"), variant.get("body")
                        if type(title) is not str or type(body) is not str:
                            return False
                        names.append(title)
                        bodies.append(body)
                elif type(value) is list:  # tags, sections
                    for item in value:
                        if type(item) is dict:
                            names.extend(item)
                            for inner in item.values():
                                if type(inner) is str:
                                    names.append(inner)
                                elif type(inner) not in _SCALARS:
                                    return False
                        elif type(item) is str:
                            names.append(item)
                        elif type(item) not in _SCALARS:
                            return False
                elif type(value) is dict:  # variables
                    names.extend(value)
                    for spec in value.values():
                        if type(spec) is not dict:
                            return False
                        names.extend(spec)
                        for inner in spec.values():
                            if type(inner) is str:
                                names.append(inner)
                            elif type(inner) is dict:  # choices: language -> options
                                names.extend(inner)
                                for options in inner.values():
                                    if type(options) is not list:
                                        return False
                                    names.extend(options)  # a non-text option fails the join
                            elif type(inner) not in _SCALARS:
                                return False
                elif type(value) not in _SCALARS:
                    return False
        keys = "".join(ascii_keys)
        return (keys.isascii() and keys.isprintable() and textsafety.is_plain("".join(names))
                and textsafety.is_clean_text("".join(bodies)))
    except TypeError:  # a key or an option that is not text
        return False


def _printable_tree(node: Any) -> bool:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not textsafety.is_plain(item):
                return False
        elif isinstance(item, dict):
            for key, value in item.items():
                if not textsafety.is_plain(key):
                    return False
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _template_is_clean(template: Any) -> bool:
    if not isinstance(template, dict):
        return False
    for key, value in template.items():
        if not (key.isascii() and key.isprintable()):
            return False
        if key == "variants" and isinstance(value, dict):
            for lang, variant in value.items():
                if not (lang.isascii() and lang.isprintable()) or not isinstance(variant, dict):
                    return False
                for part, text in variant.items():
                    if not isinstance(text, str) or not (part.isascii() and part.isprintable()):
                        return False
                    if part == "body":
                        if textsafety.scan(text, textsafety.TEXT, limit=1):  # fast for ordinary bodies
                            return False
                    elif not textsafety.is_plain(text):
                        return False
        elif isinstance(value, str):
            if not textsafety.is_plain(value):
                return False
        elif isinstance(value, (dict, list)) and not _printable_tree(value):
            return False
    return True


def _walk(root: Any, prefix: tuple, findings: _Findings) -> None:
    stack: list[tuple[Any, tuple]] = [(root, prefix)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if len(key) > textsafety.MAX_IDENTIFIER_CHARS or not (key.isascii() and key.isprintable()):
                    findings.scan(path + (key,), key, textsafety.IDENTIFIER, "in a key: ")
                if isinstance(value, str):
                    _scan_value(findings, path + (key,), value)
                elif isinstance(value, (dict, list)):
                    stack.append((value, path + (key,)))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    _scan_value(findings, path + (index,), value)
                elif isinstance(value, (dict, list)):
                    stack.append((value, path + (index,)))


def _scan_value(findings: _Findings, path: tuple, value: str) -> None:
    if value.isascii() and value.isprintable():
        return
    findings.scan(path, value, _kind_for(path))


def parse_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def content_problems(data: dict, templates_judged: bool = False) -> list[Problem]:
    """Checks beyond the schema, on a document that passed it: each template judged by the
    templates' own validator (:mod:`assistant.templates.validation`), then what is about the
    pack as a whole (unique ids and shortcuts, languages declared, dates, glossary, cards).
    ``templates_judged``: the validator found nothing in any template already (not asked again)."""
    problems: list[Problem] = []
    if type(data["version"]) is not int:  # JSON Schema counts 2.0 as an integer; we store whole numbers
        problems.append(Problem(CONTENT, f"must be a whole number such as 2, not {data['version']!r}", field="version"))
    languages = set(data["languages"])
    if data["default_language"] not in languages:
        problems.append(Problem(CONTENT, f"the default language '{data['default_language']}' is "
                                         f"not in languages", field="default_language"))
    for key in ("created", "expires"):
        if data.get(key):
            try:
                parse_datetime(data[key])
            except ValueError:
                problems.append(Problem(CONTENT, f"'{data[key]}' is not a real date", field=key))
    if data.get("expires") and not any(p.field in ("created", "expires") for p in problems):
        if parse_datetime(data["expires"]) <= parse_datetime(data["created"]):
            problems.append(Problem(CONTENT, "the pack expires before it was created", field="expires"))

    ids: dict[str, int] = {}
    shortcuts: dict[str, str] = {}
    for index, template in enumerate(data["templates"]):
        tid = template["id"]
        where = f"templates[{index}]"
        if tid in ids:
            problems.append(Problem(CONTENT, f"the id '{tid}' is used twice (templates[{ids[tid]}] "
                                             f"and {where})", tid, f"{where}.id"))
        ids.setdefault(tid, index)
        shortcut = template.get("shortcut")
        if shortcut:
            if shortcut in shortcuts:
                problems.append(Problem(CONTENT, f"the shortcut '{shortcut}' is also used by "
                                                 f"'{shortcuts[shortcut]}'", tid, f"{where}.shortcut"))
            shortcuts.setdefault(shortcut, tid)
        # the template itself: the one validator the editors, imports and the merge use
        # (hidden characters were scanned over the whole document, with the same field kinds)
        for problem in () if templates_judged else validation.problems(template, hidden=False):
            problems.append(Problem(CONTENT, problem.message, tid, f"{where}.{problem.path}",
                                    problem.severity))
        for lang in template["variants"]:
            if lang not in languages:
                problems.append(Problem(CONTENT, f"language '{lang}' is not declared in the pack's "
                                                 f"languages", tid, f"{where}.variants.{lang}"))
        for name, spec in (template.get("variables") or {}).items():
            for lang in (spec.get("choices") or {}):
                if lang not in languages:
                    problems.append(Problem(CONTENT, f"language '{lang}' is not declared in the pack's "
                                                     f"languages", tid, f"{where}.variables.{name}.choices.{lang}"))
        if len(problems) >= MAX_PROBLEMS:
            return problems
    seen_terms: dict[str, str] = {}
    for index, term in enumerate(data.get("glossary") or []):
        key = term["term"].casefold()
        if key in seen_terms:
            problems.append(Problem(CONTENT, f"the term '{seen_terms[key]}' is listed twice",
                                    field=f"glossary[{index}].term"))
        seen_terms.setdefault(key, term["term"])
        if not term.get("do_not_translate") and not term.get("translations"):
            problems.append(Problem(CONTENT, "a term needs do_not_translate or translations",
                                    field=f"glossary[{index}]"))
        for lang in term.get("translations") or {}:
            if lang not in languages:
                problems.append(Problem(CONTENT, f"language '{lang}' is not declared in the pack's "
                                                 f"languages", field=f"glossary[{index}].translations.{lang}"))
    problems.extend(_card_problems(data.get("cards") or []))
    return problems


def _card_problems(cards: list[dict]) -> list[Problem]:
    problems = []
    if not cards:
        return problems
    seen: set[tuple[str, str]] = set()
    try:
        from assistant.countries.cards import validate_card
    except ImportError:
        validate_card = None
    for index, card in enumerate(cards):
        key = (card["country"], card["kind"])
        where = f"cards[{index}]"
        if key in seen:
            problems.append(Problem(CONTENT, f"two {card['kind']} entries for {card['country']}", field=where))
        seen.add(key)
        content = card["content"]
        if card["kind"] == "notes":
            text = content.get("text")
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTE_CHARS:
                problems.append(Problem(CONTENT, f"notes need a 'text' of 1-{MAX_NOTE_CHARS} characters",
                                        field=f"{where}.content.text"))
            title = content.get("title")
            if title is not None and (not isinstance(title, str) or len(title) > 200):
                problems.append(Problem(CONTENT, "a note's title is text of at most 200 characters",
                                        field=f"{where}.content.title"))
            extra = set(content) - {"text", "title"}
            if extra:
                problems.append(Problem(CONTENT, f"unknown field(s) {', '.join(sorted(extra))}",
                                        field=f"{where}.content"))
        elif validate_card is not None:
            try:
                found = validate_card(dict(content, country=card["country"]) if "country" not in content else content)
            except (ValueError, TypeError, KeyError) as exc:
                found = [str(exc)]
            for message in found or []:
                problems.append(Problem(CONTENT, str(message), field=f"{where}.content"))
    return problems


def is_reserved(identifier: str) -> bool:
    return identifier == RESERVED_PACK_ID or identifier.startswith(RESERVED_PREFIX)


def reserved_id_problems(data: dict) -> list[Problem]:
    """A pack claiming the built-in starter pack's ids (on a document that passed the schema)."""
    problems = []
    if is_reserved(data["id"]):
        problems.append(Problem(CONTENT, f"the pack id '{data['id']}' is reserved for the app's built-in "
                                         f"starter pack", field="id"))
    for index, template in enumerate(data["templates"]):
        if is_reserved(template["id"]):
            problems.append(Problem(CONTENT, f"the template id '{template['id']}' is reserved for the app's "
                                             f"built-in starter pack (ids starting with '{RESERVED_PREFIX}')",
                                    template["id"], f"templates[{index}].id"))
            if len(problems) >= MAX_PROBLEMS:
                break
    return problems


def _validator_bounded(template: Any) -> bool:
    """Whether the template validator's work on ``template`` is bounded by a template's own
    limits (no more fields than a template has, bodies within their length): always so for a
    pack the schema accepts; a hostile file that is not is judged by the schema first."""
    if type(template) is not dict or len(template) > len(validation.FIELDS):
        return False
    variants = template.get("variants")
    if type(variants) is dict:
        if len(variants) > MAX_LANGUAGES:
            return False
        for variant in variants.values():
            if type(variant) is dict:
                body = variant.get("body")
                if len(variant) > 2 or (type(body) is str and len(body) > validation.MAX_BODY):
                    return False
    variables = template.get("variables")
    if type(variables) is dict and len(variables) <= validation.MAX_VARIABLES:
        for spec in variables.values():
            if type(spec) is dict:
                choices = spec.get("choices")
                if len(spec) > len(validation.VARIABLE_FIELDS) or (
                        type(choices) is dict and len(choices) > MAX_LANGUAGES):
                    return False
    sections = template.get("sections")
    if type(sections) is list and len(sections) <= validation.MAX_SECTIONS:
        for section in sections:
            if type(section) is dict and len(section) > len(validation.SECTION_FIELDS):
                return False
    return True


def _fast_checks(data: dict, caps: Caps) -> bool:
    """Whether the document passes the pack schema, decided without the schema's rules for
    each template: the outer document by the schema, each template by the template validator
    (whose rules include every rule the schema has for a template, and more: checked by
    tests/assistant/packs/test_fast_checks.py). False when either finds a problem (or a
    template is outside the validator's bounds): the caller then asks the schema itself, so a
    broken pack gets the schema's messages, as before."""
    import fastjsonschema

    extras = bool(data.get("glossary") or data.get("cards")) if isinstance(data, dict) else True
    try:
        _outer_validator(caps.max_templates, extras)(data)
    except fastjsonschema.JsonSchemaValueException:
        return False
    problems = validation.problems
    for template in data["templates"]:
        if not _validator_bounded(template) or problems(template, hidden=False):
            return False
    return True


def validate_document(data: dict, builtin: bool = False, caps: Caps = DEFAULT_CAPS) -> list[Problem]:
    """Every problem (errors and warnings) with a parsed document. ``builtin``: the starter
    pack shipped with the app, the one pack that may use the reserved ids.

    Order: hidden characters, then the schema, then content. A document whose templates all
    pass the template validator (and whose outer part passes the schema) is known to pass the
    schema, so its templates are judged once (:func:`_fast_checks`); any problem found that
    way sends the document through the stages one by one, for the same messages."""
    hidden = hidden_character_problems(data)
    errors = [p for p in hidden if p.severity == "error"]
    if errors:
        return hidden  # the schema would only repeat them, less precisely
    if _fast_checks(data, caps):
        reserved = [] if builtin else reserved_id_problems(data)
        problems = reserved + content_problems(data, templates_judged=True)
        if not any(p.severity == "error" for p in problems):
            return problems + hidden
    problems = schema_problems(data, caps)
    if problems:
        return problems + hidden
    reserved = [] if builtin else reserved_id_problems(data)
    return reserved + content_problems(data) + hidden


def load_pack(raw: bytes, builtin: bool = False, caps: Caps = DEFAULT_CAPS) -> Pack:
    """Parse and validate pack bytes; raises PackRejected at the first failing stage."""
    data = parse(raw, caps)
    problems = validate_document(data, builtin, caps)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise PackRejected(errors)
    return Pack(data, hashlib.sha256(raw).hexdigest(), [p for p in problems if p.severity == "warning"])


def check_file(path: Path, caps: Caps = DEFAULT_CAPS) -> tuple[Pack | None, list[Problem]]:
    """For ``validate``: the pack (if valid) and every problem found, warnings included."""
    try:
        raw = read_capped(path, caps.max_bytes)
        data = parse(raw, caps)
    except PackRejected as exc:
        return None, exc.problems
    problems = validate_document(data, caps=caps)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return Pack(data, hashlib.sha256(raw).hexdigest(), problems), problems


def canonical_bytes(data: dict) -> bytes:
    """How our tools write a pack: UTF-8, sorted keys, two-space indent, final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")
