"""Import personal templates from CSV files and Espanso match files, in one transaction.

A CSV file is all or nothing: a file with any problem imports nothing, and every problem
names its line. An Espanso file imports what can be imported and skips the rest, each skipped
match listed by line and reason (:class:`ImportPlan`, previewed before anything is written:
"41 replies will be imported, 3 skipped: ..."); a file that cannot be read at all (not YAML,
not a match file, hostile constructs) or where nothing can be imported imports nothing.

CSV (UTF-8, a byte-order mark is fine; comma, semicolon or tab separated; first row = header)
---------------------------------------------------------------------------------------------
Columns (any order; names are case-insensitive)::

    title      required   the template's title in this row's language
    body       required   the text; {{placeholders}} and {{#section}}...{{/section}} are kept
    language   optional   en, es, pt_BR...; defaults to the language chosen for the import
    id         optional   rows with the same id are the languages of one template
                          (without an id, each row is its own template)
    tags       optional   separated by ';' or ','
    shortcut   optional   e.g. ;refund (one per template)

The first row of a template sets its default language. Other columns are an error (a typo
such as "boddy" would otherwise drop data silently).

Espanso (YAML, the ``matches:`` list of a match file)
-----------------------------------------------------
``trigger`` (or the first of ``triggers``) becomes the shortcut, ``label`` the title (else the
trigger), ``search_terms`` the tags, ``replace`` (or ``form``, whose ``[[field]]`` become
``{{field}}``) the body; ``{{var}}`` placeholders are kept (dots become ``_``). Variables:
``echo`` -> text with that default, ``choice``/``random`` -> a choice, ``clipboard`` -> text,
each field of a ``form`` variable (``{{form1.name}}``) -> a text, multiline or choice field
``form1_name``, ``date`` -> the built-in ``{{date}}``; ``global_vars`` serve the matches that
use them. Options of how Espanso expands (``word``, ``propagate_case``, ...) do not matter
here. Skipped, each with its line and reason: matches with ``shell`` or ``script`` variables
(never run, never imported; also through a global variable), nested matches (``match``
variables), regex triggers, ``html``/``image_path`` replacements, unknown variable types,
matches without text, a trigger that appears again in the file (the first is kept), and what
the template validator refuses. The whole file is refused for anchors/aliases and any
non-plain YAML tag: only ``yaml.safe_load``-level constructs are read (PyYAML's SafeLoader),
never Python objects.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.errors import UserError
from assistant.plaintext import first_text_problem, quoted
from assistant.templates.model import (ID_RE, LANG_RE, Template, TemplateError,
                                       declare_placeholders, normalize_language)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_EVENTS = 200_000
MAX_YAML_DEPTH = 20  # an Espanso file needs 5
CSV_COLUMNS = ("id", "language", "title", "body", "tags", "shortcut")


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class ImportFailed(UserError):
    """Nothing was imported; ``problems`` says why, with line numbers."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"Nothing was imported: {shown}{more}")


@dataclass
class ImportedTemplate:
    """A template read from a file: ``id`` may be empty (the store assigns one)."""
    data: dict
    line: int
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return next(iter(self.data["variants"].values()))["title"]


@dataclass
class ImportPlan:
    """What an import will do, before anything is written: the templates to import and what
    is skipped (each with its line and reason)."""
    items: list[ImportedTemplate]
    skipped: list[ImportProblem] = field(default_factory=list)

    def headline(self) -> str:
        """"41 replies will be imported, 3 skipped" (in the UI language)."""
        from assistant.i18n import ngettext

        will = ngettext("{count} reply will be imported", "{count} replies will be imported",
                        len(self.items)).format(count=len(self.items))
        if not self.skipped:
            return will
        return ngettext("{will}, {count} skipped", "{will}, {count} skipped",
                        len(self.skipped)).format(will=will, count=len(self.skipped))

    def preview(self, limit: int = 15) -> str:
        """The headline, then one line per skipped match (at most ``limit``)."""
        lines = [self.headline() + (":" if self.skipped else ".")]
        lines += [f"  {problem}" for problem in self.skipped[:limit]]
        if len(self.skipped) > limit:
            lines.append(f"  … (+{len(self.skipped) - limit})")
        return "\n".join(lines)


