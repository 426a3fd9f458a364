from assistant.packs.install import store_glossary
from assistant.packs.terms import preferred_translations


def test_terms_the_text_mentions_come_with_the_teams_translation(db):
    store_glossary(db, "team", [
        {"term": "refund", "translations": {"es": "reembolso", "fr": "remboursement"}},
        {"term": "ACME Pay", "do_not_translate": True},
        {"term": "order number", "translations": {"es": "número de pedido", "pt_BR": "número do pedido"}},
    ])
    text = "Your order number is below. The Refund will arrive soon; refunds take a week."
    assert preferred_translations(db, text, "es") == [("order number", "número de pedido"),
                                                      ("refund", "reembolso")]
    assert preferred_translations(db, text, "fr") == [("refund", "remboursement")]
    assert preferred_translations(db, text, "pt") == [("order number", "número do pedido")]  # pt_BR serves pt
    assert preferred_translations(db, text, "de") == []
    assert preferred_translations(db, "We refunded it.", "es") == []  # whole words only


def test_no_terms_or_a_damaged_row_give_no_hints(db):
    assert preferred_translations(db, "refund", "es") == []
    store_glossary(db, "team", [{"term": "refund", "translations": {"es": "reembolso"}}])
    db.execute("UPDATE pack_glossary SET translations = 'not json'")
    assert preferred_translations(db, "refund", "es") == []
