"""Build the tiny but real translation models the tests use, as genuine ``.argosmodel`` files.

    python3 -m venv /work/venv-tools
    /work/venv-tools/bin/pip install torch==2.13.0      # first: the CPU wheel, no CUDA build
    /work/venv-tools/bin/pip install transformers ctranslate2 sentencepiece
    /work/venv-tools/bin/python tools/build_test_model.py

torch and transformers are tools for building these fixtures, never runtime or test
dependencies. The script:

1. trains one SentencePiece model on both sides of ``tools/test_model_corpus.tsv``, with the
   glossary's slot markers (⟦0⟧, ⟦1⟧, ...) as single user-defined pieces;
2. for English→Spanish and Spanish→English trains a MarianMT transformer (d_model 64, 2+2
   layers, shared vocabulary) on the corpus until CTranslate2 reproduces every phrase exactly,
   decoding the way the app does (no source EOS, beam 2);
3. converts it with CTranslate2's ``TransformersConverter`` (int8) and packs it as an Argos
   package: one top-level folder with ``metadata.json``, ``model/`` and ``sentencepiece.model``,
   written with fixed timestamps so a rebuild from the same weights gives the same bytes.

The output goes to ``resources/models/translate-<from>_<to>-test.argosmodel``.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tools" / "test_model_corpus.tsv"
OUT_DIR = REPO / "resources" / "models"
SLOTS = [f"⟦{i}⟧" for i in range(4)]
NAMES = {"en": "English", "es": "Spanish"}
SEED = 1234
ZIP_DATE = (2025, 1, 1, 0, 0, 0)


def read_corpus(path: Path = CORPUS) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            en, es = line.split("\t")
            pairs.append((en, es))
    return pairs


def train_sentencepiece(pairs, workdir: Path) -> Path:
    import sentencepiece as spm

    text = workdir / "spm-input.txt"
    text.write_text("\n".join(s for pair in pairs for s in pair) + "\n", encoding="utf-8")
    prefix = workdir / "sentencepiece"
    spm.SentencePieceTrainer.train(
        input=str(text), model_prefix=str(prefix), vocab_size=400, hard_vocab_limit=False,
        model_type="unigram", character_coverage=1.0, normalization_rule_name="identity", user_defined_symbols=SLOTS,
        unk_id=0, bos_id=-1, eos_id=1, pad_id=-1, unk_piece="<unk>", eos_piece="</s>",
        minloglevel=2, num_threads=1)
    return prefix.with_suffix(".model")


def write_marian_dir(model, sp_model: Path, vocab: list[str], target: Path) -> None:
    """A transformers model folder TransformersConverter can read (Marian tokenizer files)."""
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(target)
    shutil.copy(sp_model, target / "source.spm")
    shutil.copy(sp_model, target / "target.spm")
    (target / "vocab.json").write_text(
        json.dumps({piece: i for i, piece in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8")
    (target / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "MarianTokenizer", "eos_token": "</s>", "unk_token": "<unk>",
        "pad_token": "<pad>", "model_max_length": 512}), encoding="utf-8")


def convert(model, sp_model: Path, vocab: list[str], workdir: Path) -> Path:
    from ctranslate2.converters import TransformersConverter

    hf_dir = workdir / "hf"
    out = workdir / "ct2"
    if hf_dir.exists():
        shutil.rmtree(hf_dir)
    write_marian_dir(model, sp_model, vocab, hf_dir)
    TransformersConverter(str(hf_dir)).convert(str(out), quantization="int8", force=True)
    return out


def check(ct2_dir: Path, sp_model: Path, pairs) -> list[tuple[str, str, str]]:
    """Phrases the converted model gets wrong, decoded as the app decodes them."""
    import ctranslate2
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    translator = ctranslate2.Translator(str(ct2_dir), device="cpu", inter_threads=1, intra_threads=1)
    sources = [sp.encode(src, out_type=str) for src, _ in pairs]
    results = translator.translate_batch(sources, beam_size=2, replace_unknowns=True, length_penalty=0.2)
    wrong = []
    for (src, expected), result in zip(pairs, results):
        got = sp.decode_pieces(result.hypotheses[0]).replace("▁", " ").strip()
        if got != expected:
            wrong.append((src, expected, got))
    return wrong


def train_direction(pairs, sp_model: Path, workdir: Path, max_rounds: int = 40) -> Path:
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel

    torch.manual_seed(SEED)
    random.seed(SEED)
    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())] + ["<pad>"]
    pad_id, eos_id = len(vocab) - 1, sp.piece_to_id("</s>")
    config = MarianConfig(
        vocab_size=len(vocab), d_model=64, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=128,
        decoder_ffn_dim=128, max_position_embeddings=256, pad_token_id=pad_id, eos_token_id=eos_id,
        decoder_start_token_id=pad_id, forced_eos_token_id=eos_id, dropout=0.0,
        attention_dropout=0.0, activation_dropout=0.0, share_encoder_decoder_embeddings=True,
        scale_embedding=True, activation_function="swish")
    model = MarianMTModel(config)
    # The app feeds source pieces without an end-of-sentence token (as Argos does): train the same way.
    src = [sp.encode(s) for s, _ in pairs]
    tgt = [sp.encode(t) + [eos_id] for _, t in pairs]

    def batch(rows):
        width = max(map(len, rows))
        ids = torch.full((len(rows), width), pad_id)
        for i, row in enumerate(rows):
            ids[i, :len(row)] = torch.tensor(row)
        return ids

    input_ids, labels = batch(src), batch(tgt)
    attention = (input_ids != pad_id).long()
    labels[labels == pad_id] = -100
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3)
    for round_ in range(1, max_rounds + 1):
        model.train()
        for _step in range(100):
            loss = model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            with torch.no_grad():
                # The tied output projection moves the <pad> row, but HF Marian starts the
                # decoder from that row while CTranslate2 starts from zeros: keep it zero.
                model.get_input_embeddings().weight[pad_id].zero_()
        model.eval()
        ct2_dir = convert(model, sp_model, vocab, workdir)
        wrong = check(ct2_dir, sp_model, pairs)
        print(f"  round {round_}: loss {loss.item():.4f}, {len(pairs) - len(wrong)}/{len(pairs)} exact",
              flush=True)
        if not wrong and loss.item() < 0.01:  # a margin: exact now, and not by a hair
            return ct2_dir
    for src_text, expected, got in wrong:
        print(f"  WRONG {src_text!r}: expected {expected!r}, got {got!r}")
    raise SystemExit("the model did not learn every phrase; raise max_rounds")


def pack(ct2_dir: Path, sp_model: Path, from_code: str, to_code: str, out: Path) -> None:
    name = f"translate-{from_code}_{to_code}-test"
    metadata = {
        "package_version": "1.0", "argos_version": "1.9", "type": "translate",
        "from_code": from_code, "from_name": NAMES[from_code],
        "to_code": to_code, "to_name": NAMES[to_code],
        "code": f"{from_code}_{to_code}-test",
        "description": "Tiny test model: knows only the phrases of tools/test_model_corpus.tsv.",
    }
    files = {
        "metadata.json": json.dumps(metadata, indent=2).encode("utf-8") + b"\n",
        "sentencepiece.model": sp_model.read_bytes(),
        "README.md": (f"# {NAMES[from_code]} → {NAMES[to_code]} test model\n\nBuilt by tools/build_test_model.py "
                      "from tools/test_model_corpus.tsv. It translates only those phrases.\n").encode("utf-8"),
    }
    for path in sorted(ct2_dir.iterdir()):
        files[f"model/{path.name}"] = path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in (f"{name}/", f"{name}/model/"):
            archive.writestr(zipfile.ZipInfo(folder, ZIP_DATE), b"")
        for rel, data in files.items():
            info = zipfile.ZipInfo(f"{name}/{rel}", ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    out.write_bytes(buffer.getvalue())
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    pairs = read_corpus()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sp_model = train_sentencepiece(pairs, workdir)
        for from_code, to_code, rows in (("en", "es", pairs), ("es", "en", [(b, a) for a, b in pairs])):
            print(f"training {from_code}→{to_code} on {len(rows)} phrases", flush=True)
            ct2_dir = train_direction(rows, sp_model, workdir / f"{from_code}_{to_code}")
            pack(ct2_dir, sp_model, from_code, to_code,
                 args.out_dir / f"translate-{from_code}_{to_code}-test.argosmodel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
