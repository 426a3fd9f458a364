"""Tables of the translation feature: do-not-translate glossary terms (the user's and those
shipped by team packs) and the optional translation history."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("translation")


@migrations()
def m001_glossary_and_history(db):
    db["glossary_terms"].create({"id": int, "term": str, "source": str, "created_at": str}, pk="id",
                                not_null={"term", "source"})
    db["glossary_terms"].create_index(["term", "source"], unique=True)
    db["glossary_terms"].create_index(["source"])
    db["translation_history"].create({
        "id": int, "created_at": str, "direction": str, "source_lang": str, "target_lang": str,
        "source_text": str, "translated_text": str}, pk="id")
    db["translation_history"].create_index(["created_at"])
