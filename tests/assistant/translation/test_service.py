from assistant.customer import CustomerContext
from assistant.translation.service import customer_language, match_installed, my_language, set_my_language


def test_match_installed_maps_cldr_codes_to_argos_codes():
    assert match_installed("es_MX", ["en", "es"]) == "es"
    assert match_installed("pt_BR", ["en", "pb"]) == "pb"
    assert match_installed("pt_BR", ["en", "pt"]) == "pt"
    assert match_installed("pt-BR", ["en"]) == "pt"          # nothing installed: name the base code
    assert match_installed("zh_Hant", ["zt", "en"]) == "zt"
    assert match_installed("zh", ["en"]) == "zh"
    assert match_installed(None, ["en"]) is None


def test_customer_language_from_the_context():
    assert customer_language(CustomerContext(language="pt_BR"), ["pb", "en"]) == "pb"
    assert customer_language(CustomerContext()) is None


def test_my_language_is_the_saved_choice_else_the_ui_language(db):
    assert my_language(db, "pt_BR", ["pt", "en"]) == "pt"
    assert my_language(db, "de") == "de"
    set_my_language(db, "en")
    assert my_language(db, "de") == "en"
