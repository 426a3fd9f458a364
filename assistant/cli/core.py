"""Core commands: ``doctor``, ``self-test`` and ``backup``."""

from __future__ import annotations

from pathlib import Path

from assistant.cli import CommandError, emit_json, open_runtime


def register(subparsers) -> None:
    doctor = subparsers.add_parser("doctor", help="check the installation and the data")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(handler=cmd_doctor)

    self_test = subparsers.add_parser(
        "self-test", help="check this installation end to end, offscreen, on a temporary data folder")
    self_test.set_defaults(handler=cmd_self_test)

    backup = subparsers.add_parser("backup", help="list, take or restore database backups")
    sub = backup.add_subparsers(dest="backup_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="list backups, newest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_backup_list)
    p = sub.add_parser("now", help="take a backup now")
    p.set_defaults(handler=cmd_backup_now)
    p = sub.add_parser("restore", help="replace the database by a backup (the current one is kept)")
    p.add_argument("file", help="backup file (see 'assistant backup list')")
    p.set_defaults(handler=cmd_backup_restore)


def doctor_report(runtime) -> dict:
    from assistant.storage import notices
    from assistant.storage.database import check_integrity, mark_damaged, schema_version
    from assistant.versions import component_versions

    policy = runtime.policy
    report = {
        "data_dir": str(runtime.data_dir.path),
        "data_dir_source": runtime.data_dir.source,
        "data_dir_ignored": runtime.data_dir.ignored,
        "database": str(runtime.data_dir.database),
        "integrity": check_integrity(runtime.data_dir.database, full=True),
        "schema_version": schema_version(runtime.db),
        "notices": runtime.opened.notices,  # what this run did (moved aside)
        "database_events": [  # kept for the window: moved aside, restored (the newest 20)
            f"{n.at} {n.text}" + ("" if n.shown else " (not shown in the window yet)")
            for n in notices.all_notices(runtime.db)],
        "versions": component_versions(),
        "translation_models": installed_models(runtime),
        "card_problems": card_problems(runtime),
        "policy": policy.describe(),
        "network": ("downloads allowed, only when the user asks for one" if policy.allow_downloads
                    else "none: no code path opens a network connection"),
        "log_file": str(runtime.log_file) if runtime.log_file else None,
    }
    if report["integrity"] != "ok":  # as damage found in use: the next open checks again first
        mark_damaged(runtime.data_dir.database, report["integrity"])
    return report


def card_problems(runtime) -> list[str]:
    """Etiquette cards (shipped or from packs) that failed validation and are not shown."""
    from assistant.countries.cards import load_cards, pack_card_problems

    return [str(p) for p in (*load_cards().problems, *pack_card_problems(runtime.db))]


def installed_models(runtime) -> list[str]:
    try:
        from assistant.translation.packages import list_installed
    except ImportError:
        return []
    return [str(p) for p in list_installed(runtime)]


def cmd_doctor(args) -> int:
    runtime = open_runtime(args)
    try:
        report = doctor_report(runtime)
    finally:
        runtime.close()
    if args.json:
        emit_json(report)
    else:
        for key, value in report.items():
            if key == "policy":
                print_policy(value)
            elif isinstance(value, dict):
                print(f"{key}:")
                for k, v in value.items():
                    print(f"  {k}: {v}")
            elif isinstance(value, list):
                print(f"{key}: {', '.join(map(str, value)) or '(none)'}")
            else:
                print(f"{key}: {value}")
    return 0 if report["integrity"] == "ok" and not report["policy"]["errors"] else 1


def print_policy(described: dict) -> None:
    """Every place a policy was looked for, then each key's value in force and its file."""
    print("policy:")
    for source in described["files"]:
        line = f"  {source['kind']} file {source['path']}: {source['status']}"
        if source["ignored"]:
            line += f" (ignored, a user file cannot set: {', '.join(source['ignored'])})"
        print(line)
    print(f"  errors: {described['errors'] or '(none)'}")
    for key, entry in described["effective"].items():
        origin = entry["from"]
        print(f"  {key}: {entry['value']}  [{', '.join(origin) if isinstance(origin, list) else origin}]")


def cmd_self_test(args) -> int:
    """The desktop app's own check (ui/selftest.py: window, card, templates, the test model, a
    task), the same in a checkout, a wheel and the bundle. It needs the UI, so it is the one
    command that imports it, and only here."""
    try:
        from ui.selftest import main as self_test
    except ImportError as exc:
        raise CommandError(f"the self-test needs the desktop app, which is not installed here ({exc})") from exc
    return self_test()


def cmd_backup_list(args) -> int:
    from assistant.storage.backup import list_backups
    from assistant.paths import resolve_data_dir

    from assistant.policy import load_policy

    backups = list_backups(resolve_data_dir(args.data_dir, load_policy().data_dir).backups)
    if args.json:
        emit_json([{"file": str(p), "bytes": p.stat().st_size} for p in backups])
    else:
        for p in backups:
            print(p)
    return 0


def cmd_backup_now(args) -> int:
    from assistant.storage.backup import rolling_backup

    runtime = open_runtime(args)
    try:
        made = rolling_backup(runtime.db.conn, runtime.data_dir.backups, min_interval_s=0)
    finally:
        runtime.close()
    print(made)
    return 0


def cmd_backup_restore(args) -> int:
    from assistant.paths import resolve_data_dir
    from assistant.policy import load_policy
    from assistant.storage.backup import BackupError, restore

    data_dir = resolve_data_dir(args.data_dir, load_policy().data_dir)
    try:
        saved = restore(Path(args.file), data_dir.database, data_dir.backups)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"Restored {data_dir.database} from {args.file}.")
    if saved:
        print(f"The database it replaced was kept as {saved}.")
    return 0
