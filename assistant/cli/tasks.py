"""``assistant tasks …``: the task queue without the window (add, list, done, snooze,
export, import)."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from assistant.cli import CommandError, counted, emit_json, open_runtime, row_id


def register(subparsers) -> None:
    tasks = subparsers.add_parser("tasks", help="the prioritised task queue")
    sub = tasks.add_subparsers(dest="tasks_command", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("add", help="add a task")
    p.add_argument("title")
    p.add_argument("--priority", default="normal", help="urgent, high, normal (default) or low")
    p.add_argument("--customer", help='the customer: phone number, country, city or time zone, '
                                      'optionally after a name ("Ana, +34 612 345 678")')
    p.add_argument("--zone", help="the customer's time zone when --customer fits several")
    p.add_argument("--name", help="the customer's name (instead of a name in --customer)")
    p.add_argument("--follow-up", dest="follow_up",
                   help='when to follow up: "YYYY-MM-DDTHH:MM", "in 2h", "tomorrow 10:00"…')
    p.add_argument("--customer-time", action="store_true",
                   help="read --follow-up in the customer's time zone (default: yours)")
    p.add_argument("--fold", type=int, choices=(0, 1),
                   help="for a time that happens twice (clocks going back): 0 first, 1 second")
    p.add_argument("--channel", help="call, chat, email or ticket")
    p.add_argument("--ref", help="ticket id or CRM link")
    p.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    p.add_argument("--notes", default="")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_add)

    p = sub.add_parser("list", help="list tasks, most urgent first (as in the app)")
    p.add_argument("--view", default="active",
                   choices=("now", "upcoming", "waiting", "done", "active", "all"),
                   help="which tasks (default: every task not done)")
    p.add_argument("--search", default="")
    p.add_argument("--tag")
    p.add_argument("--channel")
    p.add_argument("--country")
    p.add_argument("--customer")
    p.add_argument("--limit", type=counted, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("done", help="mark a task done")
    p.add_argument("id", type=row_id)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_done)

    p = sub.add_parser("snooze", help="hide a task until a time (its SLA keeps running)")
    p.add_argument("id", type=row_id)
    p.add_argument("until", help='"in 2h", "tomorrow 09:00", ISO-8601…')
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_snooze)

    p = sub.add_parser("export", help="write every task as CSV or JSON")
    p.add_argument("--format", choices=("csv", "json"), default="json")
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("settings", help="show the queue settings, or change one part")
    p.add_argument("part", nargs="?", choices=("schedule", "sla", "urgency", "notifications"))
    p.add_argument("value", nargs="?", help='JSON merged over the defaults, e.g. \'{"zone": "Europe/Paris"}\'; '
                                            '"default" removes the stored value')
    p.set_defaults(handler=cmd_settings)

    p = sub.add_parser("import", help="add tasks from a CSV or JSON export (all or nothing)")
    p.add_argument("file")
    p.add_argument("--format", choices=("csv", "json"), help="default: from the file name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _store(runtime):
    from assistant.tasks import config
    from assistant.tasks.store import TaskStore

    for problem in config.problems(runtime.db):  # the defaults apply meanwhile
        print(f"assistant: ignoring an invalid queue setting, the default applies: {problem}",
              file=sys.stderr)
    return TaskStore(runtime.db)


def read_customer(args, db):
    """--customer/--zone/--name read as the customer bar reads them (assistant.customer.session):
    "Name, phone" works, national numbers use the default region; the task keeps a snapshot."""
    from assistant.clock.errors import ClockError
    from assistant.plaintext import quoted
    from assistant.customer import session

    try:
        context = session.read_customer(args.customer, db, zone=args.zone, name=args.name)
    except ClockError as exc:
        raise CommandError(f"--customer: {exc}" if args.customer else str(exc)) from exc
    if context.needs_zone_choice:
        raise CommandError(f"{quoted(args.customer)} has several time zones ({', '.join(context.zones)}); "
                           f"add --zone with one of them.")
    if context.zone_likely:  # the customer bar's rule: the most likely clock, said out loud
        others = ", ".join(z for z in context.zones if z != context.zone)
        print(f"{quoted(args.customer)}: time zone {context.zone}, the most likely of several; "
              f"add --zone for another ({others}).", file=sys.stderr)
    return session.for_task(context)


def task_json(task, ranked_score=None, now=None) -> dict:
    from assistant.tasks.exchange import task_record

    record = task_record(task)
    if ranked_score is not None:
        record["urgency"] = round(ranked_score.total, 3)
        record["breached"] = ranked_score.breached
        record["why"] = [{"term": t.name, "value": round(t.value, 3), "detail": t.detail}
                         for t in ranked_score.terms]
    return record


def _print_task(task, score, now, agent_zone) -> None:
    from assistant.tasks.present import both_times, countdown

    flag = "!" if score.breached else " "
    when = countdown(task, now)
    who = task.customer.name or task.customer.phone or task.customer.country or ""
    print(f"{flag}{task.id:>6}  {task.priority:<6}  {score.total:6.1f}  {when:<24}  {task.title}"
          + (f"  [{who}]" if who else ""))
    if task.follow_up_at:
        print(f"{'':>8}follow-up {both_times(task.follow_up_at, agent_zone, task.customer.zone)}")


def cmd_add(args) -> int:
    from assistant.tasks.model import Task, TaskError
    from assistant.tasks.timephrase import parse_time_phrase

    runtime = open_runtime(args)
    try:
        customer = read_customer(args, runtime.db)
        store = _store(runtime)
        now = _now()
        follow_up = None
        if args.follow_up:
            try:
                follow_up = parse_time_phrase(
                    args.follow_up, now, store.config.agent_zone, customer.zone,
                    default_side="customer" if args.customer_time else "agent",
                    fold=args.fold).instant
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        elif args.customer_time:
            raise CommandError("--customer-time reads --follow-up; give --follow-up too.")
        try:
            task = store.add(Task(title=args.title, priority=args.priority, customer=customer,
                                  follow_up_at=follow_up, channel=args.channel,
                                  external_ref=args.ref, tags=tuple(args.tag), notes=args.notes), now)
        except TaskError as exc:
            raise CommandError(str(exc)) from exc
        score = store.urgency_model(now).score(task)
        if args.json:
            emit_json(task_json(task, score, now))
        else:
            _print_task(task, score, now, store.config.agent_zone)
    finally:
        runtime.close()
    return 0


def cmd_list(args) -> int:
    from assistant.tasks.store import Filters

    runtime = open_runtime(args)
    try:
        store = _store(runtime)
        now = _now()
        try:
            ranked = store.view(args.view, now, Filters(
                text=args.search, tag=args.tag, channel=args.channel, customer=args.customer,
                country=args.country), limit=args.limit)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if args.json:
            emit_json([task_json(r.task, r.score, now) for r in ranked])
        else:
            for r in ranked:
                _print_task(r.task, r.score, now, store.config.agent_zone)
    finally:
        runtime.close()
    return 0


def _change(args, action) -> int:
    from assistant.tasks.store import TaskNotFound

    runtime = open_runtime(args)
    try:
        store = _store(runtime)
        now = _now()
        try:
            task = action(store, now)
        except TaskNotFound as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if args.json:
            emit_json(task_json(task))
        else:
            print(f"{task.id}: {task.title} ({task.status})")
    finally:
        runtime.close()
    return 0


def cmd_done(args) -> int:
    return _change(args, lambda store, now: store.mark_done(args.id, now))


def cmd_snooze(args) -> int:
    from assistant.tasks.timephrase import parse_time_phrase

    def snooze(store, now):
        task = store.get(args.id)
        until = parse_time_phrase(args.until, now, store.config.agent_zone, task.customer.zone).instant
        return store.snooze(args.id, until, now)

    return _change(args, snooze)


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def cmd_export(args) -> int:
    from assistant.tasks.exchange import export_tasks

    runtime = open_runtime(args)
    try:
        text = export_tasks(_store(runtime), args.format)
    finally:
        runtime.close()
    if args.output:
        try:
            _write_atomically(Path(args.output), text)
        except OSError as exc:
            raise CommandError(f"Cannot write {args.output}: {exc.strerror or exc}") from exc
    elif sys.stdout.isatty() or not hasattr(sys.stdout, "buffer"):
        sys.stdout.write(text)
    else:  # the exact bytes: no newline translation of line breaks inside fields
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


def cmd_import(args) -> int:
    from assistant.tasks.exchange import MAX_IMPORT_BYTES, TaskImportError, import_tasks

    path = Path(args.file)
    fmt = args.format or path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "json"):
        raise CommandError(f"Cannot tell the format of {path.name}; add --format csv or --format json.")
    try:
        # newline="": line breaks inside CSV fields (CR, LF, CRLF) arrive as they were written
        with path.open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read(MAX_IMPORT_BYTES + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    if len(text) > MAX_IMPORT_BYTES:
        raise CommandError(f"{path.name} is larger than {MAX_IMPORT_BYTES // 1024**2} MB; nothing was imported.")
    runtime = open_runtime(args)
    try:
        try:
            result = import_tasks(_store(runtime), text, fmt, progress=import_progress(sys.stderr))
        except TaskImportError as exc:
            raise CommandError(f"{path.name}: {exc} Nothing was imported.") from exc
    finally:
        runtime.close()
    if args.json:
        emit_json({"added": result.added, "replaced": result.replaced})
    else:
        print(f"Imported {result.added} new task(s), replaced {result.replaced}.")
    return 0


def import_progress(stream):
    """A progress callback for ``import_tasks`` that shows how far it is on ``stream``: one
    line rewritten in place on a terminal, a line per batch otherwise (a log keeps them)."""
    from assistant.tasks.exchange import PARSING

    live = stream.isatty()

    def progress(phase: str, done: int, total: int | None) -> None:
        if phase == PARSING:
            text = f"Checked {done:,} tasks…"
        else:
            text = f"Writing: {done:,} of {total:,} tasks ({done * 100 // max(total, 1)}%)"
        if live:
            stream.write("\r" + text.ljust(48) + ("\n" if phase != PARSING and done == total else ""))
        else:
            stream.write(text + "\n")
        stream.flush()

    return progress


def cmd_settings(args) -> int:
    """Print the effective settings (defaults merged with what is stored); with a part and
    a value, validate the value first and store it only if it is valid."""
    import json

    from assistant import settings
    from assistant.tasks import config

    keys = {"schedule": config.SCHEDULE_KEY, "sla": config.SLA_KEY, "urgency": config.URGENCY_KEY,
            "notifications": config.NOTICES_KEY}
    runtime = open_runtime(args)
    try:
        db = runtime.db
        if args.value is not None:
            if args.part is None:
                raise CommandError("Name the part to change: schedule, sla, urgency or notifications.")
            key = keys[args.part]
            if args.value == "default":
                settings.reset(db, key)
            else:
                try:
                    value = json.loads(args.value)
                except (ValueError, RecursionError) as exc:  # also too many digits, too deep
                    raise CommandError(f"The value is not JSON: {exc}") from exc
                try:
                    config.save(db, key, value)
                except config.SettingsError as exc:
                    raise CommandError(f"{exc} Nothing was changed.") from exc
        parts = [args.part] if args.part else list(keys)
        for key in (keys[part] for part in parts):
            if settings.problem(db, key):
                print(f"assistant: ignoring an invalid queue setting, the default applies: "
                      f"{settings.problem(db, key)}", file=sys.stderr)
        emit_json({part: config.load(db, keys[part]) for part in parts})
    finally:
        runtime.close()
    return 0
