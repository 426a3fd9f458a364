"""The engine on the committed test models (real SentencePiece + CTranslate2 models), with
sockets blocked by the suite (pytest-socket): translation never touches the network."""

from __future__ import annotations

import socket
import zipfile
import json

import pytest

from assistant.translation import packages
from assistant.translation.engine import NoModelError, TranslationEngine


def test_sockets_are_blocked_in_this_suite():
    with pytest.raises(Exception):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_every_corpus_phrase_translates_exactly_both_ways(engine, corpus):
    for en, es in corpus:
        if "⟦" in en:
            continue  # slot phrases are checked through the glossary below
        assert engine.translate(en, "en", "es").text == es
        assert engine.translate(es, "es", "en").text == en


def test_glossary_protection_on_real_model_output(engine):
    result = engine.translate("Your order {{order_id}} has been shipped.", "en", "es")
    assert result.text == "Su pedido {{order_id}} ha sido enviado."
    assert result.protected == ("{{order_id}}",) and not result.fallback
    assert engine.translate("Please write to help@acme.example.", "en", "es").text == \
        "Por favor, escriba a help@acme.example."
    assert engine.translate("You can track your order at https://acme.example/t/A1.", "en", "es").text == \
        "Puede seguir su pedido en https://acme.example/t/A1."
    assert engine.translate("Thank you for choosing Acme Cloud.", "en", "es", terms=["Acme Cloud"]).text == \
        "Gracias por elegir Acme Cloud."
    assert engine.translate("Hello Maria, your order ORD-2024-0042 is on its way.", "en", "es",
                            terms=["Maria"]).text == "Hola Maria, su pedido ORD-2024-0042 está en camino."
    # and back: the Spanish customer's message keeps the order number too
    assert engine.translate("Su número de ticket es #884213.", "es", "en").text == "Your ticket number is #884213."


def test_sentences_and_line_breaks_keep_their_layout(engine):
    text = "Thank you for your patience.  Your order has been shipped.\n\nHave a nice day."
    assert engine.translate(text, "en", "es").text == \
        "Gracias por su paciencia.  Su pedido ha sido enviado.\n\nQue tenga un buen día."
    assert engine.translate("  \n", "en", "es").text == "  \n"


def test_a_lost_slot_falls_back_to_translating_around_it(engine, monkeypatch):
    real = engine._translate_sentences

    def forgetful(loaded, sentences):  # a model that drops the marker
        return [s.replace("⟦0⟧", "").replace("  ", " ") for s in real(loaded, sentences)]

    monkeypatch.setattr(engine, "_translate_sentences", forgetful)
    result = engine.translate("Thank you. {{order_id}} Good morning.", "en", "es")
    assert result.fallback
    assert result.text == "Gracias. {{order_id}} Buenos días."


def test_routes_direct_pivot_and_missing(engine, installed_models, tmp_path, test_models):
    assert engine.route("en", "es") == (("en", "es"),)
    assert engine.route("es", "es") == ()
    with pytest.raises(NoModelError) as info:
        engine.route("pt", "es")
    message = str(info.value)
    assert "No translation model for pt→es" in message
    assert "pt→es (or pt→en and en→es)" in message and "Install model…" in message and "assistant " not in message


