"""What to say in the first ten seconds: a ready-to-say greeting for the customer's local
time of day, in the customer's language (:data:`assistant.templates.values.GREETINGS`:
"こんばんは" at 23:41 in Tokyo, not a daytime greeting), with the first name where that is
polite in the language, and the etiquette card's first-ten-seconds summary (its form of
address: surname + "-san", "Herr/Frau + surname") in the agent's UI language.

The 30 shipped cards' summaries are translated into every UI language in
``resources/cards/summaries/<UI language>.json`` (country -> text); the full cards, and
cards from team packs, stay in their own language (English), and :attr:`ReadyGreeting.
summary_translated` says so. Qt-free.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime

from assistant.customer import CustomerContext


@dataclass(frozen=True)
class ReadyGreeting:
    text: str                  # "Buenas noches, Ana", "こんばんは"
    language: str              # the language ``text`` is in
    summary: str = ""          # the card's first-ten-seconds summary ("" without a card)
    summary_translated: bool = False  # the summary is in the UI language (else the card's own)


@functools.cache
def _summaries() -> dict[str, dict[str, str]]:
    from assistant.countries.cards import cards_dir

    tables: dict[str, dict[str, str]] = {}
    for path in sorted((cards_dir() / "summaries").glob("*.json")):
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(table, dict):
            tables[path.stem] = {str(code).upper(): text for code, text in table.items()
                                 if isinstance(text, str) and text.strip()}
    return tables


def card_summary(card: dict | None, ui_language: str) -> tuple[str, bool]:
    """(the card's first-ten-seconds summary, whether it is in ``ui_language``). A shipped
    card's translation when there is one; a team pack's card is shown as its author wrote it."""
    if not card:
        return "", False
    english = str(card.get("compact") or "")
    language = (ui_language or "en").replace("-", "_")
    if language.split("_")[0] == "en":
        return english, True
    if str(card.get("origin", "")).startswith("pack:"):
        return english, False
    table = _summaries().get(language) or _summaries().get(language.split("_")[0]) or {}
    text = table.get(str(card.get("code", "")).upper())
    return (text, True) if text else (english, False)


def ready_greeting(context: CustomerContext, at: datetime, ui_language: str,
                   card: dict | None = None) -> ReadyGreeting | None:
    """The greeting to say to ``context`` at ``at`` (None without a zone: the time of day
    is unknown). ``card`` is the customer's country's etiquette card, when there is one."""
    from assistant.templates.values import (customer_local_time, greeting_for, has_greetings,
                                            salutation_for)

    local = customer_local_time(context, at)
    if local is None:
        return None
    language = context.language if has_greetings(context.language) else "en"
    text = salutation_for(language, greeting_for(language, local.hour), context.first_name)
    summary, translated = card_summary(card, ui_language)
    return ReadyGreeting(text, language, summary, translated)
