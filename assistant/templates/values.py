"""Built-in placeholder values: who the customer is, who the agent is, and what time it is
for the customer, in the template's language.

Names (also listed in :data:`assistant.templates.model.BUILTIN_NAMES`):

=====================  ===============================================================
customer_name          the customer context's name
customer_first_name    its first word
agent_name, company    the agent's profile (settings ``profile.agent_name``/``profile.company``)
greeting               "Good morning" / "Buenas tardes" / "Bonsoir"... from the customer's
                       local hour, in the variant's language; a neutral "Hello"/"Hola" when
                       the customer's time zone is unknown
salutation             the greeting with the customer's first name where that is polite in
                       the language ("Buenas tardes, Ana"); the greeting alone in languages
                       where a stranger's first name is too familiar (de, fr) or when the
                       name is unknown -- so a template never shows "Hello ,"
date                   today for the customer (for the agent when the customer's zone is
                       unknown), long form, in the customer's locale
time                   the customer's local time, short form, in the customer's locale
order_id, ticket_id    typed by the agent (never guessed)
=====================  ===============================================================

The locale combines the variant's language with the customer's country (``es`` + ``MX`` ->
``es_MX``) when CLDR knows it, so dates read naturally inside the text. Everything takes the
instant as an argument; nothing here reads the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

from assistant.customer import CustomerContext
from assistant.templates.model import base_language

AGENT_NAME_KEY = "profile.agent_name"
COMPANY_KEY = "profile.company"

# (first hour, greeting): the last entry whose hour is <= the local hour applies; hours
# before the first entry (the small hours) use the evening greeting, as people do.
GREETINGS: dict[str, list[tuple[int, str]]] = {
    "en": [(5, "Good morning"), (12, "Good afternoon"), (18, "Good evening")],
    "es": [(5, "Buenos días"), (12, "Buenas tardes"), (20, "Buenas noches")],
    "fr": [(5, "Bonjour"), (18, "Bonsoir")],
    "de": [(5, "Guten Morgen"), (11, "Guten Tag"), (18, "Guten Abend")],
    "pt": [(5, "Bom dia"), (12, "Boa tarde"), (18, "Boa noite")],
    "it": [(5, "Buongiorno"), (13, "Buon pomeriggio"), (18, "Buonasera")],
    "nl": [(5, "Goedemorgen"), (12, "Goedemiddag"), (18, "Goedenavond")],
    "ja": [(5, "おはようございます"), (11, "こんにちは"), (18, "こんばんは")],
    "zh": [(5, "早上好"), (12, "下午好"), (18, "晚上好")],
    "ko": [(5, "안녕하세요")],
    "hi": [(5, "नमस्ते")],
    "ar": [(5, "صباح الخير"), (12, "مساء الخير")],
    "ru": [(5, "Доброе утро"), (12, "Добрый день"), (18, "Добрый вечер")],
    "tr": [(5, "Günaydın"), (12, "İyi günler"), (18, "İyi akşamlar")],
    "pl": [(5, "Dzień dobry"), (18, "Dobry wieczór")],
    "sv": [(5, "God morgon"), (12, "God eftermiddag"), (18, "God kväll")],
}
# Languages where support staff greet customers by first name ("Good morning, Ana").
# German and French support does not (first names are for people one knows); without the
# customer's title we use the greeting alone rather than guess "Frau"/"Madame".
FIRST_NAME_GREETING = {"en", "es", "pt", "it", "nl"}
NEUTRAL_GREETINGS = {"en": "Hello", "es": "Hola", "fr": "Bonjour", "de": "Guten Tag",
                     "pt": "Olá", "it": "Buongiorno", "nl": "Hallo", "ja": "こんにちは",
                     "zh": "您好", "ko": "안녕하세요", "hi": "नमस्ते", "ar": "مرحبا",
                     "ru": "Здравствуйте", "tr": "Merhaba", "pl": "Dzień dobry", "sv": "Hej"}


def has_greetings(language: str | None) -> bool:
    """Whether the app knows time-of-day greetings in ``language``."""
    return bool(language) and base_language(language) in GREETINGS


@dataclass(frozen=True)
class Profile:
    """The agent's own details used in replies."""
    agent_name: str = ""
    company: str = ""

    @classmethod
    def from_settings(cls, db) -> "Profile":
        from assistant import settings

        return cls(str(settings.get(db, AGENT_NAME_KEY, "") or ""),
                   str(settings.get(db, COMPANY_KEY, "") or ""))