def test_pivot_through_english_is_reported(tmp_path, installed_models, test_models):
    """A "pt→en" package (the es→en test model relabelled) plus en→es: pt→es pivots via English."""
    relabelled = tmp_path / "pt_en.argosmodel"
    with zipfile.ZipFile(test_models["es_en"]) as src, zipfile.ZipFile(relabelled, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("metadata.json"):
                meta = json.loads(data)
                meta.update(from_code="pt", from_name="Portuguese")
                data = json.dumps(meta).encode()
            dst.writestr(item, data)
    packages.install_archive(installed_models, relabelled)
    engine = TranslationEngine(installed_models, tmp_path / "argos", threads=1)
    result = engine.translate("Mi pedido no ha llegado.", "pt", "es")
    assert result.route == (("pt", "en"), ("en", "es"))
    assert result.pivot == "en"
    assert result.text == "Mi pedido no ha llegado."  # es→en then en→es: the corpus round trip
    assert result.to_dict()["pair"] == ["pt-en", "en-es"]


def test_reload_sees_installs_and_removals(engine, installed_models):
    packages.remove(installed_models, "es", "en")
    engine.reload()
    assert engine.pairs == [("en", "es")]
    assert engine.languages() == ["en", "es"]
    assert not engine.can_translate("es", "en")


def test_warm_up_loads_the_translators(engine):
    assert engine.warm_up() == [("en", "es"), ("es", "en")]
    assert all(loaded.translator is not None for loaded in engine._pairs.values())


def test_argos_is_configured_to_our_folders_and_never_downloads(engine, tmp_path):
    import argostranslate.settings as argos_settings
    import minisbd.minisbd

    from assistant.translation.argos_env import OfflineError

    assert argos_settings.chunk_type == argos_settings.ChunkType.MINISBD
    assert argos_settings.package_index == ""
    # Argos's own folders are under a data folder of ours, never the user's home...
    assert argos_settings.data_dir.parent.parent.name == "argos"
    assert argos_settings.package_data_dir.name == "models"
    # ...and the XDG variables were only set for the import
    import os

    assert not os.environ.get("XDG_DATA_HOME", "").endswith("argos/data")
    with pytest.raises(OfflineError):
        minisbd.minisbd.get_model_file("en")
    import argostranslate.package

    with pytest.raises(OfflineError):
        argostranslate.package.update_package_index()


def test_too_long_text_is_refused_clearly(engine):
    with pytest.raises(ValueError, match="too long"):
        engine.translate("a" * 20_001, "en", "es")


def test_slot_markers_are_numbered_per_sentence(engine):
    """⟦1⟧ in a second sentence reaches the model as ⟦0⟧ (as in training) and comes back."""
    result = engine.translate("Thank you for choosing Acme Cloud. Your order {{order_id}} has been shipped.",
                              "en", "es", terms=["Acme Cloud"])
    assert result.text == "Gracias por elegir Acme Cloud. Su pedido {{order_id}} ha sido enviado."
    assert not result.fallback


def test_an_invented_marker_is_not_left_in_the_output(engine, monkeypatch):
    real = engine._translate_sentences
    monkeypatch.setattr(engine, "_translate_sentences",
                        lambda loaded, sentences: [s + " ⟦0⟧" for s in real(loaded, sentences)])
    result = engine.translate("Thank you.", "en", "es")
    assert result.fallback and "⟦" not in result.text


def test_sentences_without_words_are_not_sent_to_the_model(engine, monkeypatch):
    seen = []
    real = engine._translate_sentences
    monkeypatch.setattr(engine, "_translate_sentences",
                        lambda loaded, sentences: seen.extend(sentences) or real(loaded, sentences))
    result = engine.translate("Thank you. {{order_id}}\n12345 🙂\nGood morning.", "en", "es")
    assert result.text == "Gracias. {{order_id}}\n12345 🙂\nBuenos días."
    assert seen == ["Thank you.", "Good morning."]


def test_a_bundled_splitter_is_used_and_its_output_mapped_back(engine):
    """Packages shipping minisbd/*.onnx are split by Argos's MiniSBD; its sentences are
    located in the original line so spacing is kept, and a splitter that changes the text
    makes the line go whole."""
    loaded = engine._load(("en", "es"))

    class Splitter:
        def __init__(self, out):
            self.out = out

        def split_sentences(self, text):
            return self.out

    loaded.argos_splitter = Splitter(["Thank you.", "Good morning."])
    assert engine._split(loaded, "Thank you.   Good morning.") == [(0, 10, "Thank you."), (13, 26, "Good morning.")]
    assert engine.translate("Thank you.   Good morning.", "en", "es").text == "Gracias.   Buenos días."
    loaded.argos_splitter = Splitter(["Thank you!", "Good morning."])  # not the text it was given
    assert engine._split(loaded, " Thank you. Good morning. ") == [(1, 25, "Thank you. Good morning.")]
