"""The Culture panel follows the current customer, shows cards and facts as plain text and
finds any country."""

from __future__ import annotations

import copy
import json

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QLabel

from assistant.countries import cards
from assistant.customer import CustomerContext


@pytest.fixture
def panel(qtbot, services):
    from ui.panels.culture import CulturePanel

    widget = CulturePanel(services)
    qtbot.addWidget(widget)
    widget.resize(480, 760)
    yield widget
    QThreadPool.globalInstance().waitForDone(10000)


def _facts_loaded(panel, code):
    return panel.facts is not None and panel.facts["code"] == code and panel.facts_view.isVisible()


def test_constructor_is_cheap_and_honest_without_a_customer(panel):
    assert panel.panel_id == "culture"
    assert panel.facts is None and panel._facts_task is None  # nothing computed before shown
    assert panel.heading.text() == "No customer country yet"
    assert not panel.compact_label.isVisible()


def test_follows_the_customer_context(panel, services, qtbot):
    panel.show()
    services.customer.set(CustomerContext(name="Jonas Weber", country="DE"))
    assert panel.heading.text() == "Germany · DE"
    assert panel.compact_label.text() == cards.load_card("DE")["compact"]
    assert panel.compact_label.isVisible() and not panel.details.isVisible()
    qtbot.waitUntil(lambda: _facts_loaded(panel, "DE"), timeout=10000)
    rows = dict(panel.facts_view.rows)
    assert rows["Weekend"] == "Sat, Sun" and rows["Calling code"] == "+49"
    assert "1.234.567,89" in rows["Numbers"]

    services.customer.set(CustomerContext(name="Ahmed", country="SA"))
    assert panel.heading.text() == "Saudi Arabia · SA"
    assert "Sunday to Thursday" in panel.compact_label.text()
    qtbot.waitUntil(lambda: _facts_loaded(panel, "SA"), timeout=10000)
    assert dict(panel.facts_view.rows)["Working week"] == "Sun–Thu"

    services.customer.set(CustomerContext())
    assert panel.heading.text() == "No customer country yet"
    assert not panel.facts_view.isVisible()


def test_a_new_country_keeps_the_fact_labels_and_changes_their_texts(panel, services, qtbot):
    """Issue 18: each customer's facts made all 28 labels again, 10-30 ms of the GUI thread
    per new customer; the rows are now the same labels with new texts."""
    panel.show()
    services.customer.set(CustomerContext(country="DE"))
    qtbot.waitUntil(lambda: _facts_loaded(panel, "DE"), timeout=10000)
    labels = panel.facts_view.findChildren(QLabel)
    shown = {label.text() for label in labels if label.isVisible()}
    assert "+49" in shown

    services.customer.set(CustomerContext(country="JP"))
    qtbot.waitUntil(lambda: _facts_loaded(panel, "JP"), timeout=10000)
    assert panel.facts_view.findChildren(QLabel) == labels
    shown = [label.text() for label in labels if label.isVisible()]
    assert "+81" in shown and "+49" not in shown
    assert shown == [text for row in panel.facts_view.rows for text in row]

    panel.facts_view.set_rows(panel.facts_view.rows[:3])  # fewer rows: the rest hidden
    shown = [label.text() for label in labels if label.isVisible()]
    assert shown == [text for row in panel.facts_view.rows for text in row] and len(shown) == 6


def test_facts_wait_until_the_panel_is_shown(panel, services, qtbot):
    services.customer.set(CustomerContext(country="JP"))
    assert panel.compact_label.text() == cards.load_card("JP")["compact"]  # the card is immediate
    assert panel._facts_task is None
    panel.show()
    qtbot.waitUntil(lambda: _facts_loaded(panel, "JP"), timeout=10000)


