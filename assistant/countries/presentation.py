"""Plain-text wording of facts and cards for the Culture panel (and anything else that shows
them): which lines, in which order, in the UI language. No Qt here; the panel only lays the
returned text out, always as plain text."""

from __future__ import annotations

import datetime as dt

from assistant.i18n import N_, _

TENDENCIES = N_("Tendencies, not rules; follow the customer's lead.")  # shown as _(TENDENCIES)
MAX_ZONES_SHOWN = 4


def _day_names(language: str, width: str = "abbreviated") -> dict[int, str]:
    """ISO weekday -> abbreviated name in ``language``."""
    from babel.dates import get_day_names

    try:
        names = get_day_names(width, locale=language)
    except Exception:  # unknown UI language: English names  # noqa: BLE001
        names = get_day_names(width, locale="en")
    return {i + 1: names[i] for i in range(7)}


def day_list(days: list[int], language: str) -> str:
    """[7, 1, 2, 3, 4] -> "Sun–Thu"; non-consecutive days are listed with commas."""
    if not days:
        return "-"
    names = _day_names(language)
    consecutive = all((days[i] % 7) + 1 == days[i + 1] for i in range(len(days) - 1))
    if consecutive and len(days) > 2:
        return f"{names[days[0]]}–{names[days[-1]]}"
    return ", ".join(names[d] for d in days)


def _format_date(iso: str, language: str) -> str:
    from babel.dates import format_date

    try:
        return format_date(dt.date.fromisoformat(iso), "medium", locale=language)
    except Exception:  # noqa: BLE001
        return iso


def holiday_runs(holidays: list[dict], language: str, limit: int = 5) -> list[tuple[str, str]]:
    """Consecutive days of the same holiday as one entry ("Mar 9, 2027 – Mar 12, 2027"), so
    a four-day Eid does not push every other holiday off the list."""
    runs: list[list] = []  # [first day, last day, name without suffix, name as given]
    for h in holidays:
        day = dt.date.fromisoformat(h["date"])
        base = h["name"].replace(" (observed)", "").replace(" (estimated)", "")
        if runs and runs[-1][2] == base and (day - runs[-1][1]).days <= 1:
            runs[-1][1] = day
        else:
            runs.append([day, day, base, h["name"]])
    out = []
    for first, last, base, name in runs[:limit]:
        when = _format_date(first.isoformat(), language)
        if last != first:
            when += " – " + _format_date(last.isoformat(), language)
            name = base
        out.append((when, name))
    return out


def business_hours_text(hours: dict, language: str) -> str:
    text = _("{days} {open}–{close}").format(days=day_list(hours["days"], language),
                                             open=hours["open"], close=hours["close"])
    if hours.get("lunch"):
        text += "; " + _("lunch {start}–{end}").format(start=hours["lunch"][0], end=hours["lunch"][1])
    if hours.get("note"):
        text += "\n" + hours["note"]
    return text


