"""Reply templates.

:mod:`.model` (the template, content hash), :mod:`.store` (team and personal
layers, usage), :mod:`.render` (the placeholder syntax), :mod:`.values` (built-in values:
greeting, dates, names), :mod:`.compose` (a reply in the customer's language, the fill-in
fields), :mod:`.draft` (machine-translated drafts), :mod:`.search` (as-you-type search),
:mod:`.importers` (CSV, Espanso), :mod:`.export` (the usage report), :mod:`.validation` (the
one template validator editors, imports and packs share). See docs/templates.md.

Packs build on templates, never the reverse: nothing here imports :mod:`assistant.packs`
(the starter pack and the personal-pack export are pack features), and the template tables
are written only by :mod:`.store` (tests/test_layers.py holds both rules).
"""
