import json

import pytest


@pytest.fixture
def cli_models(run_cli, test_models):
    for path in test_models.values():
        code, out, err = run_cli("models", "install", str(path))
        assert code == 0, err
    return test_models


def test_models_install_list_remove(run_cli, test_models, fresh_data_dir):
    code, out, err = run_cli("models", "list")
    assert code == 0 and "No translation model is installed" in out
    code, out, err = run_cli("models", "install", str(test_models["en_es"]))
    assert code == 0, err
    assert "installed English → Spanish (en→es, v1.0)" in out
    code, out, _ = run_cli("models", "list", "--json")
    listed = json.loads(out)
    assert [(m["from"], m["to"], m["sentence_splitter"]) for m in listed["models"]] == [("en", "es", "built-in")]
    code, out, _ = run_cli("doctor", "--json")
    assert json.loads(out)["translation_models"] == ["English → Spanish (en→es, v1.0)"]
    code, out, err = run_cli("models", "remove", "en-es")
    assert code == 0 and "Removed English → Spanish" in out
    code, out, err = run_cli("models", "remove", "en-es")
    assert code == 2 and out == "" and "no model is installed for en→es" in err


def test_install_of_a_bad_file_fails_cleanly(run_cli, tmp_path):
    bad = tmp_path / "bad.argosmodel"
    bad.write_bytes(b"nope")
    code, out, err = run_cli("models", "install", str(bad))
    assert code == 2 and out == ""
    assert "not a model package (not a zip archive)" in err


def test_translate_prints_the_translation(run_cli, cli_models):
    code, out, err = run_cli("translate", "--from", "en", "--to", "es", "Your order {{order_id}} has been shipped.")
    assert code == 0, err
    assert out == "Su pedido {{order_id}} ha sido enviado.\n"


def test_translate_json_detects_the_source(run_cli, cli_models):
    code, out, err = run_cli("translate", "--to", "en", "--json", "Mi pedido no ha llegado.")
    assert code == 0, err
    data = json.loads(out)
    assert data["translation"] == "My order has not arrived."
    assert data["source"] == "es" and data["detected"]["language"] == "es"
    assert data["pair"] == ["es-en"] and data["pivot"] is None
    assert isinstance(data["seconds"], float)


def test_translate_uses_glossary_terms(run_cli, cli_models):
    assert run_cli("glossary", "add", "Acme Cloud")[0] == 0
    code, out, _ = run_cli("translate", "--from", "en", "--to", "es", "Thank you for choosing Acme Cloud.")
    assert out == "Gracias por elegir Acme Cloud.\n"
    code, out, _ = run_cli("glossary", "list", "--json")
    assert json.loads(out) == {"user": ["Acme Cloud"]}
    assert run_cli("glossary", "remove", "Acme Cloud")[0] == 0


def test_translate_without_a_model_says_what_to_install(run_cli, cli_models):
    code, out, err = run_cli("translate", "--from", "pt", "--to", "es", "Olá")
    assert code == 2 and out == ""
    assert "No translation model for pt→es" in err and "assistant models install" in err


def test_detect_json(run_cli, cli_models):
    code, out, err = run_cli("detect", "Mi pedido no ha llegado todavía.", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["language"] == "es"
    assert {c["language"] for c in data["candidates"]} <= {"en", "es"}
    assert set(data) >= {"language", "confidence", "candidates"}


def test_detect_without_models_is_a_clear_error(run_cli):
    code, out, err = run_cli("detect", "hello")
    assert code == 2 and "no translation model is installed" in err


def test_download_is_forbidden_by_default(run_cli):
    code, out, err = run_cli("models", "download", "en-es")
    assert code == 2 and out == ""
    assert "turned off by your organisation's policy" in err