def read_path(path, language: str = "en") -> "ImportPlan":
    """:func:`read_file` on the file at ``path``, of which no more is read than an import
    may hold: a file picked by mistake (a video, a disk image) is refused after
    ``MAX_IMPORT_BYTES``, not read whole into memory first. OSError when it cannot be read."""
    import os
    from pathlib import Path

    from assistant.collector import paused

    path = Path(path)
    with path.open("rb") as handle:
        raw = handle.read(MAX_IMPORT_BYTES + 1)
        if len(raw) > MAX_IMPORT_BYTES:
            raise _too_big(os.fstat(handle.fileno()).st_size)
    with paused():  # the plan's objects, none in a cycle: see save_imported
        return read_file(path.name, raw, language)


def _too_big(size: int) -> "ImportFailed":
    return ImportFailed([ImportProblem(None, f"the file is {size:,} bytes; imports are "
                                             f"limited to {MAX_IMPORT_BYTES:,} bytes")])


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_IMPORT_BYTES:
        raise _too_big(len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ImportFailed([ImportProblem(line, "the file is not UTF-8 text; save it as "
                                                "UTF-8 and import it again")]) from exc
    if "\x00" in text:
        raise ImportFailed([ImportProblem(text[:text.index("\x00")].count("\n") + 1,
                                          "the file contains NUL bytes: it is not a text file")])
    return text


def _finish(items: list, problems: list, empty_message: str) -> list:
    """Checks shared by every importer; all or nothing: any problem refuses the whole file."""
    if not items and not problems:
        problems.append(ImportProblem(None, empty_message))
    _check_templates(items, problems)
    _check_shortcuts(items, problems)
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: p.line or 0))
    return items


def _finish_partly(items: list[ImportedTemplate], skipped: list[ImportProblem],
                   empty_message: str) -> ImportPlan:
    """The same checks, but a template they refuse is skipped with its reason; nothing left
    to import refuses the file with every reason."""
    kept = []
    for item in items:
        problems: list[ImportProblem] = []
        _check_templates([item], problems)
        skipped.extend(problems)
        if not problems:
            kept.append(item)
    seen: dict[str, int] = {}
    items = []
    for item in kept:
        shortcut = item.data.get("shortcut")
        if shortcut and shortcut in seen:
            skipped.append(ImportProblem(item.line, f"the trigger '{shortcut}' is also on line "
                                                    f"{seen[shortcut]}, which is imported"))
            continue
        if shortcut:
            seen[shortcut] = item.line
        items.append(item)
    skipped.sort(key=lambda p: p.line or 0)
    if not items:
        raise ImportFailed(skipped or [ImportProblem(None, empty_message)])
    return ImportPlan(items, skipped)


def _check_templates(items: list[ImportedTemplate], problems: list[ImportProblem]) -> list[Template]:
    """Validate each candidate with the model; problems carry the line of the template."""
    templates = []
    for item in items:
        # YAML escapes can make lone surrogates, which no database can store: named here,
        # not a crash when saving
        unencodable = first_text_problem(item.data, controls=False)
        if unencodable:
            problems.append(ImportProblem(item.line, f"{unencodable[0]}: {unencodable[1]}"))
            continue
        item.data = declare_placeholders(item.data)  # one's own names are meant to be asked for
        data = dict(item.data)
        data["id"] = data.get("id") or "import.pending"  # real id assigned when saving
        try:
            templates.append(Template.from_dict(data, origin="import"))
        except TemplateError as exc:
            for problem in exc.problems:
                problems.append(ImportProblem(item.line, f"{problem.path}: {problem.message}"
                                                         if problem.path else problem.message))
    return templates


# -- CSV ---------------------------------------------------------------------------------

