"""Tables of the reply templates (migration set "templates"). Never edit a shipped
migration; add one. See :mod:`assistant.templates.store` for what each column means."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("templates")


@migrations()
def m001_template_layers(db):
    # The team layer: templates installed from packs (the starter pack included).
    db["team_templates"].create({
        "template_id": str, "pack_id": str, "data": str, "content_hash": str,
        "locked": int, "disabled": int, "hidden": int, "retired_at": str,
        "installed_at": str, "updated_at": str,
    }, pk="template_id", not_null={"pack_id", "data", "content_hash"},
        defaults={"locked": 0, "disabled": 0, "hidden": 0})
    db["team_templates"].create_index(["pack_id"])
    # The agent's own layer: personal templates and personal versions of team templates.
    db["personal_templates"].create({
        "template_id": str, "data": str, "content_hash": str,
        "base_pack_id": str, "base_hash": str, "base_data": str, "team_updated": int,
        "created_at": str, "updated_at": str,
    }, pk="template_id", not_null={"data", "content_hash"}, defaults={"team_updated": 0})
    # Local usage, for ordering and the team-lead report.
    db["template_usage"].create({
        "template_id": str, "use_count": int, "last_used": str, "favourite": int,
    }, pk="template_id", defaults={"use_count": 0, "favourite": 0})


@migrations()
def m002_pack_listing_index(db):
    # A pack's live templates by id, from the index alone: the table's rows hold each
    # template's JSON before ``retired_at``, so filtering on it read every row's overflow
    # pages (the Packs window listing a 50,000-template pack: 0.2 s -> a few ms).
    db.execute("CREATE INDEX IF NOT EXISTS team_templates_pack_live "
               "ON team_templates (pack_id, retired_at, template_id)")
