"""The customer hub: who the agent is talking to, in one place.

- :mod:`assistant.customer.context`: ``CustomerContext``, the import-free value every panel
  reads (kept importable as ``from assistant.customer import CustomerContext``).
- :mod:`assistant.customer.session`: ``CustomerSession``, the one current customer and every
  rule about setting it: reading "Name, query", the default region, the zone choice and its
  labels, remembering recents, the snapshot stored with a task. Every entry point (customer
  bar, the queue's "open customer", pins, recents, the CLI, call pop) goes through it.
- :mod:`assistant.customer.memory`: recent customers and pinned clocks in SQLite.

Importing this package stays light (it is read before the window's first paint): only the
value is imported here.
"""

from assistant.customer.context import CustomerContext

__all__ = ["CustomerContext"]
