"""``assistant settings list|get|set|reset``: the declared settings (assistant.settings), read
and changed through the same registry as the settings dialog, so the same values are refused.

    settings list [--all] [--json]     every setting: value, default, description, problems
    settings get KEY                   the value as JSON
    settings set KEY VALUE             VALUE as JSON, or as plain text when it is not JSON
    settings reset KEY                 back to the default

A running app sees a change within a second. A setting the deployment policy decides is
refused here rather than stored to no effect.
"""

from __future__ import annotations

import json

from assistant.cli import CommandError, emit_json, open_runtime


def register(subparsers) -> None:
    parser = subparsers.add_parser("settings", help="list, read and change settings")
    sub = parser.add_subparsers(dest="settings_command", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("list", help="every setting with its value, default and description")
    p.add_argument("--all", action="store_true", help="also the ones the app keeps for itself")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("get", help="one setting's value, as JSON")
    p.add_argument("key")
    p.set_defaults(handler=cmd_get)

    p = sub.add_parser("set", help="change a setting (the value is checked first)")
    p.add_argument("key")
    p.add_argument("value", help='JSON (true, 7, "text", {...}) or plain text, e.g. Europe/Paris')
    p.set_defaults(handler=cmd_set)

    p = sub.add_parser("reset", help="forget a setting: its default applies again")
    p.add_argument("key")
    p.set_defaults(handler=cmd_reset)


def _spec(key: str):
    from assistant import settings

    try:
        return settings.spec(key)
    except settings.SettingError as exc:
        raise CommandError(str(exc)) from exc


def setting_rows(runtime, include_internal: bool = False) -> list[dict]:
    from assistant import settings

    rows = []
    for setting in settings.declared(include_internal):
        value = settings.get(runtime.db, setting.key)
        rows.append({
            "key": setting.key, "group": setting.group, "value": value, "default": setting.default,
            "is_set": settings.is_set(runtime.db, setting.key),
            "description": setting.description,
            "problem": settings.problem(runtime.db, setting.key),
            "policy": setting.policy_note(runtime.policy, value),
        })
    return rows


def cmd_list(args) -> int:
    runtime = open_runtime(args)
    try:
        rows = setting_rows(runtime, args.all)
    finally:
        runtime.close()
    if args.json:
        emit_json(rows)
        return 0
    for row in rows:
        value = json.dumps(row["value"], ensure_ascii=False)
        mark = "" if row["is_set"] else "  (default)"
        print(f"{row['key']} = {value}{mark}")
        print(f"    {row['description']}")
        for note in (row["problem"], row["policy"]):
            if note:
                print(f"    note: {note}")
    return 0


def cmd_get(args) -> int:
    from assistant import settings

    _spec(args.key)
    runtime = open_runtime(args)
    try:
        emit_json(settings.get(runtime.db, args.key))
    finally:
        runtime.close()
    return 0


def parse_value(text: str):
    """JSON when it parses, else the text itself (so ``Europe/Paris`` needs no quotes)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def cmd_set(args) -> int:
    from assistant import settings

    setting = _spec(args.key)
    value = parse_value(args.value)
    runtime = open_runtime(args)
    try:
        try:
            stored = settings.validate(args.key, value)
        except settings.SettingError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        note = setting.policy_note(runtime.policy, stored)
        if note:
            raise CommandError(f"{args.key}: {note}. Nothing was changed.")
        settings.put(runtime.db, args.key, value)
        emit_json(settings.get(runtime.db, args.key))
    finally:
        runtime.close()
    return 0


def cmd_reset(args) -> int:
    from assistant import settings

    _spec(args.key)
    runtime = open_runtime(args)
    try:
        settings.reset(runtime.db, args.key)
        emit_json(settings.get(runtime.db, args.key))
    finally:
        runtime.close()
    return 0
