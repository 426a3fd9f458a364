"""What's new from the team: the template changes that pack installs and updates brought,
told where the agent works (a line in Replies that stays until read) and marked in the list
until each template is first used.

The source is the packs' changelog (``pack_history``: one row per install or update with the
ids it added, updated and left in conflict). What the agent has read is a mark in the
declared internal setting :data:`READ_SETTING` (the last changelog row read). The starter
pack that ships with the app is not news. Titles, not ids, are what the agent reads.
Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

READ_SETTING = "packs.news_read"
MARK_DAYS = 30          # a new or changed template is marked until used, for at most this long
NEWS_ACTIONS = ("install", "update", "downgrade")


@dataclass
class TeamNews:
    """Unread changes, each as (template id, title), newest pack update last."""
    added: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    packs: list[str] = field(default_factory=list)   # pack titles
    last_id: int = 0                                  # the newest changelog row included

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.conflicts)

    def counts_text(self) -> str:
        """"3 new, 2 changed, 1 needs your choice", in the UI language."""
        from assistant.i18n import ngettext

        parts = []
        if self.added:
            parts.append(ngettext("{count} new", "{count} new", len(self.added)).format(count=len(self.added)))
        if self.changed:
            parts.append(ngettext("{count} changed", "{count} changed", len(self.changed)).format(
                count=len(self.changed)))
        if self.conflicts:
            parts.append(ngettext("{count} needs your choice", "{count} need your choice",
                                  len(self.conflicts)).format(count=len(self.conflicts)))
        return ", ".join(parts)

    def titles_text(self, limit: int = 3) -> str:
        """The first few titles, conflicts first (they need the agent), then new, then changed."""
        titles = [title for _id, title in (*self.conflicts, *self.added, *self.changed)]
        shown = ", ".join(titles[:limit])
        return shown + (" …" if len(titles) > limit else "")


def template_titles(db, template_ids, include_retired: bool = False) -> dict[str, str]:
    """Template id -> the title the agent sees (their own version's where they have one) of
    ``template_ids``, reading only their rows; with ``include_retired``, also of the team
    templates a pack no longer ships (for a changelog)."""
    from assistant.templates import store

    ids = sorted(set(template_ids))
    titles = {}
    if include_retired:
        titles = {record.template.id: record.template.title for record in store.team_records(db, ids)}
    titles.update({entry.id: entry.template.title
                   for entry in store.library_entries(db, ids, include_hidden=True)})
    return titles


def _rows(db, after: int = 0):
    from assistant.packs.format import RESERVED_PACK_ID as STARTER_PACK_ID  # not the starter module: it loads the signing code

    marks = ",".join("?" for _ in NEWS_ACTIONS)
    return db.execute(
        f"SELECT h.id, h.pack_id, h.at, h.changes, COALESCE(p.title, h.pack_id) FROM pack_history h "
        f"LEFT JOIN packs p ON p.pack_id = h.pack_id WHERE h.id > ? AND h.pack_id != ? "
        f"AND h.action IN ({marks}) ORDER BY h.id", [after, STARTER_PACK_ID, *NEWS_ACTIONS]).fetchall()


def _changes(raw) -> dict:
    import json

    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def unread(db) -> TeamNews:
    """The changes since the agent last read them (empty: nothing new). A template counts
    once, in its latest state: new then changed is still new; a conflict needs a choice only
    while the team's version is still waiting for it."""
    from assistant import settings
    from assistant.templates import store

    news = TeamNews()
    rows = _rows(db, int(settings.get(db, READ_SETTING) or 0))
    if not rows:
        return news
    state: dict[str, str] = {}
    for row_id, _pack, _at, raw, pack_title in rows:
        news.last_id = row_id
        if pack_title not in news.packs:
            news.packs.append(pack_title)
        changes = _changes(raw)
        for tid in changes.get("added") or []:
            state[tid] = "added"
        for tid in changes.get("updated") or []:
            state[tid] = state.get(tid) if state.get(tid) == "added" else "changed"
        for tid in changes.get("conflicts") or []:
            state[tid] = "conflict"
    # only the templates named (the whole library is tens of thousands: issue 18), with the
    # title the agent sees (their own version's where they have one), none of them parsed
    listed = store.library_titles(db, state)
    for tid, what in state.items():
        if tid not in listed:  # removed or retired since
            continue
        title, waiting = listed[tid]
        item = (tid, title)
        if what == "conflict":
            (news.conflicts if waiting else news.changed).append(item)
        elif what == "added":
            news.added.append(item)
        else:
            news.changed.append(item)
    return news


def unread_at(path) -> TeamNews:
    """:func:`unread` of the database at ``path``, on a read-only connection of its own:
    what the worker runs (after a pack of 50,000 templates the news names them all)."""
    from assistant.collector import paused
    from assistant.storage.database import read_only

    # tens of thousands of short-lived records: the collector's passes over the app's
    # objects, which each allocation may start (holding the GUI thread), are put off
    with paused(), read_only(path) as db:
        return unread(db)


def mark_read(db, news: TeamNews) -> bool:
    """The agent has read ``news``: it no longer shows (later updates still will)."""
    from assistant import settings

    if news.last_id <= int(settings.get(db, READ_SETTING) or 0):
        return False
    return settings.put(db, READ_SETTING, news.last_id)


def marked_templates(db, now: datetime | None = None) -> set[str]:
    """Templates a team update added or changed that the agent has not used since (within
    :data:`MARK_DAYS`): the list marks them."""
    from assistant.templates import store

    now = now or datetime.now(timezone.utc)
    since = (now - timedelta(days=MARK_DAYS)).astimezone(timezone.utc).isoformat(timespec="seconds")
    arrived: dict[str, str] = {}
    for _row_id, _pack, at, raw, _title in _rows(db):
        if at < since:
            continue
        changes = _changes(raw)
        for tid in (*(changes.get("added") or []), *(changes.get("updated") or []),
                    *(changes.get("conflicts") or [])):
            arrived[tid] = at
    usage = store.usage(db)
    return {tid for tid, at in arrived.items()
            if not (usage.get(tid) and usage[tid].last_used and usage[tid].last_used >= at)}
