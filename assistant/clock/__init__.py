"""The customer-local-time clock: zones, conversions, business-hours status, clock changes,
resolving what the agent typed (phone, country, city, zone) and the agent's own zone. The
customer rules built on these (the session, recents and pins) live in assistant.customer.

``zoneinfo`` + ``tzdata`` are the single source of truth for every conversion; pytz tzinfo
objects are never used. Everything here is Qt-free and takes its instants as arguments, so
it is tested with fixed instants.
"""
