"""``assistant templates ...``: search, render, list, import, export and the usage report.

    templates search "refund" [--tag T] [--lang es] [--limit N] [--json]
    templates render ID [--lang es] [--set name=value ...] [--section id=on|off ...]
                     [--customer "Ana, +34 612 345 678" | "Spain" | "Europe/Madrid"] [--zone Z]
                     [--at 2026-01-15T14:00Z] [--json]
    templates list [--json]
    templates import FILE [--language en] [--dry-run] [--json]
                                 (CSV: all or nothing; Espanso .yml: what can be, the rest
                                  listed by line and reason; --dry-run previews, writes nothing)
    templates export FILE                                (personal templates as a pack file)
    templates usage [--json | --csv]                     (usage counts, for the team lead)

``render --json`` prints ``text`` and ``unresolved`` (placeholders left visible), plus the
language used, whether it was a fallback, and required values still missing. ``--set name=``
sets the customer's name unless the template has its own ``name`` placeholder.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from assistant.cli import CommandError, counted, emit_json, open_runtime


def register(subparsers) -> None:
    parser = subparsers.add_parser("templates", help="reply templates: search, render, import, export")
    sub = parser.add_subparsers(dest="templates_command", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("search", help="find templates as the Replies panel does")
    p.add_argument("query")
    p.add_argument("--tag")
    p.add_argument("--lang", help="only templates with this language")
    p.add_argument("--limit", type=counted, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("render", help="fill a template for a customer")
    p.add_argument("template_id")
    p.add_argument("--lang", help="the reply language (default: the customer's)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a value for a placeholder (repeatable)")
    p.add_argument("--section", action="append", default=[], metavar="ID=on|off",
                   help="tick an optional section in or out (repeatable)")
    p.add_argument("--customer", help='phone number, country, city or time zone, optionally '
                                      'after a name ("Ana, +34 612 345 678")')
    p.add_argument("--zone", help="the customer's zone when --customer maps to several")
    p.add_argument("--at", help="instant, ISO-8601 with an offset (default: now)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_render)

    p = sub.add_parser("list", help="every template in the library")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("import", help="import personal templates from CSV or an Espanso file")
    p.add_argument("file")
    p.add_argument("--language", default="en", help="language of rows that name none")
    p.add_argument("--dry-run", action="store_true",
                   help="show what would be imported and skipped, and write nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="export personal templates as a pack file")
    p.add_argument("file")
    p.add_argument("--pack-id", default="personal")
    p.add_argument("--title", default="My templates")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("usage", help="how often each template was used (for the team lead)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true")
    group.add_argument("--csv", action="store_true")
    p.set_defaults(handler=cmd_usage)


def _library_runtime(args):
    from assistant.packs.starter import StarterPackError, ensure_starter_pack

    runtime = open_runtime(args)
    try:
        ensure_starter_pack(runtime.db, policy=runtime.policy)
    except StarterPackError as exc:  # a packaging bug: the library still works without it
        print(f"assistant: {exc}", file=sys.stderr)
    return runtime


def cmd_search(args) -> int:
    from assistant.templates import store
    from assistant.templates.search import SearchIndex

    runtime = _library_runtime(args)
    try:
        entries = store.library(runtime.db)
        index = SearchIndex(e.template for e in entries)
        index.set_usage(store.usage(runtime.db), datetime.now(timezone.utc))
        hits = index.search(args.query, tag=args.tag, language=args.lang, limit=max(1, args.limit))
    finally:
        runtime.close()
    by_id = {e.id: e for e in entries}
    rows = [{"id": h.template_id, "title": by_id[h.template_id].template.title,
             "layer": by_id[h.template_id].layer} for h in hits]
    if args.json:
        emit_json(rows)
    else:
        for row in rows:
            print(f"{row['id']}\t{row['title']}")
    return 0


def _parse_pairs(items: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"{option} {item!r}: write NAME=VALUE.")
        pairs[name.strip()] = value
    return pairs


def _customer(args, db):
    """--customer/--zone read as the customer bar reads them (assistant.customer.session)."""
    from assistant.clock.errors import ClockError
    from assistant.customer import session

    try:
        return session.read_customer(args.customer, db, zone=args.zone)
    except ClockError as exc:
        raise CommandError(f"--customer {args.customer!r}: {exc}" if args.customer else str(exc)) from exc


def cmd_render(args) -> int:
    from assistant.cli.customer import parse_instant
    from assistant.templates import store
    from assistant.templates.compose import compose
    from assistant.templates.render import placeholders
    from assistant.templates.values import Profile

    values = _parse_pairs(args.set, "--set")
    sections = {}
    for name, value in _parse_pairs(args.section, "--section").items():
        if value.lower() not in ("on", "off", "yes", "no", "true", "false", "1", "0"):
            raise CommandError(f"--section {name}={value}: use on or off.")
        sections[name] = value.lower() in ("on", "yes", "true", "1")
    at = parse_instant(args.at)
    runtime = _library_runtime(args)
    try:
        customer = _customer(args, runtime.db)
        entry = store.get_entry(runtime.db, args.template_id)
        if entry is None:
            raise CommandError(f"There is no template '{args.template_id}'. "
                               f"Find one with: assistant templates search \"...\"")
        profile = Profile.from_settings(runtime.db)
    finally:
        runtime.close()
    template = entry.template
    used = {n for v in template.variants.values() for n in placeholders(v.body)}
    if "name" in values and "name" not in used and "name" not in template.variables:
        values["customer_name"] = values.pop("name")
    unknown_sections = set(sections) - {s.id for s in template.sections}
    if unknown_sections:
        raise CommandError(f"The template has no section {', '.join(sorted(unknown_sections))}.")
    reply = compose(template, at=at, customer=customer, language=args.lang, values=values,
                    sections=sections, profile=profile)
    if args.json:
        emit_json({"id": template.id, "title": reply.title, "language": reply.language,
                   "fallback": reply.is_fallback, "text": reply.text,
                   "unresolved": reply.unresolved, "missing_required": reply.missing_required})
    else:
        print(reply.text)
        if reply.unresolved:
            print(f"unresolved: {', '.join(reply.unresolved)}", file=sys.stderr)
    return 0


def cmd_list(args) -> int:
    from assistant.templates import store

    runtime = _library_runtime(args)
    try:
        rows = [{"id": e.id, "title": e.template.title, "layer": e.layer, "pack_id": e.pack_id,
                 "languages": e.template.languages, "shortcut": e.template.shortcut,
                 "tags": e.template.tags} for e in store.library(runtime.db)]
    finally:
        runtime.close()
    if args.json:
        emit_json(rows)
    else:
        for row in rows:
            print(f"{row['id']}\t{row['title']}\t{','.join(row['languages'])}")
    return 0


def cmd_import(args) -> int:
    from assistant.templates.importers import ImportFailed, read_path, save_imported

    path = Path(args.file)
    try:
        plan = read_path(path, args.language)
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    except ImportFailed as exc:
        raise CommandError(f"{path}: {exc}") from exc
    skipped = [{"line": p.line, "reason": p.message} for p in plan.skipped]
    if args.dry_run:  # the file is read, the database not even opened
        if args.json:
            emit_json({"dry_run": True, "skipped": skipped, "would_import": [
                {"line": i.line, "title": i.title, "shortcut": i.data.get("shortcut")} for i in plan.items]})
        else:
            print(plan.preview(limit=len(plan.skipped)))
            print("Nothing was written (--dry-run).")
        return 0
    runtime = open_runtime(args)
    try:
        ids = save_imported(runtime.db, plan.items)
    except ImportFailed as exc:
        raise CommandError(f"{path}: {exc}") from exc
    finally:
        runtime.close()
    if args.json:
        emit_json({"imported": ids, "skipped": skipped})
    else:
        print(f"Imported {len(ids)} templates from {path}.")
        for problem in plan.skipped:
            print(f"  skipped {problem}")
    return 0


def cmd_export(args) -> int:
    from assistant.packs.build import write_personal_pack
    from assistant.templates.export import ExportError

    runtime = open_runtime(args)
    try:
        count = write_personal_pack(runtime.db, Path(args.file), pack_id=args.pack_id, title=args.title)
    except ExportError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        runtime.close()
    print(f"Exported {count} templates to {args.file}.")
    return 0


def cmd_usage(args) -> int:
    from assistant.templates import store
    from assistant.templates.export import usage_csv

    runtime = _library_runtime(args)
    try:
        rows = store.usage_report(runtime.db)
        text = usage_csv(runtime.db) if args.csv else ""
    finally:
        runtime.close()
    if args.json:
        emit_json(rows)
    elif args.csv:
        sys.stdout.write(text)
    else:
        for row in rows:
            print(f"{row['count']:>6}  {row['last_used'] or '-':<25}  {row['id']}")
    return 0
