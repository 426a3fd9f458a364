"""The prioritised task queue: follow-ups and tickets with SLA countdowns, stored locally.

Modules: ``model`` (the Task and its vocabularies), ``schema`` (migrations), ``store``
(reads and atomic writes), ``schedule`` (team schedule and business-hour arithmetic),
``sla`` (deadlines), ``urgency`` (explainable ordering), ``timephrase`` (typed times),
``exchange`` (CSV/JSON export and import), ``notices`` (what to tell the agent now),
``config`` (settings with shipped defaults)."""