def fact_lines(facts: dict, language: str) -> list[tuple[str, str]]:
    """(label, value) pairs describing a country's computed facts."""
    lines: list[tuple[str, str]] = []
    name = facts["name"]
    if facts.get("native_name") and facts["native_name"] != name:
        name = f"{name} ({facts['native_name']})"
    lines.append((_("Country"), f"{name} · {facts['code']}"))
    langs = []
    for lang in facts["languages"]:
        share = f"{lang['share']:g}%" if lang.get("share") is not None else ""
        langs.append(f"{lang['name']} {share}".strip())
    lines.append((_("Languages"), ", ".join(langs) or _("unknown")))
    cur = facts.get("currency")
    lines.append((_("Currency"), f"{cur['name']} ({cur['code']}, {cur['symbol']})" if cur else _("unknown")))
    lines.append((_("Calling code"), facts.get("calling_code") or _("none")))
    zones = facts.get("zones") or []
    shown = [f"{z} ({facts['zone_offsets'].get(z, '')})" for z in zones[:MAX_ZONES_SHOWN]]
    if len(zones) > MAX_ZONES_SHOWN:
        shown.append(_("and {count} more").format(count=len(zones) - MAX_ZONES_SHOWN))
    lines.append((_("Time zones"), ", ".join(shown) or _("none listed in tz data")))
    weekend = facts["weekend"]
    working = [d for d in range(1, 8) if d not in weekend]
    # start the working week on the country's first day of the week (Sun–Thu, not Mon–Thu, Sun)
    first = facts["first_day_of_week"]
    working.sort(key=lambda d: (d - first) % 7)
    lines.append((_("Working week"), day_list(working, language)))
    lines.append((_("Weekend"), day_list(weekend, language)))
    lines.append((_("Week starts"), _day_names(language, "wide")[first]))
    if facts.get("clock"):
        lines.append((_("Clock"), _("12-hour") if facts["clock"] == "12h" else _("24-hour")))
    formats = facts.get("formats") or {}
    if formats:
        lines.append((_("Date"), f"{formats['date_short']}  ·  {formats['date_long']}"))
        lines.append((_("Time now"), formats["time"]))
        number = formats["number"]
        if formats.get("currency"):
            number += f"  ·  {formats['currency']}"
        lines.append((_("Numbers"), number))
    if facts.get("holidays_supported"):
        today = facts.get("holiday_today") or []
        lines.append((_("Today"), ", ".join(h["name"] for h in today) if today
                      else _("not a public holiday")))
        upcoming = [f"{when}: {name}" for when, name in holiday_runs(facts["holidays_next"], language)]
        lines.append((_("Next holidays"), "\n".join(upcoming) or _("none in the next year")))
    else:
        lines.append((_("Holidays"), _("no public holiday data for this country")))
    return lines


def facts_text(facts: dict, language: str) -> str:
    return "\n".join(f"{label}: {value}" for label, value in fact_lines(facts, language))


def _bullets(items: list[str]) -> str:
    return "\n".join(f"• {item}" for item in items) or "-"


def card_sections(card: dict, language: str) -> list[tuple[str, str]]:
    """(title, text) sections of a card beyond its compact summary, in reading order."""
    from babel import Locale

    sections = [
        (_("Greeting and opening"), card["greeting"]),
        (_("Formality and pronouns"), card["formality"]),
        (_("Names and honorifics"), card["names"]),
        (_("Directness"), _("{level} of 5: {note}").format(level=card["directness"]["level"],
                                                          note=card["directness"]["note"])),
        (_("Time and callbacks"), card["time_and_callbacks"]),
        (_("Typical business hours"), business_hours_text(card["business_hours"], language)),
        (_("Holidays and seasons"), card["holidays_seasonal"]),
        (_("Phone and chat"), card["phone_chat"]),
        (_("Do"), _bullets(card["dos"])),
        (_("Don't"), _bullets(card["donts"])),
        (_("Taboos"), _bullets(card["taboos"])),
    ]
    labels = (("hello", _("Hello")), ("thank_you", _("Thank you")),
              ("sorry_for_the_wait", _("Sorry for the wait")), ("goodbye", _("Goodbye")))
    for phrase_set in card["phrases"]:
        try:
            lang_name = Locale.parse(phrase_set["language"]).get_display_name(language)
        except Exception:  # noqa: BLE001
            lang_name = phrase_set["language"]
        rows = []
        for key, label in labels:
            phrase = phrase_set[key]
            hint = f"  [{phrase['pronunciation']}]" if phrase["pronunciation"] else ""
            rows.append(f"{label}: {phrase['text']}{hint}")
        sections.append((_("Key phrases ({language})").format(language=lang_name), "\n".join(rows)))
    for note in card.get("team_notes") or []:
        text = f"{note['title']}\n{note['text']}" if note.get("title") else note["text"]
        sections.append((_("Team notes ({pack})").format(pack=note["pack_id"]), text))
    sources = "\n".join(f"{s['title']}: {s['url']}" for s in card["sources"])
    sections.append((_("Sources"), sources))
    origin = card.get("origin", "shipped")
    reviewed = _("Last reviewed {date}").format(date=card["last_reviewed"])
    if origin.startswith("pack:"):
        reviewed += " · " + _("from pack {pack}").format(pack=origin[5:])
    sections.append((_("Review"), reviewed))
    return sections


def card_text(card: dict, language: str) -> str:
    return "\n\n".join(f"{title}\n{text}" for title, text in card_sections(card, language))
