"""Template packs: team leads author, sign and distribute reply templates; agents install
them safely (see docs/pack-format.md).

format.py    reading and validating a pack file (size, parse, schema, content checks;
             each template through assistant.templates.validation)
signing.py   minisign-format Ed25519 keys and detached signatures (py-minisign)
trust.py     trusted publisher keys: the deployment policy plus keys the agent added
storage.py   the feature's tables (migration set "packs")
install.py   the all-or-nothing install pipeline and the three-way merge
manage.py    installed packs: list, hide, disable, remove, conflicts
inbox.py     the inbox folder checked at start and periodically
build.py     pack authoring: new, build, export
"""