def test_expand_shows_the_whole_card(panel, services, qtbot):
    panel.show()
    services.customer.set(CustomerContext(country="FR"))
    qtbot.mouseClick(panel.expand_button, Qt.LeftButton)
    assert panel.details.isVisible()
    text = panel.details.text()
    assert "Formality and pronouns" in text and "vous" in text
    assert "Sorry for the wait: Désolé pour l'attente" in text
    assert "Sources" in text
    assert panel.expand_button.text() == "Show less"
    qtbot.mouseClick(panel.expand_button, Qt.LeftButton)
    assert not panel.details.isVisible()
    # a new customer starts collapsed again
    qtbot.mouseClick(panel.expand_button, Qt.LeftButton)
    services.customer.set(CustomerContext(country="IT"))
    assert not panel.details.isVisible()


def test_country_without_a_card(panel, services, qtbot):
    panel.show()
    services.customer.set(CustomerContext(country="PE"))
    assert panel.no_card_label.isVisible()
    assert "No etiquette card yet for Peru" in panel.no_card_label.text()
    assert not panel.expand_button.isVisible() and not panel.compact_label.isVisible()
    qtbot.waitUntil(lambda: _facts_loaded(panel, "PE"), timeout=10000)


def test_showing_the_panel_builds_the_search_on_a_worker_out_of_the_collectors_passes(panel):
    """Issue 18: the first showing builds the country search from about 340 locales on a
    worker, with the collector put off and what it made frozen (it stopped the GUI thread
    18-51 ms with its passes before)."""
    import gc

    from assistant.countries import search

    search._name_entries.cache_clear()
    search._zone_city_entries.cache_clear()
    frozen = gc.get_freeze_count()
    try:
        panel.show()
        panel.activated()
        QThreadPool.globalInstance().waitForDone(20000)
        assert search._zone_city_entries.cache_info().currsize == 1
        assert gc.get_freeze_count() > frozen and gc.isenabled()
    finally:
        gc.unfreeze()


def test_search_any_country_then_back(panel, services, qtbot):
    panel.show()
    services.customer.set(CustomerContext(country="US"))
    qtbot.keyClicks(panel.search_box, "Allemagne")
    qtbot.waitUntil(lambda: panel.results.isVisible() and panel.results.count() > 0, timeout=5000)
    assert panel.results.item(0).data(Qt.UserRole) == "DE"
    qtbot.keyClick(panel.search_box, Qt.Key_Return)
    assert panel.shown_code == "DE"
    assert panel.context_note.text() == "Searched country"
    assert panel.back_button.isVisible() and panel.back_button.text() == "Back to United States"
    qtbot.mouseClick(panel.back_button, Qt.LeftButton)
    assert panel.shown_code == "US" and not panel.back_button.isVisible()


def test_new_customer_replaces_a_searched_country(panel, services, qtbot):
    panel.show()
    services.customer.set(CustomerContext(country="US"))
    panel.search_box.setText("Tokyo")
    qtbot.keyClick(panel.search_box, Qt.Key_Return)
    assert panel.shown_code == "JP"
    services.customer.set(CustomerContext(country="US", name="Same country, new name"))
    assert panel.shown_code == "JP"  # nothing new about the country: keep the search
    services.customer.set(CustomerContext(country="BR"))
    assert panel.shown_code == "BR" and panel.search_box.text() == ""


def test_search_without_match(panel, qtbot):
    panel.show()
    panel.search_box.setText("zzzzzz")
    qtbot.keyClick(panel.search_box, Qt.Key_Return)
    assert panel.results.count() == 1
    assert "No country matches" in panel.results.item(0).text()
    assert panel.shown_code is None


