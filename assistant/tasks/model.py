"""A task of the queue and its vocabularies.

Priority is stored in one direction only: ``priority_rank`` 0 (urgent) … 3 (low), lower is
more urgent, so every ``ORDER BY`` agrees and no "higher number = more important" column
can contradict it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields, replace
from datetime import datetime

from assistant.customer import CustomerContext
from assistant.errors import UserError
from assistant.i18n import N_
from assistant.plaintext import quoted, text_problem

PRIORITIES = ("urgent", "high", "normal", "low")  # index = stored rank
PRIORITY_LABELS = {"urgent": N_("Urgent"), "high": N_("High"), "normal": N_("Normal"), "low": N_("Low")}
STATUSES = ("open", "waiting", "done")
STATUS_LABELS = {"open": N_("Open"), "waiting": N_("Waiting on customer"), "done": N_("Done")}
CHANNELS = ("call", "chat", "email", "ticket")
CHANNEL_LABELS = {"call": N_("Call"), "chat": N_("Chat"), "email": N_("E-mail"), "ticket": N_("Ticket")}
CHANNEL_ALIASES = {"e-mail": "email", "mail": "email", "phone": "call"}

MAX_TITLE = 500
MAX_TAG = 40


class TaskError(UserError, ValueError):
    """A task value that cannot be stored; the message says which and why."""


_RANKS = {name: rank for rank, name in enumerate(PRIORITIES)}


def priority_rank(priority: str | int) -> int:
    if type(priority) is str and priority in _RANKS:  # already normal (every stored task)
        return _RANKS[priority]
    if isinstance(priority, int) and not isinstance(priority, bool):
        if 0 <= priority < len(PRIORITIES):
            return priority
    elif isinstance(priority, str) and priority.strip().lower() in PRIORITIES:
        return PRIORITIES.index(priority.strip().lower())
    raise TaskError(f"Unknown priority {quoted(priority)}; use one of: {', '.join(PRIORITIES)}.")


def normalise_channel(channel: str | None) -> str | None:
    if channel is None:
        return None
    if type(channel) is str and channel in CHANNELS:  # already normal
        return channel
    if str(channel).strip() == "":
        return None
    value = str(channel).strip().lower()
    value = CHANNEL_ALIASES.get(value, value)
    if value not in CHANNELS:
        raise TaskError(f"Unknown channel {quoted(channel)}; use one of: {', '.join(CHANNELS)}.")
    return value


def normalise_status(status: str) -> str:
    if type(status) is str and status in STATUSES:  # already normal
        return status
    value = str(status).strip().lower()
    if value in ("waiting on customer", "waiting-on-customer"):
        value = "waiting"
    if value not in STATUSES:
        raise TaskError(f"Unknown status {quoted(status)}; use one of: {', '.join(STATUSES)}.")
    return value


def normalise_tags(tags) -> tuple[str, ...]:
    """Tags are short lower-case words; a comma separates them in text forms."""
    if isinstance(tags, list):
        tags = tuple(tags)
    if isinstance(tags, (str, tuple)):
        try:
            hash(tags)
        except TypeError:  # something unhashable among the tags: refused below, uncached
            return _normalise_tags(tags)
        return _normalised_tags(tags)
    return _normalise_tags(tags)


def _normalise_tags(tags) -> tuple[str, ...]:
    if tags is None:
        return ()
    if isinstance(tags, str):
        tags = tags.split(",")
    out: list[str] = []
    for raw in tags:
        if not isinstance(raw, str):
            raise TaskError(f"A tag must be text, not {quoted(raw)}.")
        tag = " ".join(raw.split()).lower().lstrip("#")
        if not tag:
            continue
        if "," in tag:
            raise TaskError(f"A tag cannot contain a comma: {quoted(raw)}.")
        if len(tag) > MAX_TAG:
            raise TaskError(f"The tag {quoted(raw)} is longer than {MAX_TAG} characters.")
        check_text(tag, "a tag")
        if tag not in out:
            out.append(tag)
    return tuple(sorted(out))


# The same few tag sets come back on every task of a queue (and 100,000 times in an import):
# each set is worked out once. Only results are kept; a refused set raises again each time.
_normalised_tags = functools.lru_cache(maxsize=4096, typed=True)(_normalise_tags)


_CHECKED_TEXTS = ("title", "notes", "channel", "external_ref", "customer_name", "customer_phone")


@dataclass(frozen=True)
class Task:
    title: str
    priority: str = "normal"
    status: str = "open"
    notes: str = ""
    channel: str | None = None
    external_ref: str | None = None
    customer: CustomerContext = field(default_factory=CustomerContext)
    tags: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    response_due_at: datetime | None = None   # SLA: first response
    resolution_due_at: datetime | None = None  # SLA: resolution
    responded_at: datetime | None = None
    follow_up_at: datetime | None = None
    snoozed_until: datetime | None = None
    done_at: datetime | None = None
    id: int | None = None
    uid: str | None = None  # stable across export/import

    @property
    def rank(self) -> int:
        return priority_rank(self.priority)

    @property
    def due_at(self) -> datetime | None:
        """The next SLA deadline the countdown shows: the first response until the agent
        has responded, then the resolution."""
        if self.status == "done":
            return None
        candidates = [self.resolution_due_at]
        if self.responded_at is None:
            candidates.append(self.response_due_at)
        candidates = [c for c in candidates if c is not None]
        return min(candidates) if candidates else None

    def is_snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > now

    def breached(self, now: datetime) -> bool:
        due = self.due_at
        return due is not None and due <= now

    def with_changes(self, **changes) -> "Task":
        return replace(self, **changes)

    def validated(self) -> "Task":
        """The task as stored; TaskError names the first value that cannot be."""
        texts = (self.title, self.notes, self.channel, self.external_ref, self.customer.name,
                 self.customer.phone)
        # one scan of them all (the usual case: nothing wrong); field by field only to name
        # the first field with a problem
        try:
            joined = "\n".join(filter(None, texts))
        except TypeError:  # not all text: as each is checked
            joined = "\n".join([str(value) for value in texts if value is not None])
        if text_problem(joined) is not None:
            for name, value in zip(_CHECKED_TEXTS, texts):
                if value is not None:
                    check_text(str(value), name)
        title = " ".join(str(self.title or "").split())
        if not title:
            raise TaskError("A task needs a title.")
        if len(title) > MAX_TITLE:
            raise TaskError(f"The title is longer than {MAX_TITLE} characters.")
        normal = dict(
            title=title,
            priority=PRIORITIES[priority_rank(self.priority)],
            status=normalise_status(self.status),
            channel=normalise_channel(self.channel),
            external_ref=(str(self.external_ref).strip() or None) if self.external_ref else None,
            notes=str(self.notes or ""),
            tags=normalise_tags(self.tags),
        )
        if (title == self.title and normal["priority"] == self.priority and normal["status"] == self.status
                and normal["channel"] == self.channel and normal["external_ref"] == self.external_ref
                and normal["notes"] == self.notes and normal["tags"] == self.tags):
            return self  # already as stored (an import validates 100,000s: a copy costs)
        return replace(self, **normal)


def check_text(value: str, name: str) -> None:
    """Text that cannot be stored, or would act on a terminal, is refused: lone surrogates,
    and control characters other than tab and line breaks (in titles these become spaces)."""
    problem = text_problem(value)
    if problem:
        raise TaskError(f"{name} {problem}.")


TASK_FIELDS = tuple(f.name for f in fields(Task))