def _split_tags(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[;,]", text or "") if t.strip()]


def read_csv(raw: bytes, language: str = "en") -> list[ImportedTemplate]:
    """Parse a CSV file into template candidates; raises :class:`ImportFailed`."""
    text = _decode(raw)
    if not text.strip():
        raise ImportFailed([ImportProblem(None, "the file is empty")])
    first_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[ImportProblem] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise ImportFailed([ImportProblem(1, f"the header row is not valid CSV: {exc}")]) from exc
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        problems.append(ImportProblem(1, f"unknown column(s) {', '.join(repr(u) for u in unknown)}; "
                                         f"the columns are {', '.join(CSV_COLUMNS)}"))
    for needed in ("title", "body"):
        if needed not in header:
            problems.append(ImportProblem(1, f"the column '{needed}' is missing"))
    if len(set(header)) != len(header):
        problems.append(ImportProblem(1, "a column name appears twice"))
    if problems:
        raise ImportFailed(problems)
    default_language = normalize_language(language)

    by_id: dict[str, ImportedTemplate] = {}
    items: list[ImportedTemplate] = []
    rows = 0
    end_of_previous = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(ImportProblem(end_of_previous + 1, f"not valid CSV: {exc}"))
            break
        line = end_of_previous + 1  # where the record starts (a quoted body may span lines)
        end_of_previous = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows > MAX_ROWS:
            problems.append(ImportProblem(line, f"more than {MAX_ROWS:,} rows"))
            break
        if len(row) != len(header):
            problems.append(ImportProblem(line, f"{len(row)} fields, but the header has {len(header)}"))
            continue
        cells = dict(zip(header, row))
        lang = normalize_language(cells.get("language", "").strip() or default_language)
        if not LANG_RE.match(lang):
            problems.append(ImportProblem(line, f"'{cells.get('language')}' is not a language code "
                                                f"such as en, es or pt_BR"))
            continue
        tid = cells.get("id", "").strip()
        if tid and not ID_RE.match(tid):
            problems.append(ImportProblem(line, f"the id '{tid[:80]}' may only use lower-case "
                                                f"letters, digits, '.', '_' and '-'"))
            continue
        variant = {"title": cells.get("title", "").strip(), "body": cells.get("body", "")}
        existing = by_id.get(tid) if tid else None
        if existing is None:
            item = ImportedTemplate({"id": tid, "default_language": lang, "variants": {lang: variant},
                                     "tags": _split_tags(cells.get("tags", "")),
                                     "shortcut": cells.get("shortcut", "").strip() or None}, line)
            items.append(item)
            if tid:
                by_id[tid] = item
            continue
        if lang in existing.data["variants"]:
            problems.append(ImportProblem(line, f"the template '{tid}' already has a '{lang}' row "
                                                f"(line {existing.line})"))
            continue
        existing.data["variants"][lang] = variant
        for tag in _split_tags(cells.get("tags", "")):
            if tag not in existing.data["tags"]:
                existing.data["tags"].append(tag)
        shortcut = cells.get("shortcut", "").strip()
        if shortcut and existing.data["shortcut"] and shortcut != existing.data["shortcut"]:
            problems.append(ImportProblem(line, f"the template '{tid}' has two shortcuts: "
                                                f"'{existing.data['shortcut']}' and '{shortcut}'"))
        elif shortcut:
            existing.data["shortcut"] = shortcut
    return _finish(items, problems, "the file has a header but no templates")


def _check_shortcuts(items: list[ImportedTemplate], problems: list[ImportProblem]) -> None:
    seen: dict[str, int] = {}
    for item in items:
        shortcut = item.data.get("shortcut")
        if shortcut:
            if shortcut in seen:
                problems.append(ImportProblem(item.line, f"the shortcut '{shortcut}' is also used "
                                                         f"on line {seen[shortcut]}"))
            seen.setdefault(shortcut, item.line)


# -- Espanso -----------------------------------------------------------------------------

EXECUTABLE_VARS = {"shell", "script"}
PLAIN_YAML_TAGS = {f"tag:yaml.org,2002:{name}" for name in
                   ("str", "int", "float", "bool", "null", "seq", "map")}
_FORM_FIELD_RE = re.compile(r"\[\[\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\]\]")
_ESPANSO_VAR_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}")


