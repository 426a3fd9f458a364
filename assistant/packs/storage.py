"""Tables of the packs feature (migration set "packs"). Never edit a shipped migration; add one.

- ``packs``: one row per installed pack: where it came from, who signed it, flags.
- ``pack_high_water``: the highest version ever installed per pack id and the key that
  signed it. Kept after a pack is removed, so removing and reinstalling an old version is
  still a rollback.
- ``pack_history``: one row per install/update/removal with the changelog (JSON).
- ``trusted_keys``: publisher keys the agent trusted after seeing the fingerprint (the
  policy's keys are read from the policy, never copied here).
- ``pack_cards``: etiquette cards and per-country notes shipped by packs; the countries
  feature reads this table (``kind`` is 'card' or 'notes').
- ``pack_template_prefs``: the agent's own hide/disable choices per template, kept apart
  from the pack-wide flags so re-enabling a pack restores them.
- ``pack_glossary``: glossary terms, used only when the translation feature's glossary API
  (``assistant.translation.glossary.add_terms``) is not available.
"""

from sqlite_utils.migrations import Migrations

migrations = Migrations("packs")


@migrations()
def m001_packs(db):
    db["packs"].create({
        "pack_id": str, "title": str, "publisher": str, "description": str, "version": int,
        "created": str, "expires": str, "min_app_version": str, "default_language": str,
        "languages": str, "signed": int, "key_id": str, "fingerprint": str, "public_key": str,
        "sha256": str, "source": str, "installed_at": str, "updated_at": str,
        "hidden": int, "disabled": int, "template_count": int, "warnings": str, "release_notes": str,
    }, pk="pack_id", not_null={"title", "version"}, defaults={"hidden": 0, "disabled": 0, "signed": 0})
    db["pack_high_water"].create({"pack_id": str, "version": int, "fingerprint": str, "updated_at": str},
                                 pk="pack_id", not_null={"version"})
    db["pack_history"].create({
        "id": int, "pack_id": str, "action": str, "version": int, "previous_version": int,
        "at": str, "signed": int, "fingerprint": str, "changes": str,
    }, pk="id", not_null={"pack_id", "action", "at"})
    db["pack_history"].create_index(["pack_id"])
    db["trusted_keys"].create({"public_key": str, "key_id": str, "fingerprint": str, "comment": str,
                               "added_at": str}, pk="public_key", not_null={"key_id", "fingerprint"})
    db["pack_cards"].create({"pack_id": str, "country": str, "kind": str, "card_json": str},
                            pk=("pack_id", "country", "kind"), not_null={"card_json"})
    db["pack_cards"].create_index(["country"])
    db["pack_template_prefs"].create({"template_id": str, "hidden": int, "disabled": int},
                                     pk="template_id", defaults={"hidden": 0, "disabled": 0})
    db["pack_glossary"].create({"pack_id": str, "term": str, "do_not_translate": int,
                                "translations": str, "note": str}, pk=("pack_id", "term"))


@migrations()
def m002_template_fingerprints(db):
    # What each team template looked like in the pack file when it was last installed (a
    # digest of the parsed JSON) and its content hash then: an update skips rebuilding and
    # re-validating templates whose JSON did not change (the 5,000-template benchmark).
    db["pack_template_sources"].create({"template_id": str, "pack_id": str, "fingerprint": str,
                                        "content_hash": str}, pk="template_id",
                                       not_null={"pack_id", "fingerprint", "content_hash"})
