"""Typed times, read in the agent's or the customer's zone and stored in UTC.

Understood: "in 2h", "in 30 min", "in 1h30", "in 2 days"; "10:00", "3pm", "tomorrow 10:00",
"today 17:30", "fri 15:00", "next monday 9"; any of those followed by "their time" (also
"her", "his", "customer('s) time") or "my time"; ISO-8601 ("2026-11-24T10:00", with or
without an offset). A wall time that a clock change skips or repeats is reported, never
guessed (pass ``fold`` to pick one of a repeated time).

Days, weekdays, "in …" and hour marks are also understood in every UI language, whichever
is set ("morgen 10:00", "mañana 10:00", "demain 10h", "amanhã 10:00", "कल 10 बजे",
"غدًا 10:00", "vendredi 15h", "in 2 Std", "dans 30 min"), with their own digits (٠١٢…,
०१२…); accents and Arabic vowel marks are optional."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from assistant.errors import UserError
from assistant.i18n import _
from assistant.tasks.timeutil import UTC, AmbiguousTimeError, NonexistentTimeError, local_to_utc, zone

__all__ = ["TimePhraseError", "NonexistentTimeError", "AmbiguousTimeError", "ParsedTime",
           "parse_time_phrase"]


class TimePhraseError(UserError, ValueError):
    """The text is not a time this parser understands; the message gives examples."""


@dataclass(frozen=True)
class ParsedTime:
    instant: datetime      # UTC
    zone_name: str         # the zone the wall time was read in
    side: str              # "agent", "customer" or "absolute"
    relative: bool = False

    def local(self, zone_name: str) -> datetime:
        return self.instant.astimezone(zone(zone_name))


def _fold(text: str) -> str:
    """Lower case, digits of any script as ASCII, accents and Arabic vowel marks dropped:
    "Mañana" and "manana", "غدًا" and "غدا", "١٠:٠٠" and "10:00" read the same."""
    text = unicodedata.normalize("NFD", str(text).lower())
    text = "".join(str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c for c in text
                   if unicodedata.category(c) != "Mn" and c != "\u0640")  # tatweel: a stretch, no letter
    return unicodedata.normalize("NFC", text)


def _words(*groups: str) -> dict[str, int]:
    """{word: index of its group} for space-separated groups of words, folded."""
    return {_fold(word): index for index, group in enumerate(groups) for word in group.split()}


# English first, then the UI languages (de, es, fr, pt, hi, ar): full names and the usual
# abbreviations, Monday first.
WEEKDAYS = _words(
    "mon monday montag mo lunes lun lundi segunda segunda-feira seg सोमवार الاثنين اثنين",
    "tue tues tuesday dienstag di martes mar mardi terça terça-feira ter मंगलवार الثلاثاء ثلاثاء",
    "wed wednesday mittwoch mi miércoles mié mercredi mer quarta quarta-feira qua बुधवार الأربعاء أربعاء",
    "thu thur thurs thursday donnerstag do jueves jue jeudi jeu quinta quinta-feira qui गुरुवार الخميس خميس",
    "fri friday freitag fr viernes vie vendredi ven sexta sexta-feira sex शुक्रवार الجمعة جمعة",
    "sat saturday samstag sa sábado sáb samedi sam शनिवार السبت سبت",
    "sun sunday sonntag so domingo dom dimanche dim रविवार الأحد أحد",
)
TODAY, TOMORROW = 0, 1
DAYS = _words("today heute hoy aujourd'hui hoje आज اليوم",
              "tomorrow tmrw tomorow morgen mañana demain amanhã कल غدا بكرة")
NEXT = {_fold(w) for w in "next nächsten nächster kommenden próximo próxima prochain prochaine".split()}
# Words around a day or an hour that say nothing more: "am Freitag um 10", "a las 10",
# "à 10h", "às 10:00", "le vendredi", "el viernes", "غدًا الساعة 10".
FILLERS = {_fold(w) for w in "um a las la le el à às o de الساعة".split()}
UNITS = {
    "d": 86400, "day": 86400, "days": 86400,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "w": 604800, "week": 604800, "weeks": 604800,
    # the UI languages ("in 2 Std", "en 2 horas", "dans 30 minutes", "em 2 dias")
    **{_fold(word): seconds for seconds, words in (
        (86400, "tag tage tagen día días dia dias jour jours"),
        (3600, "std stunde stunden hora horas heure heures"),
        (60, "minuten minuto minutos"),
        (604800, "woche wochen semana semanas semaine semaines"),
    ) for word in words.split()},
}
_CUSTOMER_SUFFIX = re.compile(
    r"\s*(?:(?:in|at)\s+)?(?:their|her|his|the\s+customer'?s?|customer'?s?|client'?s?)\s+(?:local\s+)?time$")
_AGENT_SUFFIX = re.compile(r"\s*(?:(?:in|at)\s+)?(?:my|our|agent'?s?)\s+(?:local\s+)?time$")
_RELATIVE = re.compile(r"^(?:in|en|dans|em)\s+(.+)$")
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)?")
# an hour, with minutes after ":" or "." (required) or after an hour mark ("10h", "10h30",
# "10 Uhr", "10 बजे"), then am/pm
_CLOCK = re.compile(r"^(\d{1,2})(?:\s*(?:([:.])|(h|uhr|heures?|horas?|hs|" + _fold("बजे") + r"))\s*(\d{2})?)?"
                    r"\s*(am|pm|a\.m\.|p\.m\.)?$")
_MAX_RELATIVE = timedelta(days=366)


def examples() -> str:
    """Examples of times the agent can type, in the UI language."""
    return _("in 2h, in 30 min, tomorrow 10:00, fri 15:00, 10:00 their time, 2026-11-24T10:00")


def _error(text: str) -> TimePhraseError:
    return TimePhraseError(_("Cannot read {text!r} as a time. Try: {examples}.").format(
        text=text, examples=examples()))


def parse_time_phrase(text: str, now: datetime, agent_zone: str, customer_zone: str | None = None,
                      default_side: str = "agent", fold: int | None = None) -> ParsedTime:
    """Resolve ``text`` to a UTC instant. ``now`` is a UTC-aware instant."""
    original = text
    text = " ".join(_fold(text).split())
    if not text:
        raise TimePhraseError(_("Type a time, e.g. {examples}.").format(examples=examples()))
    side = default_side
    if _CUSTOMER_SUFFIX.search(text):
        side, text = "customer", _CUSTOMER_SUFFIX.sub("", text).strip()
    elif _AGENT_SUFFIX.search(text):
        side, text = "agent", _AGENT_SUFFIX.sub("", text).strip()

    relative = _RELATIVE.match(text)
    if relative:
        if side != default_side and side == "customer":
            raise TimePhraseError(_("'in …' is the same for everyone; leave out 'their time'."))
        return ParsedTime(now + _duration(relative.group(1), original), "UTC", "absolute", relative=True)

    iso = _iso(text)
    if isinstance(iso, datetime) and iso.tzinfo is not None:
        return ParsedTime(iso.astimezone(UTC), "UTC", "absolute")

    zone_name = _zone_for(side, agent_zone, customer_zone)
    local_now = now.astimezone(zone(zone_name))
    if isinstance(iso, datetime):
        naive = iso
    else:
        naive = _day_and_clock(text, local_now, original, zone_name)
    return ParsedTime(local_to_utc(zone_name, naive, fold=fold), zone_name, side)


def _zone_for(side: str, agent_zone: str, customer_zone: str | None) -> str:
    if side == "customer":
        if not customer_zone:
            raise TimePhraseError(_("The customer's time zone is not known; set the customer first."))
        return customer_zone
    return agent_zone


def _duration(text: str, original: str) -> timedelta:
    text = text.replace("half an hour", "30 min").replace("an hour", "1 h").replace("a day", "1 d")
    rest = text.replace(" and ", " ")
    total = 0.0
    position = 0
    pairs = list(_AMOUNT.finditer(rest))
    if not pairs:
        raise _error(original)
    previous_unit = None
    for match in pairs:
        if rest[position:match.start()].strip():
            raise _error(original)
        position = match.end()
        amount = float(match.group(1).replace(",", "."))
        unit = match.group(2)
        if unit is None:
            # "1h30": a bare number after hours means minutes
            if previous_unit == 3600:
                unit_seconds = 60
            else:
                raise _error(original)
        elif unit not in UNITS:
            raise _error(original)
        else:
            unit_seconds = UNITS[unit]
        previous_unit = unit_seconds
        total += amount * unit_seconds
    if rest[position:].strip():
        raise _error(original)
    # compared before building the timedelta: "in 99999999999 days" overflows it
    if not 0 < total <= _MAX_RELATIVE.total_seconds():
        raise TimePhraseError(_("{text!r} is not between a minute and a year from now.").format(text=original))
    return timedelta(seconds=round(total))


def _iso(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    candidate = text.upper().replace(" ", "T", 1)
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        raise TimePhraseError(_("{text!r} is not a valid date and time (YYYY-MM-DDTHH:MM).").format(
            text=text)) from None
    if len(text) == 10:  # a date alone: no time to keep
        raise TimePhraseError(_("Add a time to the date, e.g. {text}T10:00.").format(text=text))
    return value


def _clock(text: str, original: str) -> time:
    match = _CLOCK.match(text)
    if not match or (match.group(2) and match.group(4) is None):  # "10:" has no minutes
        raise _error(original)
    hour, minute = int(match.group(1)), int(match.group(4) or 0)
    suffix = (match.group(5) or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            raise _error(original)
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise TimePhraseError(_("{text!r} is not a time of day.").format(text=original))
    return time(hour, minute)


def _day_and_clock(text: str, local_now: datetime, original: str, zone_name: str) -> datetime:
    words = text.replace(" at ", " ").split()
    if words and words[0] in NEXT:
        words = words[1:]
    day_word = None
    clock_words = []
    for index, word in enumerate(words):
        word = word.rstrip(".,")  # "ven.", "Fr.," as abbreviated
        if word in DAYS or word in WEEKDAYS:
            if day_word is not None:
                raise _error(original)
            day_word = word
        elif word in FILLERS or word in NEXT or (word == "am" and not (index and words[index - 1][-1:].isdigit())):
            continue  # "am" is German ("am Freitag") unless it follows an hour ("10 am")
        else:
            clock_words.append(word)
    if not clock_words:
        raise TimePhraseError(_("Add a time of day, e.g. {text} 10:00.").format(text=text))
    at = _clock(" ".join(clock_words).replace(" am", "am").replace(" pm", "pm"), original)
    today = local_now.date()
    if day_word is None:
        # a bare time means its next occurrence
        day = today if at > local_now.time().replace(tzinfo=None) else today + timedelta(days=1)
    elif DAYS.get(day_word) == TODAY:
        day = today
    elif DAYS.get(day_word) == TOMORROW:
        day = today + timedelta(days=1)
    else:
        ahead = (WEEKDAYS[day_word] - today.weekday()) % 7
        day = today + timedelta(days=ahead)
        if ahead == 0 and at <= local_now.time().replace(tzinfo=None):
            day += timedelta(days=7)
    return datetime.combine(day, at)