def test_pack_text_is_shown_as_plain_text(panel, services, qtbot):
    card = copy.deepcopy(cards.load_card("DE"))
    card.update(code="PE", compact="<b>Bold?</b> <a href='x'>link</a>")
    conn = services.db.conn
    conn.execute("CREATE TABLE IF NOT EXISTS pack_cards (pack_id TEXT, country TEXT, card_json TEXT, kind TEXT)")
    conn.execute("INSERT INTO pack_cards (pack_id, country, card_json, kind) VALUES ('p', 'PE', ?, 'card')",
                 (json.dumps(card),))
    conn.execute("INSERT INTO pack_cards (pack_id, country, card_json, kind) VALUES ('p', 'PE', ?, 'notes')",
                 (json.dumps({"notes": "<i>team</i> note"}),))
    panel.show()
    services.customer.set(CustomerContext(country="PE"))
    assert panel.compact_label.text() == "<b>Bold?</b> <a href='x'>link</a>"
    qtbot.mouseClick(panel.expand_button, Qt.LeftButton)
    assert "<i>team</i> note" in panel.details.text()
    for label in panel.findChildren(QLabel):
        assert label.textFormat() == Qt.PlainText, label.text()


def test_compact_mode_keeps_only_the_card(panel, services, qtbot):
    panel.show()
    services.customer.set(CustomerContext(country="KR"))
    qtbot.waitUntil(lambda: _facts_loaded(panel, "KR"), timeout=10000)
    panel.set_compact(True)
    assert panel.compact_label.isVisible() and not panel.facts_view.isVisible()
    panel.set_compact(False)
    assert panel.facts_view.isVisible()


def test_palette_command_focuses_search(panel):
    panel.show()
    [command] = panel.commands()
    command.callback()
    assert panel.search_box.hasFocus() or panel.focusWidget() is panel.search_box


def test_screenshot(panel, services, qtbot, tmp_path):
    panel.show()
    services.customer.set(CustomerContext(country="JP"))
    qtbot.waitUntil(lambda: _facts_loaded(panel, "JP"), timeout=10000)
    qtbot.mouseClick(panel.expand_button, Qt.LeftButton)
    image = panel.grab()
    assert not image.isNull()
    assert image.save(str(tmp_path / "culture.png"))


def test_team_notes_show_for_a_country_without_a_card(panel, services):
    conn = services.db.conn
    conn.execute("CREATE TABLE IF NOT EXISTS pack_cards (pack_id TEXT, country TEXT, card_json TEXT, kind TEXT)")
    conn.execute("INSERT INTO pack_cards (pack_id, country, card_json, kind) VALUES ('latam', 'CL', ?, 'notes')",
                 (json.dumps({"text": "Chilean customers: ask for the RUT.", "title": "IDs"}),))
    panel.show()
    services.customer.set(CustomerContext(country="CL"))
    text = panel.no_card_label.text()
    assert "No etiquette card yet for Chile" in text
    assert "Team notes (latam)" in text and "IDs" in text and "ask for the RUT" in text


def test_facts_refresh_while_visible_and_timer_stops_when_hidden(panel, services, qtbot):
    panel.show()
    services.customer.set(CustomerContext(country="DE"))
    qtbot.waitUntil(lambda: _facts_loaded(panel, "DE"), timeout=10000)
    assert panel._refresh_timer.isActive()
    first = panel.facts
    panel._refresh_facts()  # what the minute timer does
    qtbot.waitUntil(lambda: panel.facts is not first and _facts_loaded(panel, "DE"), timeout=10000)
    panel.hide()
    assert not panel._refresh_timer.isActive()


def test_the_summary_is_in_the_ui_language_and_the_rest_says_it_is_english(qtbot, services):
    from assistant import i18n
    from assistant.countries.greeting import card_summary
    from ui.panels.culture import CulturePanel

    i18n.set_language("de")  # the conftest puts English back for the next test
    widget = CulturePanel(services)
    qtbot.addWidget(widget)
    widget.show()
    services.customer.set(CustomerContext(country="JP"))
    german, translated = card_summary(cards.load_card("JP"), "de")
    assert translated and widget.compact_label.text().startswith(german)
    assert cards.load_card("JP")["compact"] not in widget.compact_label.text()
    assert "\n" in widget.compact_label.text()  # the note that the whole card is in English
    QThreadPool.globalInstance().waitForDone(10000)
