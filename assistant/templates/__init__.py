"""Reply templates: model (:mod:`.model`), storage in two layers (:mod:`.store`), the
placeholder renderer (:mod:`.render`), built-in values (:mod:`.values`), composing a reply
in the customer's language (:mod:`.compose`), search (:mod:`.search`), importers and export."""
