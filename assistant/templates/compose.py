"""Compose a reply: choose the variant for the customer's language, gather built-in and typed
values, format typed dates, apply the ticked sections and render.

The agent's typed values win over built-ins (they may correct a name); a variable's declared
default applies when nothing was typed. ``fields`` lists what the fill-in form should ask for
(declared variables first, then other placeholders of the variant), each with its current
value, so the view only lays them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Mapping

from assistant.customer import CustomerContext
from assistant.i18n import N_, _
from assistant.templates.model import Template, Variant, base_language
from assistant.templates.render import RenderResult, Segment, placeholders, render
from assistant.templates.values import Profile, builtin_values, customer_locale, format_day

# Labels for placeholders the app knows, shown in the fill-in form (UI language).
BUILTIN_LABELS = {
    "customer_name": N_("Customer name"),
    "customer_first_name": N_("Customer first name"),
    "agent_name": N_("Your name"),
    "company": N_("Company"),
    "greeting": N_("Greeting"),
    "salutation": N_("Greeting with name"),
    "date": N_("Date"),
    "time": N_("Customer time"),
    "order_id": N_("Order number"),
    "ticket_id": N_("Ticket number"),
}
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    type: str = "text"          # text, multiline, choice, date
    required: bool = False
    choices: tuple[str, ...] = ()
    value: str = ""             # what will be used now (typed, built-in or default)
    builtin: bool = False       # filled by the app; the agent may still type over it


@dataclass
class Reply:
    template_id: str
    language: str               # the variant used
    requested_language: str | None
    title: str
    result: RenderResult
    fields: list[FormField] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    machine_translated: bool = False

    @property
    def text(self) -> str:
        return self.result.text

    @property
    def unresolved(self) -> list[str]:
        return self.result.unresolved

    @property
    def segments(self) -> list[Segment]:
        return self.result.segments

    @property
    def is_fallback(self) -> bool:
        """The customer's language had no variant: the default language was used."""
        return bool(self.requested_language) and not self.machine_translated and (
            base_language(self.language) != base_language(self.requested_language))

    @property
    def complete(self) -> bool:
        return not self.result.unresolved and not self.missing_required


def humanize(name: str) -> str:
    return name.replace("_", " ").strip().capitalize() or name


def format_typed_date(value: str, language: str, customer: CustomerContext | None) -> str:
    """An ISO date typed or picked by the agent, written in the customer's locale."""
    value = value.strip()
    if ISO_DATE_RE.match(value):
        try:
            return format_day(date.fromisoformat(value), customer_locale(language, customer))
        except ValueError:
            pass
    return value


def compose(template: Template, *, at: datetime, customer: CustomerContext | None = None,
            language: str | None = None, values: Mapping[str, str] | None = None,
            sections: Mapping[str, bool] | None = None, profile: Profile | None = None,
            draft: Variant | None = None, draft_language: str | None = None) -> Reply:
    """Render ``template`` for ``customer`` at instant ``at`` (aware).

    ``language`` defaults to the customer's. ``draft`` (a machine-translated variant in
    ``draft_language``) replaces the stored variant; the reply is then marked for review.
    """
    customer = customer or CustomerContext()
    requested = language or customer.language
    if draft is not None:
        lang, variant = draft_language or requested or template.default_language, draft
    else:
        lang = template.variant_language(requested)
        variant = template.variants[lang]
    typed = {k: v for k, v in (values or {}).items() if isinstance(v, str) and v.strip()}
    if "customer_name" in typed:  # the agent typed the name: first name and salutation follow
        customer = customer._replace(name=typed["customer_name"].strip())
    builtins = builtin_values(lang, customer, at, profile)

    merged: dict[str, str] = dict(builtins)
    for name, spec in template.variables.items():
        if spec.default and name not in typed:
            merged[name] = spec.default
    merged.update(typed)
    for name, spec in template.variables.items():
        if spec.type == "date" and merged.get(name):
            merged[name] = format_typed_date(merged[name], lang, customer)

    ticked = template.section_defaults()
    ticked.update(sections or {})
    result = render(variant.body, merged, ticked)

    fields: list[FormField] = []
    body_names = placeholders(variant.body)
    for name, spec in template.variables.items():
        fields.append(FormField(name, spec.label or humanize(name), spec.type, spec.required,
                                tuple(spec.choices_for(lang, template.default_language)),
                                merged.get(name, ""), False))
    for name in body_names:
        if name in template.variables or name in ("greeting", "salutation", "date", "time"):
            continue
        label = _(BUILTIN_LABELS[name]) if name in BUILTIN_LABELS else humanize(name)
        fields.append(FormField(name, label, value=merged.get(name, ""),
                                builtin=name in builtins and name not in typed))
    # required and empty, where it shows: a field inside a ticked-out section is not missing
    missing = [f.name for f in fields if f.required and not f.value and f.name in result.visible]
    return Reply(template.id, lang, requested, variant.title, result, fields, missing,
                 machine_translated=draft is not None)
