"""Render every panel and dialog in every UI language, offscreen, for review:
screenshots/<lang>/<panel>.png (Arabic right-to-left, Hindi in Devanagari).

    .venv/bin/python tools/screenshots.py                 # all languages
    .venv/bin/python tools/screenshots.py --languages ar hi
    .venv/bin/python tools/screenshots.py --readme        # also refresh docs/screenshots/

Non-Latin scripts need fonts: on Debian `apt-get install fonts-noto-core fonts-noto-cjk`.
Runs against a temporary data folder with a sample customer and a few tasks; nothing of the
user's data is read or written."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# The README shows these (language, image) pairs; --readme copies them to docs/screenshots/.
README_SHOTS = [("en", "culture"), ("en", "replies"), ("en", "queue"), ("en", "translate"), ("en", "settings"),
                ("ar", "culture"), ("hi", "queue"), ("de", "replies")]
SAMPLE_PHONE = "+81 3-1234-5678"  # a customer in Tokyo: clock, card, language all follow
WINDOW_SIZE = (460, 780)


def _settle(app, seconds: float = 0.6) -> None:
    """Let panels finish their background loads so the picture shows real content."""
    from PySide6.QtCore import QThreadPool

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(50)
        time.sleep(0.02)
    app.processEvents()


def _sample_data(runtime) -> None:
    """A few tasks so the queue is not empty (best effort: features may still be landing)."""
    try:
        from assistant.customer import CustomerContext
        from assistant.tasks.model import Task
        from assistant.tasks.store import TaskStore

        now = datetime.now(timezone.utc).replace(microsecond=0)
        store = TaskStore(runtime.db)
        customers = [
            CustomerContext(name="Yuki Tanaka", country="JP", zone="Asia/Tokyo", language="ja"),
            CustomerContext(name="Ana Souza", country="BR", zone="America/Sao_Paulo", language="pt_BR"),
            CustomerContext(name="Omar Haddad", country="EG", zone="Africa/Cairo", language="ar"),
        ]
        for index, (title, priority, customer) in enumerate([
                ("Call back about the refund", "urgent", customers[0]),
                ("Send the replacement tracking number", "high", customers[1]),
                ("Confirm the invoice address", "normal", customers[2])]):
            store.add(Task(title=title, priority=priority, channel="call", customer=customer,
                           created_at=now - timedelta(hours=5 - index),
                           follow_up_at=now + timedelta(hours=index + 1)), now=now)
    except Exception as exc:  # a screenshot run must not die on a feature still in progress
        print(f"(sample tasks skipped: {exc})", file=sys.stderr)


def shoot_language(app, language: str, out: Path) -> list[Path]:
    from assistant import i18n
    from assistant.runtime import start
    from ui.context import CustomerContextHolder
    from ui.main_window import MainWindow
    from ui.qt_i18n import install_qt_translations
    from ui.services import AppServices

    used = i18n.set_language(language)
    app.setLayoutDirection(__import__("PySide6.QtCore").QtCore.Qt.RightToLeft if i18n.is_rtl(used)
                           else __import__("PySide6.QtCore").QtCore.Qt.LeftToRight)
    install_qt_translations(app, used)
    folder = out / used
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="aa-shots-") as tmp:
        os.environ["AGENT_ASSISTANT_HOME"] = str(Path(tmp) / "data")
        runtime = start()
        try:
            try:
                from assistant.packs.starter import ensure_starter_pack

                ensure_starter_pack(runtime.db, policy=runtime.policy)
            except Exception as exc:
                print(f"(starter pack skipped: {exc})", file=sys.stderr)
            _sample_data(runtime)
            services = AppServices(runtime, CustomerContextHolder())
            window = MainWindow(services)
            window._quitting = True
            window.resize(*WINDOW_SIZE)
            window.show()
            window.start_deferred()  # what the app does right after the first paint
            _settle(app, 1.0)
            bar = window.customer_bar
            if hasattr(bar, "apply_text"):
                bar.input.setText(SAMPLE_PHONE)
                bar.apply_text(SAMPLE_PHONE)
            _settle(app, 1.0)
            for index, panel in enumerate(window.panels):
                window.show_panel(index)
                _settle(app, 0.8)
                path = folder / f"{panel.panel_id}.png"
                window.grab().save(str(path))
                written.append(path)
            window.compact_action.setChecked(True)  # compact mode: the one-line bar
            _settle(app, 0.4)
            path = folder / "compact.png"
            window.grab().save(str(path))
            written.append(path)
            window.compact_action.setChecked(False)
            if hasattr(bar, "apply_text"):  # a Spanish mobile: the likely clock, the other a chip
                window.show_panel(0)
                bar.apply_text("Ana, +34 612 345 678")
                _settle(app, 0.8)
                path = folder / "customer-likely-zone.png"
                window.grab().save(str(path))
                written.append(path)
                try:  # two pinned customers for the hour grid
                    services.session.pin()
                    services.session.pin(services.session.read(SAMPLE_PHONE).context)
                except Exception as exc:
                    print(f"(pins skipped: {exc})", file=sys.stderr)
            written += _dialogs(app, window, services, folder)
            services.pool.waitForDone(10_000)
            _settle(app, 0.2)
            window.close()
            window.deleteLater()
            _settle(app, 0.1)
        finally:
            runtime.close()
    return written


def _dialogs(app, window, services, folder: Path) -> list[Path]:
    from ui.about import AboutDialog
    from ui.palette import CommandPalette
    from ui.settings_dialog import SettingsDialog

    from ui.hour_grid import HourGridDialog
    from ui.pack_editor import PackEditor
    from ui.packs_dialog import PacksDialog

    written = []
    for name, dialog in (("settings", SettingsDialog(services, window)), ("about", AboutDialog(window)),
                         ("palette", CommandPalette(window.commands(), window)),
                         ("packs", PacksDialog(services, window)), ("pack-editor", PackEditor(services, window)),
                         ("hour-grid", HourGridDialog(services, window))):
        dialog.show()
        dialog.adjustSize()
        if name == "hour-grid":
            dialog.resize(WINDOW_SIZE[0], 560)
            _settle(app, 0.1)
        if name.startswith("pack"):  # at the companion's width, beside the CRM (twice: the
            for _step in range(2):      # first narrowing stacks the halves, as a drag does)
                dialog.resize(WINDOW_SIZE[0], dialog.height())
                _settle(app, 0.1)
        _settle(app, 0.3)
        path = folder / f"{name}.png"
        dialog.grab().save(str(path))
        written.append(path)
        dialog.close()
        dialog.deleteLater()
    return written


def main(argv: list[str] | None = None) -> int:
    from assistant.i18n import SUPPORTED

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="*", default=list(SUPPORTED), choices=SUPPORTED)
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    parser.add_argument("--readme", action="store_true", help="copy the README's pictures to docs/screenshots/")
    args = parser.parse_args(argv)

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.pop("AGENT_ASSISTANT_POLICY", None)  # a user file could only tighten
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Agent Assistant")
    for language in args.languages:
        paths = shoot_language(app, language, args.out)
        print(f"{language}: {len(paths)} screenshots in {args.out / language}")
    if args.readme:
        target = REPO / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        for language, name in README_SHOTS:
            source = args.out / language / f"{name}.png"
            if source.is_file():
                shutil.copyfile(source, target / f"{language}-{name}.png")
        print(f"README screenshots in {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
