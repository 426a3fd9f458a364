"""Fixtures for the translation tests: the committed test models (built by
tools/build_test_model.py) installed into the test's fresh data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
MODELS = REPO / "resources" / "models"
EN_ES = MODELS / "translate-en_es-test.argosmodel"
ES_EN = MODELS / "translate-es_en-test.argosmodel"
CORPUS = REPO / "tools" / "test_model_corpus.tsv"


@pytest.fixture
def models_dir(tmp_path) -> Path:
    return tmp_path / "data" / "models"


@pytest.fixture
def test_models():
    return {"en_es": EN_ES, "es_en": ES_EN}


@pytest.fixture
def corpus() -> list[tuple[str, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            en, es = line.split("\t")
            rows.append((en, es))
    return rows


@pytest.fixture
def installed_models(models_dir):
    from assistant.translation import packages

    for archive in (EN_ES, ES_EN):
        packages.install_archive(models_dir, archive)
    return models_dir


@pytest.fixture
def engine(installed_models, tmp_path):
    from assistant.translation.engine import TranslationEngine

    eng = TranslationEngine(installed_models, tmp_path / "data" / "argos", threads=1)
    yield eng
    eng.unload()
