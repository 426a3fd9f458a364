"""The rules of the two directions on the Translate panel, kept out of the UI.

"Customer → me": the source is the one-click override if the agent chose one, else the
detected language (a short text keeps the conversation's language, see detect.py); the
target is the agent's own language. "Me → customer": the source is the agent's language;
the target is the override, else the customer context's language, else the language the
customer last wrote in.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.i18n import _
from assistant.translation.engine import PIVOT, missing_model_message


@dataclass(frozen=True)
class Plan:
    source: str | None
    target: str | None
    problem: str | None = None     # what to tell the agent instead of translating
    via: str | None = None         # pivot language, shown as "via English"


def _route(source, target, pairs) -> tuple[str | None, str | None]:
    if source == target:
        return None, None
    pairs = set(pairs)
    if (source, target) in pairs:
        return None, None
    languages = sorted({c for p in pairs for c in p})
    for pivot in [PIVOT] + languages:
        if (source, pivot) in pairs and (pivot, target) in pairs:
            return pivot, None
    return None, missing_model_message(source, target, sorted(pairs))


def no_models_message() -> str:
    return _("No translation model is installed. Install a language pair (.argosmodel file) with "
             "Install model…, or from the shared models folder your IT team prepared.")


def plan_incoming(pairs, my_language: str, detected: str | None, override: str | None) -> Plan:
    if not pairs:
        return Plan(None, my_language, no_models_message())
    source = override or detected
    if source is None:
        return Plan(None, my_language, None)
    via, problem = _route(source, my_language, pairs)
    return Plan(source, my_language, problem, via)


def plan_outgoing(pairs, my_language: str, customer_language: str | None, last_incoming: str | None,
                  override: str | None) -> Plan:
    if not pairs:
        return Plan(my_language, None, no_models_message())
    target = override or customer_language or last_incoming
    if target is None:
        return Plan(my_language, None, _("Choose the customer's language (set the customer, or pick it here)."))
    via, problem = _route(my_language, target, pairs)
    return Plan(my_language, target, problem, via)
