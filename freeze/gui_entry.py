"""Frozen entry point of the bundle (``agent-assistant``): the desktop app, or with ``--cli``
as first argument the headless CLI (the ``assistant`` / ``assistant.cmd`` launchers beside it
call it that way). One executable for both keeps a single copy of the Python modules."""

import sys


def _attach_parent_console(sink_if_none: bool = True) -> None:
    """Windows builds are windowed (no console window for agents), so they start without
    stdout: in CLI mode borrow the console of the cmd.exe that started us."""
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    ATTACH_PARENT_PROCESS = -1
    if ctypes.windll.kernel32.AttachConsole(ATTACH_PARENT_PROCESS):
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")
        sys.stdin = open("CONIN$", "r", encoding="utf-8", errors="replace")
    elif sink_if_none:  # no console to attach to (started from Explorer): discard rather than crash
        import io

        sys.stdout = sys.stderr = io.StringIO()


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--cli":
        _attach_parent_console()
        from assistant.cli import main as cli_main

        return cli_main(sys.argv[2:])
    if sys.platform == "win32" and "--self-test" in sys.argv[1:]:
        # so the technician sees one line per check; without a console the self-test
        # writes its report to %TEMP%\\agent-assistant-selftest.txt instead
        _attach_parent_console(sink_if_none=False)
    from ui.app import main as app_main

    return app_main()


if __name__ == "__main__":
    raise SystemExit(main())
