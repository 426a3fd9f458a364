"""``assistant integration ...``: the app beside the agent's softphone and CRM.

    integration install [--phone-links] [--json]   register the agent-assistant: link handler
                                                   for this user (and tel:/callto: when asked)
    integration remove                             undo it
    integration status [--json]                    the link handler and the global shortcuts

``status --json`` prints ``{"link_handler": {...}, "shortcuts": [...]}``. See docs/integration.md.
"""

from __future__ import annotations

from assistant.cli import CommandError, emit_json, open_runtime


def register(subparsers) -> None:
    parser = subparsers.add_parser("integration",
                                   help="call pop links and global shortcuts: install, remove, status")
    sub = parser.add_subparsers(dest="integration_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("install", help="register the agent-assistant: link handler for this user")
    p.add_argument("--phone-links", action="store_true",
                   help="also offer the app for tel: and callto: links (the agent chooses it as handler)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_install)
    p = sub.add_parser("remove", help="unregister the link handler")
    p.set_defaults(handler=cmd_remove)
    p = sub.add_parser("status", help="the link handler and the global shortcuts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)


def _policy():
    from assistant.policy import load_policy

    return load_policy()


def _shortcuts(runtime) -> list[dict]:
    """The running app's global shortcuts, as it registered them (or not running)."""
    from assistant.integration.shortcuts import reported

    return reported(runtime.data_dir.path)


def _print_registration(found) -> None:
    state = "registered" if found.registered else "not registered"
    print(f"link handler: {state} ({found.platform})")
    for label, value in (("schemes", ", ".join(found.schemes) or "(none)"), ("where", found.location),
                         ("command", found.command), ("points at this installation", found.current),
                         ("default handler", found.default), ("allowed by policy", found.allowed_by_policy),
                         ("note", found.note)):
        if value not in (None, ""):
            print(f"  {label}: {value}")


def cmd_install(args) -> int:
    from assistant.integration.desktop import IntegrationError, install

    try:
        found = install(_policy(), args.phone_links)
    except IntegrationError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        emit_json(found.as_dict())
    else:
        _print_registration(found)
    return 0 if found.registered else 1


def cmd_remove(args) -> int:
    from assistant.integration.desktop import IntegrationError, remove

    try:
        removed = remove()
    except IntegrationError as exc:
        raise CommandError(str(exc)) from exc
    print("The link handler was removed." if removed else "No link handler was registered for this user.")
    return 0


def cmd_status(args) -> int:
    from assistant.integration.desktop import status

    found = status(_policy())
    runtime = open_runtime(args)
    try:
        shortcuts = _shortcuts(runtime)
    finally:
        runtime.close()
    if args.json:
        emit_json({"link_handler": found.as_dict(), "shortcuts": shortcuts})
        return 0
    _print_registration(found)
    print("shortcuts:" if shortcuts else "shortcuts: (none reported)")
    for entry in shortcuts:
        print(f"  {entry.get('action')}: {entry.get('chord')}"
              f" ({'registered' if entry.get('registered') else 'not registered'})")
    return 0