def greeting_for(language: str, local_hour: int | None) -> str:
    """The time-of-day greeting in ``language`` (base language used), English if unknown."""
    base = base_language(language)
    table = GREETINGS.get(base) or GREETINGS["en"]
    if local_hour is None:
        return NEUTRAL_GREETINGS.get(base, NEUTRAL_GREETINGS["en"])
    chosen = table[-1][1]
    for hour, text in table:
        if local_hour >= hour:
            chosen = text
    return chosen


def salutation_for(language: str, greeting: str, first_name: str | None) -> str:
    if first_name and base_language(language) in FIRST_NAME_GREETING:
        return f"{greeting}, {first_name}"
    return greeting


def customer_locale(language: str, customer: CustomerContext | None) -> Locale:
    """The locale for dates and times: the text's language, with the customer's own regional
    variant when they speak it, else the customer's country when CLDR has that combination."""
    lang = (language or "en").replace("-", "_")
    candidates = []
    if customer and customer.language and base_language(customer.language) == base_language(lang):
        cust = customer.language.replace("-", "_")
        if "_" in cust:
            candidates.append(cust)
    if customer and customer.country:
        candidates.append(f"{base_language(lang)}_{customer.country.upper()}")
    candidates += [lang, base_language(lang), "en"]
    for code in candidates:
        try:
            return Locale.parse(code)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale.parse("en")


def customer_local_time(customer: CustomerContext | None, at: datetime) -> datetime | None:
    """``at`` (aware) in the customer's zone, or None when the zone is unknown or invalid."""
    if customer is None or not customer.zone:
        return None
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    try:
        return at.astimezone(ZoneInfo(customer.zone))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _paste_safe(text: str) -> str:
    # CLDR uses NARROW NO-BREAK SPACE (U+202F) in times and some dates; older CRMs and chat
    # consoles render it as a box. A plain no-break space keeps the meaning and pastes anywhere.
    return text.replace("\u202f", "\u00a0")


# Locales whose data Babel has loaded for a reply's dates and times (Babel keeps it for the
# process). A language's first use unpickles and merges its CLDR data: 5-20 ms, 40 on a slow
# machine; the Replies panel has it loaded on a thread first (issue 18).
_LOADED: set[str] = set()


def reply_locale_loaded(language: str, customer: CustomerContext | None) -> bool:
    """Whether a reply in ``language`` to ``customer`` formats its dates without loading."""
    return str(customer_locale(language, customer)) in _LOADED


def load_reply_locale(language: str, customer: CustomerContext | None) -> None:
    """Load Babel's data for a reply in ``language`` to ``customer`` (any thread)."""
    locale = customer_locale(language, customer)
    try:
        locale.date_formats, locale.time_formats  # noqa: B018  (reading them loads the locale)
    finally:  # loaded, or it cannot be: composing then says why, never a loop of loads
        _LOADED.add(str(locale))


def format_day(day: date, locale: Locale) -> str:
    text = _paste_safe(format_date(day, format="long", locale=locale))
    _LOADED.add(str(locale))
    return text


def builtin_values(language: str, customer: CustomerContext | None, at: datetime,
                   profile: Profile | None = None) -> dict[str, str]:
    """The built-in values for a reply in ``language`` to ``customer`` at instant ``at``.
    Unknown facts are left out, so the placeholder stays visible (or takes its fallback)."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    customer = customer or CustomerContext()
    profile = profile or Profile()
    values: dict[str, str] = {}
    if customer.name and customer.name.strip():
        values["customer_name"] = customer.name.strip()
        values["customer_first_name"] = customer.first_name or ""
    if profile.agent_name.strip():
        values["agent_name"] = profile.agent_name.strip()
    if profile.company.strip():
        values["company"] = profile.company.strip()
    local = customer_local_time(customer, at)
    hour = local.hour if local else None
    if local is None and customer.zones:
        # several candidate zones, none chosen (Madrid or the Canaries): when they all call
        # for the same greeting now, it is safe to use it
        candidates = [customer_local_time(customer._replace(zone=z), at) for z in customer.zones]
        greetings = {greeting_for(language, c.hour) for c in candidates if c is not None}
        if len(greetings) == 1 and all(c is not None for c in candidates):
            hour = candidates[0].hour
    values["greeting"] = greeting_for(language, hour)
    values["salutation"] = salutation_for(language, values["greeting"],
                                          values.get("customer_first_name"))
    locale = customer_locale(language, customer)
    # without the customer's zone, today is the agent's (the zone ``at`` carries); the
    # customer's clock time is not guessed
    values["date"] = format_day((local or at).date(), locale)
    if local is not None:
        values["time"] = _paste_safe(format_time(local, format="short", locale=locale))
    return values
