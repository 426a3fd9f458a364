"""Reply templates.

:mod:`.model` (the template, validation, content hash), :mod:`.store` (team and personal
layers, usage), :mod:`.render` (the placeholder syntax), :mod:`.values` (built-in values:
greeting, dates, names), :mod:`.compose` (a reply in the customer's language, the fill-in
fields), :mod:`.draft` (machine-translated drafts), :mod:`.search` (as-you-type search),
:mod:`.importers` (CSV, Espanso), :mod:`.export` (personal pack, usage report),
:mod:`.starter` (the shipped starter pack). See docs/templates.md.
"""
