import pytest

from assistant.translation.detect import LanguageDetector


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector(["en", "es", "pt", "fr", "de"])


@pytest.mark.parametrize("text, language", [
    ("Where is my order? It should have arrived last week.", "en"),
    ("Mi pedido no ha llegado todavía y necesito ayuda.", "es"),
    ("Minha encomenda ainda não chegou, preciso de ajuda.", "pt"),
    ("Ma commande n'est toujours pas arrivée, pouvez-vous m'aider ?", "fr"),
    ("Meine Bestellung ist immer noch nicht angekommen.", "de"),
])
def test_detects_clear_messages_reliably(detector, text, language):
    result = detector.detect(text)
    assert result.language == language
    assert result.reliable
    assert result.candidates[0][0] == language
    assert 0.8 <= result.confidence <= 1.0


def test_only_installed_languages_are_answered():
    detector = LanguageDetector(["en", "es"])
    result = detector.detect("Minha encomenda ainda não chegou, preciso de ajuda.")
    assert result.language in {"en", "es"}
    assert {c for c, _p in result.candidates} <= {"en", "es"}


def test_short_text_is_a_suggestion_that_keeps_the_last_language(detector):
    result = detector.detect("ok", previous="pt")
    assert not result.reliable
    assert result.language == "pt"
    assert result.candidates  # the guess is still shown
    fresh = detector.detect("merci", previous=None)
    assert not fresh.reliable and fresh.language is not None


def test_argos_codes_are_mapped():
    detector = LanguageDetector(["en", "pb"])  # Argos's Brazilian Portuguese code
    assert detector.detect("Minha encomenda ainda não chegou, preciso de ajuda.").language == "pb"


def test_one_or_no_language_installed():
    assert LanguageDetector(["es"]).detect("anything at all here").language == "es"
    none = LanguageDetector([])
    assert none.detect("hello there", previous=None).language is None
    assert LanguageDetector(["xx", "en"]).unsupported == ["xx"]


def test_json_shape(detector):
    data = detector.detect("Where is my order? It should have arrived.").to_dict()
    assert set(data) == {"language", "confidence", "candidates", "reliable"}
    assert data["candidates"][0] == {"language": "en", "confidence": data["confidence"]}