def _safe_yaml(text: str) -> Any:
    """Load with PyYAML's SafeLoader after refusing aliases (billion-laughs) and bounding
    the document; returns the data or raises ImportFailed."""
    import yaml

    events = depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            events += 1
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise ImportFailed([ImportProblem(event.start_mark.line + 1,
                                                      "the file is nested too deeply")])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if events > MAX_YAML_EVENTS:
                raise ImportFailed([ImportProblem(None, "the file is too complex to import")])
            if isinstance(event, yaml.AliasEvent):
                raise ImportFailed([ImportProblem(event.start_mark.line + 1,
                                                  "YAML aliases (*name) are not supported")])
            tag = getattr(event, "tag", None)
            if tag and tag != "!" and tag not in PLAIN_YAML_TAGS:
                raise ImportFailed([ImportProblem(event.start_mark.line + 1,
                                                  f"the YAML tag {tag[:60]} is not allowed")])
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ImportFailed([ImportProblem(mark.line + 1 if mark else None,
                                          f"not valid YAML: {exc.problem or exc}")]) from exc
    except yaml.YAMLError as exc:
        raise ImportFailed([ImportProblem(None, f"not valid YAML: {exc}")]) from exc
    except RecursionError as exc:
        raise ImportFailed([ImportProblem(None, "the file is nested too deeply")]) from exc
    return data, node


