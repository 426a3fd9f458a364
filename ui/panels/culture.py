"""Culture panel: the current customer's etiquette card first (compact, expandable), the
country's computed facts, and a search for any other country. Everything from cards, packs
and data is shown as plain text. Cards and notes from team packs follow the hall's
``packs_changed`` (a pack installed from anywhere shows here at once)."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from assistant.countries import presentation
from assistant.i18n import N_, _, current_language
from ui.panels.base import Panel
from ui.services import Command
from ui.widgets import plain_label
from ui.workers import run_in_pool

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
MAX_RESULTS = 8
REFRESH_MS = 60_000


def _minute_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M")


def _clear(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()


class _SectionsView(QWidget):
    """Titled plain-text sections (card details), laid out as labels so the scroll area
    around the panel sizes them to their text."""

    def __init__(self, object_name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.sections: list[tuple[str, str]] = []

    def set_sections(self, sections: list[tuple[str, str]]) -> None:
        if sections == self.sections:
            return
        self.sections = list(sections)
        _clear(self._layout)
        for title, text in sections:
            heading = plain_label(title)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            heading.setContentsMargins(0, 6, 0, 0)
            self._layout.addWidget(heading)
            self._layout.addWidget(plain_label(text))

    def text(self) -> str:
        return "\n\n".join(f"{t}\n{x}" for t, x in self.sections)


class _FactsView(QWidget):
    """Label/value rows of computed facts."""

    def __init__(self, object_name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self._grid.setColumnStretch(1, 1)
        self.rows: list[tuple[str, str]] = []
        self._labels: list[tuple[QLabel, QLabel]] = []  # (key, value) per row, made once

    def set_rows(self, rows: list[tuple[str, str]]) -> None:
        """Show ``rows``, keeping the labels already made: the minute's refresh changes one
        or two texts (the local time, the next holiday), a new customer most of them, and
        making all 28 labels again cost the GUI thread 10-40 ms (issue 18)."""
        if rows == self.rows:
            return
        self.rows = list(rows)
        for i, (label, value) in enumerate(rows):
            if i == len(self._labels):
                key, shown = plain_label(), plain_label()
                key.setWordWrap(False)
                font = key.font()
                font.setBold(True)
                key.setFont(font)
                self._grid.addWidget(key, i, 0, Qt.AlignTop)
                self._grid.addWidget(shown, i, 1, Qt.AlignTop)
                self._labels.append((key, shown))
            for widget, text in zip(self._labels[i], (label, value)):
                if widget.text() != text:
                    widget.setText(text)
                widget.setVisible(True)
        for pair in self._labels[len(rows):]:
            for widget in pair:
                widget.setVisible(False)

    def text(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows)


class CulturePanel(Panel):
    panel_id = "culture"
    title = N_("Culture")

    def __init__(self, services, parent=None):
        super().__init__(services, parent)
        self.customer_code: str | None = ""     # the current customer's country ("" = not read yet)
        self.shown_code: str | None = None      # the country on screen (customer's or searched)
        self.card: dict | None = None
        self.facts: dict | None = None
        self._facts_task = None
        self._facts_wanted: tuple | None = None
        self._facts_error = False
        self.notes_without_card: list[dict] = []
        self._facts_minute = ""
        self._expanded = False
        self._compact_mode = False
        self._search_warm = False
        self._build()
        services.customer.changed.connect(self._customer_changed)
        services.hall.packs_changed.connect(self._packs_changed)  # packs ship cards and notes
        self._customer_changed(services.customer.context)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)

        search_row = QHBoxLayout()
        self.search_box = QLineEdit()
        self.search_box.setObjectName("culture-search")
        self.search_box.setPlaceholderText(_("Search any country: name, code or capital"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName(_("Search countries"))
        search_row.addWidget(self.search_box, 1)
        self.back_button = QPushButton(_("Back to customer"))
        self.back_button.setObjectName("culture-back")
        self.back_button.setVisible(False)
        self.back_button.clicked.connect(self.show_customer_country)
        search_row.addWidget(self.back_button)
        outer.addLayout(search_row)

        self.results = QListWidget()
        self.results.setObjectName("culture-results")
        self.results.setAccessibleName(_("Countries found"))
        self.results.setVisible(False)
        self.results.itemActivated.connect(self._result_chosen)
        self.results.itemClicked.connect(self._result_chosen)
        outer.addWidget(self.results)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_facts)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self._search_enter)
        self.setFocusProxy(self.search_box)  # Ctrl+3 lands in the search

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)

        self.heading = plain_label("", "culture-heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        self.body_layout.addWidget(self.heading)
        self.context_note = plain_label("", "culture-context")
        self.body_layout.addWidget(self.context_note)

        self.compact_label = plain_label("", "culture-compact")
        self.compact_label.setFrameShape(QFrame.StyledPanel)
        self.compact_label.setMargin(8)
        self.body_layout.addWidget(self.compact_label)
        self.no_card_label = plain_label("", "culture-no-card")
        self.body_layout.addWidget(self.no_card_label)

        self.expand_button = QPushButton(_("Show the whole card"))
        self.expand_button.setObjectName("culture-expand")
        self.expand_button.setCheckable(True)
        self.expand_button.toggled.connect(self.set_expanded)
        self.body_layout.addWidget(self.expand_button, 0, Qt.AlignLeft)
        self.details = _SectionsView("culture-details")
        self.details.setVisible(False)
        self.body_layout.addWidget(self.details)

        self.tendencies = plain_label(_(presentation.TENDENCIES), "culture-tendencies")
        self.body_layout.addWidget(self.tendencies)

        self.facts_heading = plain_label(_("Facts"), "culture-facts-heading")
        bold = self.facts_heading.font()
        bold.setBold(True)
        self.facts_heading.setFont(bold)
        self.body_layout.addWidget(self.facts_heading)
        self.facts_view = _FactsView("culture-facts")
        self.facts_status = plain_label("", "culture-facts-status")
        self.body_layout.addWidget(self.facts_status)
        self.body_layout.addWidget(self.facts_view)
        self.body_layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self._render()

    # ------------------------------------------------------------------ panel API

    def commands(self) -> list[Command]:
        return [Command(_("Find a country's etiquette card…"), self.focus_search,
                        keywords="culture country etiquette card search")]

    @staticmethod
    def _summary(card: dict | None) -> str:
        """The card's first-ten-seconds summary in the UI language where translated; the
        rest of the card stays in English, and says so."""
        from assistant.countries.greeting import card_summary

        if not card:
            return ""
        language = current_language()
        summary, translated = card_summary(card, language)
        if language.split("_")[0] == "en":
            return summary
        if translated:
            return summary + "\n" + _("(The whole card is in English.)")
        return _("{summary} (in English)").format(summary=summary)

    def set_compact(self, compact: bool) -> None:
        self._compact_mode = compact
        self._render()

    def activated(self) -> None:
        self._ensure_facts()
        self._warm_search()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        stale = self.facts is not None and self._facts_minute != _minute_now()
        self._ensure_facts(force=stale)
        self._refresh_timer.start()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().hideEvent(event)
        self._refresh_timer.stop()  # nothing ticks while the panel is not on screen

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.ShortcutFocusReason)
        self.search_box.selectAll()
        self._warm_search()

    # ------------------------------------------------------------------ what is shown

    def _customer_changed(self, context) -> None:
        code = (getattr(context, "country", None) or "").upper() or None
        if code == self.customer_code:
            return  # same country (e.g. only the name changed): keep whatever is on screen
        self.customer_code = code
        # a new customer's country always comes first, even over a searched country
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.results.setVisible(False)
        self.show_country(code)

    def _packs_changed(self) -> None:
        """A pack brought, changed or took away a card or notes: show the country afresh."""
        expanded = self._expanded
        self.show_country(self.shown_code)
        self.set_expanded(expanded)

    def show_customer_country(self) -> None:
        self.search_box.clear()
        self.results.setVisible(False)
        self.show_country(self.customer_code)

    def show_country(self, code: str | None) -> None:
        from assistant.countries.cards import load_card, team_notes

        self.shown_code = code
        self.facts = None
        self._facts_error = False
        self.notes_without_card = []
        try:
            self.card = load_card(code, self.services.db) if code else None
            if code and self.card is None:
                self.notes_without_card = team_notes(code, self.services.db)
        except Exception:  # a broken pack table must not take the panel down  # noqa: BLE001
            log.exception("loading the card for %s failed", code)
            self.card = None
        self.set_expanded(False)
        self._render()
        self._ensure_facts()

    def set_expanded(self, expanded: bool) -> None:
        self._expanded = bool(expanded) and self.card is not None
        if self.expand_button.isChecked() != self._expanded:
            self.expand_button.blockSignals(True)
            self.expand_button.setChecked(self._expanded)
            self.expand_button.blockSignals(False)
        self._render()

    def _country_name(self, code: str) -> str:
        from assistant.countries.facts import country_name

        return country_name(code, current_language())

    def _render(self) -> None:
        code = self.shown_code
        language = current_language()
        if not code:
            self.heading.setText(_("No customer country yet"))
            self.context_note.setText(_("Set the customer (Ctrl+L) or search for any country above."))
        else:
            self.heading.setText(f"{self._country_name(code)} · {code}")
            if code == self.customer_code:
                self.context_note.setText(_("The current customer's country"))
            else:
                self.context_note.setText(_("Searched country"))
        on_customer = code == self.customer_code or not self.customer_code
        self.back_button.setVisible(not on_customer)
        if not on_customer:
            self.back_button.setText(_("Back to {country}").format(country=self._country_name(self.customer_code)))

        card = self.card
        self.compact_label.setVisible(card is not None)
        self.compact_label.setText(self._summary(card))
        self.no_card_label.setVisible(bool(code) and card is None)
        if code and card is None:
            text = _("No etiquette card yet for {country}. The facts below are computed from "
                     "public data.").format(country=self._country_name(code))
            for note in self.notes_without_card:
                title = _("Team notes ({pack})").format(pack=note["pack_id"])
                text += f"\n\n{title}\n" + (f"{note['title']}\n" if note.get("title") else "") + note["text"]
            self.no_card_label.setText(text)
        self.expand_button.setVisible(card is not None)
        self.expand_button.setText(_("Show less") if self._expanded else _("Show the whole card"))
        self.details.setVisible(card is not None and self._expanded)
        if card is not None and self._expanded:
            self.details.set_sections(presentation.card_sections(card, language))
        self.tendencies.setVisible(card is not None)

        show_facts = bool(code) and not self._compact_mode
        self.facts_heading.setVisible(show_facts)
        have_facts = bool(self.facts) and self.facts.get("code") == code
        self.facts_view.setVisible(show_facts and have_facts)
        self.facts_status.setVisible(show_facts and not have_facts)
        if have_facts:
            self.facts_view.set_rows(presentation.fact_lines(self.facts, language))
        elif code and not self._facts_error:
            self.facts_status.setText(_("Loading facts…"))

    # ------------------------------------------------------------------ facts, off the GUI thread

    def _refresh_facts(self) -> None:
        """Once a minute while visible: the local time, today's holiday and the next ones
        move on while the panel stays open all shift."""
        if self.isVisible() and self.facts is not None:
            self._ensure_facts(force=True)

    def _ensure_facts(self, force: bool = False) -> None:
        """Compute the shown country's facts once the panel is visible (never in the
        constructor: they need CLDR, holidays and tz data)."""
        code = self.shown_code
        current = bool(self.facts) and self.facts.get("code") == code
        if not code or not self.isVisible() or (current and not force):
            return
        language = current_language()
        wanted = (code, language)
        if self._facts_wanted == wanted:
            return  # already on its way
        self._facts_wanted = wanted

        def compute(code=code, language=language):
            from assistant.countries.facts import country_facts

            return country_facts(code, dt.datetime.now(dt.timezone.utc), language).to_dict()

        # not the services pool: that single thread also warms the translation engine, and
        # facts are pure (no database, no engine) so the global pool is safe
        self._facts_task = run_in_pool(compute, self._facts_ready, self._facts_failed)

    def _facts_ready(self, facts: dict) -> None:
        if (facts.get("code"), current_language()) != self._facts_wanted:
            return  # a newer request superseded this one
        self._facts_wanted = None
        if facts.get("code") == self.shown_code:
            self.facts = facts
            self._facts_minute = _minute_now()
            self._render()

    def _facts_failed(self, exc: Exception) -> None:
        log.warning("country facts failed: %s", exc)
        self._facts_wanted = None
        self._facts_error = True
        self.facts_status.setText(_("The facts for this country could not be computed: {error}")
                                  .format(error=str(exc)))

    # ------------------------------------------------------------------ search

    def _warm_search(self) -> None:
        if self._search_warm:
            return
        self._search_warm = True
        language = current_language()

        def build(language=language):
            from assistant.countries import search

            search.warm(language)

        run_in_pool(build)

    def _run_search(self) -> None:
        from assistant.countries.search import search

        query = self.search_box.text().strip()
        self.results.clear()
        if not query:
            self.results.setVisible(False)
            return
        matches = search(query, current_language(), self.services.db, limit=MAX_RESULTS)
        for match in matches:
            name = self._country_name(match.code)
            text = f"{name} · {match.code}"
            if match.kind != "code" and match.matched.casefold() != name.casefold():
                text += "  —  " + _("{kind}: {text}").format(kind=_(match.kind), text=match.matched)
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, match.code)
            self.results.addItem(item)
        if not matches:
            item = QListWidgetItem(_("No country matches “{query}”").format(query=query))
            item.setFlags(Qt.NoItemFlags)
            self.results.addItem(item)
        else:
            self.results.setCurrentRow(0)
        rows = min(self.results.count(), MAX_RESULTS)
        self.results.setFixedHeight(rows * max(self.results.sizeHintForRow(0), 1)
                                    + 2 * self.results.frameWidth() + 2)
        self.results.setVisible(True)

    def _search_enter(self) -> None:
        if self._search_timer.isActive():
            self._search_timer.stop()
            self._run_search()
        item = self.results.currentItem() or (self.results.item(0) if self.results.count() else None)
        if item is not None:
            self._result_chosen(item)

    def _result_chosen(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.UserRole)
        if not code:
            return
        self.results.setVisible(False)
        self.show_country(code)