def _item_lines(node, name: str) -> list[int]:
    """The line of each item of the top-level list ``name`` (1-based)."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == name and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _key_line(node, name: str) -> int | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            if getattr(key, "value", None) == name:
                return key.start_mark.line + 1
    return None


def _var_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def read_espanso(raw: bytes, language: str = "en") -> ImportPlan:
    """Parse an Espanso match file (a hub package's ``package.yml`` or a ``match/*.yml``)
    into the templates it can give and the matches it skips; raises :class:`ImportFailed`
    when the file cannot be read or nothing in it can be imported."""
    if len(raw) > MAX_YAML_BYTES:
        raise ImportFailed([ImportProblem(None, f"the file is {len(raw):,} bytes; Espanso files "
                                                f"are limited to {MAX_YAML_BYTES:,} bytes")])
    text = _decode(raw)
    data, node = _safe_yaml(text)
    if isinstance(data, dict) and "matches" not in data and {"name", "version", "author"} <= set(data):
        raise ImportFailed([ImportProblem(None, "this is an Espanso package's manifest; import "
                                                "the package.yml beside it")])
    if not isinstance(data, dict) or not isinstance(data.get("matches"), list):
        raise ImportFailed([ImportProblem(None, "an Espanso match file needs a 'matches:' list")])
    lang = normalize_language(language)
    skipped: list[ImportProblem] = []
    if data.get("imports"):
        skipped.append(ImportProblem(_key_line(node, "imports"), "the other files this one imports "
                                                                 "(imports:) are not followed; import them "
                                                                 "one by one"))
    shared, running = {}, {}  # global variables: usable by every match; those that run a program
    global_lines = _item_lines(node, "global_vars")
    for index, var in enumerate(data.get("global_vars") if isinstance(data.get("global_vars"), list) else []):
        if isinstance(var, dict) and isinstance(var.get("name"), str):
            if var.get("type") in EXECUTABLE_VARS:
                running[var["name"]] = var.get("type")
                skipped.append(ImportProblem(global_lines[index] if index < len(global_lines) else None,
                                             f"the global variable '{var['name']}' runs a program "
                                             f"({var.get('type')}): it is never run nor imported"))
            else:
                shared[var["name"]] = var
    items: list[ImportedTemplate] = []
    lines = _item_lines(node, "matches")
    for index, match in enumerate(data["matches"]):
        line = lines[index] if index < len(lines) else None
        if not isinstance(match, dict):
            skipped.append(ImportProblem(line, "each match must be a mapping"))
            continue
        problems: list[ImportProblem] = []
        item = _espanso_match(_with_globals(match, shared, running, line, problems), line, lang, problems)
        label = _match_label(match)
        skipped.extend(ImportProblem(p.line, f"{label}: {p.message}" if label else p.message) for p in problems)
        if item is not None and not problems:
            items.append(item)
    return _finish_partly(items, skipped, "the file has no matches")


def _with_globals(match: dict, shared: dict, running: dict, line: int | None,
                  problems: list[ImportProblem]) -> dict:
    """``match`` with the global variables its text uses (its own variables of the same name
    win); a global variable that runs a program is a problem."""
    body = next((match[k] for k in ("replace", "markdown", "form") if isinstance(match.get(k), str)), "")
    own = {v.get("name") for v in match.get("vars") or [] if isinstance(v, dict)}
    used = [name.split(".")[0] for name in _ESPANSO_VAR_RE.findall(body)]
    for name in dict.fromkeys(used):
        if name in running and name not in own:
            problems.append(ImportProblem(line, f"uses the global variable '{name}', which runs a "
                                                f"program ({running[name]}): never run nor imported"))
    extra = [shared[name] for name in dict.fromkeys(used) if name in shared and name not in own]
    return {**match, "vars": [*extra, *(match.get("vars") or [])]} if extra else match


def _match_label(match: dict) -> str:
    """How a skipped match is named in the list: its trigger (or first trigger, or regex)."""
    for key in ("trigger", "regex"):
        if isinstance(match.get(key), str):
            return quoted(match[key])
    triggers = match.get("triggers")
    if isinstance(triggers, list) and triggers and isinstance(triggers[0], str):
        return quoted(triggers[0])
    return ""


def _form_variables(layout, specs, lang: str, prefix: str = "") -> dict[str, dict]:
    """Our variables for the ``[[field]]`` of a form layout: a choice when the field lists
    values, else a text (multiline when the field says so)."""
    layout = layout if isinstance(layout, str) else ""
    specs = specs if isinstance(specs, dict) else {}
    variables = {}
    for field_name in dict.fromkeys(_FORM_FIELD_RE.findall(layout)):
        spec = specs.get(field_name) if isinstance(specs.get(field_name), dict) else {}
        values = spec.get("values") if isinstance(spec.get("values"), list) else []
        options = [str(v).strip()[:120] for v in values if str(v).strip()][:50]
        variables[_var_name(prefix + field_name)] = (
            {"label": field_name, "type": "choice", "choices": {lang: options}} if options
            else {"label": field_name, "type": "multiline" if spec.get("multiline") else "text"})
    return variables


def _espanso_match(match: dict, line: int | None, lang: str,
                   problems: list[ImportProblem]) -> ImportedTemplate | None:
    before = len(problems)
    if "regex" in match:
        problems.append(ImportProblem(line, "regex triggers are not supported"))
    for key in ("html", "image_path"):
        if key in match:
            problems.append(ImportProblem(line, f"'{key}' replacements are not supported "
                                                f"(templates are plain text)"))
    trigger = match.get("trigger")
    if trigger is None and isinstance(match.get("triggers"), list) and match["triggers"]:
        trigger = match["triggers"][0]
    if trigger is not None and not isinstance(trigger, str):
        problems.append(ImportProblem(line, "the trigger must be text"))
        trigger = None
    body = match.get("replace", match.get("markdown"))
    if body is None and isinstance(match.get("form"), str):
        body = _FORM_FIELD_RE.sub(lambda m: "{{" + _var_name(m.group(1)) + "}}", match["form"])
    if not isinstance(body, str) or not body.strip():
        if len(problems) == before:
            problems.append(ImportProblem(line, "the match has no text to import (replace)"))
        return None

    variables: dict[str, dict] = {}
    if "replace" not in match and "markdown" not in match:  # an inline form: its fields are the variables
        variables.update(_form_variables(match.get("form"), match.get("form_fields"), lang))
    renames: dict[str, str] = {}
    for var in match.get("vars") or []:
        if not isinstance(var, dict) or not isinstance(var.get("name"), str):
            problems.append(ImportProblem(line, "each variable needs a name"))
            continue
        name, kind = var["name"], var.get("type")
        params = var.get("params") if isinstance(var.get("params"), dict) else {}
        if kind in EXECUTABLE_VARS:
            problems.append(ImportProblem(line, f"the variable '{name}' runs a program ({kind}): "
                                                f"it is never run nor imported"))
        elif kind == "match":
            problems.append(ImportProblem(line, f"the variable '{name}' expands another match; "
                                                f"nested matches are not supported"))
        elif kind == "date":
            renames[name] = "date"
        elif kind == "echo":
            variables[_var_name(name)] = {"label": name, "type": "text",
                                          "default": str(params.get("echo", ""))[:2000]}
        elif kind in ("choice", "random"):
            raw_values = params.get("values") or params.get("choices") or []
            options = []
            for value in raw_values if isinstance(raw_values, list) else []:
                label = value.get("label") if isinstance(value, dict) else value
                if isinstance(label, (str, int, float)) and str(label).strip():
                    options.append(str(label).strip()[:120])
            if not options:
                problems.append(ImportProblem(line, f"the variable '{name}' has no values"))
            else:
                variables[_var_name(name)] = {"label": name, "type": "choice",
                                              "choices": {lang: options[:50]}}
        elif kind == "form":
            # each [[field]] of the layout is referenced as {{form.field}} in the text
            variables.update(_form_variables(params.get("layout"), params.get("fields"), lang, f"{name}."))
        elif kind in ("clipboard", None):
            variables[_var_name(name)] = {"label": name, "type": "text"}
        else:
            problems.append(ImportProblem(line, f"the variable type '{kind}' of '{name}' is not "
                                                f"supported"))
    if len(problems) > before:
        return None

    def placeholder(m: re.Match) -> str:
        name = m.group(1)
        return "{{" + renames.get(name, _var_name(name)) + "}}"

    body = _ESPANSO_VAR_RE.sub(placeholder, body).replace("$|$", "")  # Espanso's cursor mark
    label = match.get("label")
    title = label if isinstance(label, str) and label.strip() else (trigger or body.split("\n")[0])
    terms = match.get("search_terms")
    tags = [str(t).strip()[:40] for t in terms if str(t).strip()][:20] if isinstance(terms, list) else []
    return ImportedTemplate({"id": "", "default_language": lang,
                             "variants": {lang: {"title": str(title).strip()[:200], "body": body}},
                             "tags": tags, "shortcut": trigger, "variables": variables}, line or 0)


def read_file(name: str, raw: bytes, language: str = "en") -> ImportPlan:
    """Pick the reader by file name: ``.csv`` / ``.tsv`` or ``.yml`` / ``.yaml``; what the
    import will do, before anything is written."""
    lower = name.lower()
    if lower.endswith((".csv", ".tsv", ".txt")):
        return ImportPlan(read_csv(raw, language))
    if lower.endswith((".yml", ".yaml")):
        return read_espanso(raw, language)
    raise ImportFailed([ImportProblem(None, "import a .csv file or an Espanso .yml match file")])


def save_imported(db, items: list[ImportedTemplate], *, now=None) -> list[str]:
    """Store the templates as personal templates, all in one transaction. An explicit id that
    already exists in the library is refused (nothing saved); missing ids are generated."""
    from assistant.collector import paused
    from assistant.templates import store

    given = [item.data.get("id") for item in items]
    # 20,000 templates make about a million objects, none in a cycle: the collector's full
    # passes over them (and over the app's own), taken on this thread while holding the
    # GIL, made the GUI thread wait 20-30 ms each (issue 18); put off until the write is done
    with paused(), db.atomic():
        used = store.ids_in_use(db, [tid for tid in given if tid])
        problems = [ImportProblem(item.line, f"a template with the id '{tid}' already exists")
                    for item, tid in zip(items, given) if tid in used]
        if problems:
            raise ImportFailed(problems)
        fresh = iter(store.new_personal_ids(db, [item.title for item, tid in zip(items, given) if not tid],
                                            reserved={tid for tid in given if tid}))
        templates = [Template.from_dict({**item.data, "id": tid or next(fresh)}, origin="personal")
                     for item, tid in zip(items, given)]
        store.add_personal(db, templates, now=now)
    return [template.id for template in templates]
