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
   decoding the way the app does (no source EOS, beam 2). Every linear layer is trained
   through an emulation of CTranslate2's int8 GEMMs (MKL's, and oneDNN's saturating kernel used
   on AMD), and on to a margin: at every step of every phrase the right token must beat the
   runner-up by MIN_MARGIN in log-probability under both, so the int8 kernel of another CPU
   cannot flip a word;
3. converts it with CTranslate2's ``TransformersConverter`` (int8) and packs it as an Argos
   package: one top-level folder with ``metadata.json``, ``model/`` and ``sentencepiece.model``,
   written with fixed timestamps so a rebuild from the same weights gives the same bytes;
4. checks each written package in fresh processes under every CPU backend CTranslate2 may pick
   on another machine (``CT2_USE_MKL=0/1`` × ``CT2_FORCE_CPU_ISA`` AVX2/AVX/GENERIC, and AVX512
   where this CPU has it), each phrase alone and all in one batch, with one and two threads:
   any wrong phrase fails the build, so a fragile model is never written to the repository.
   ``--verify`` runs only this check on the committed files.

The output goes to ``resources/models/translate-<from>_<to>-test.argosmodel``.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import random
import shutil
import subprocess
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
# Log-probability lead of the right token over the runner-up at every decoding step (teacher
# forced, through both int8 GEMMs emulated). A model trained in float only, even to a margin
# of 9, decoded 5 phrases wrong with oneDNN's saturating kernel (AMD EPYC) and none with MKL.
MIN_MARGIN = 2.0
ISAS = ("AVX512", "AVX2", "AVX", "GENERIC")


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


def check(ct2_dir: Path, sp_model: Path, pairs, threads: int = 1, alone: bool = False) -> list[tuple[str, str, str]]:
    """Phrases the converted model gets wrong, decoded as the app decodes them
    (assistant/translation/engine.py): all in one batch, or each phrase alone."""
    import ctranslate2
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    translator = ctranslate2.Translator(str(ct2_dir), device="cpu", compute_type="int8",
                                        inter_threads=1, intra_threads=threads)
    sources = [sp.encode(src, out_type=str) for src, _ in pairs]
    batches = [[s] for s in sources] if alone else [sources]
    results = [r for batch in batches for r in translator.translate_batch(
        batch, beam_size=2, num_hypotheses=1, replace_unknowns=True, length_penalty=0.2)]
    wrong = []
    for (src, expected), result in zip(pairs, results):
        got = "".join(result.hypotheses[0]).replace("▁", " ").strip()
        if got != expected:
            wrong.append((src, expected, got))
    return wrong


def min_margin(model, input_ids, attention, labels) -> float:
    """The smallest lead, in log-probability, of the right next token over the best wrong one
    across every step of every phrase (teacher forced)."""
    import torch

    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=input_ids, attention_mask=attention, labels=labels).logits, -1)
    target = labels.clamp(min=0).unsqueeze(-1)
    right = logp.gather(-1, target).squeeze(-1)
    runner_up = logp.scatter(-1, target, float("-inf")).max(-1).values
    return (right - runner_up)[labels != -100].min().item()


def int8_gemm_like_ctranslate2(x, weight, bias, saturate: bool):
    """What ``x @ weight.T + bias`` becomes in CTranslate2's int8 GEMM: the input quantized
    per row to s8, the weight per row to s8. Without VNNI (oneDNN's u8s8 kernel, the default on
    AMD) the input is shifted to u8 and products are added in pairs into 16 bits with
    saturation (vpmaddubsw) before the shift is compensated; MKL does not saturate."""
    import torch

    with torch.no_grad():
        w_scale = 127 / weight.abs().amax(dim=1, keepdim=True).clamp(min=1e-8)
        wq = torch.round(weight * w_scale)
        x_scale = 127 / x.abs().amax(dim=-1, keepdim=True).clamp(min=1e-8)
        xq = torch.round(x * x_scale)
        if saturate:
            k = x.shape[-1]
            pairs = ((xq + 128).reshape(*xq.shape[:-1], 1, k // 2, 2) * wq.reshape(wq.shape[0], k // 2, 2)).sum(-1)
            acc = pairs.clamp(-32768, 32767).sum(-1) - 128 * wq.sum(-1)
        else:
            acc = xq @ wq.T
        y = acc / (x_scale * w_scale.reshape(1, -1))
        return y if bias is None else y + bias


class QuantisedForward:
    """Within this context every Linear layer (and the tied output projection) computes in
    float for the gradients but returns what one of the int8 GEMMs would (straight-through),
    so the model learns words that both kernels' rounding leaves in place."""

    def __init__(self, saturate: bool):
        self.saturate = saturate

    def __enter__(self):
        import torch.nn.functional as F

        self.original = original = F.linear

        def linear(x, weight, bias=None):
            exact = original(x, weight, bias)
            if x.shape[-1] % 2:
                return exact
            return exact + (int8_gemm_like_ctranslate2(x, weight, bias, self.saturate) - exact).detach()

        F.linear = linear
        return self

    def __exit__(self, *exc):
        import torch.nn.functional as F

        F.linear = self.original


def backends() -> list[dict[str, str]]:
    """Every CPU backend CTranslate2 may choose on some machine that this CPU can run."""
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    isas = [isa for isa in ISAS if isa == "GENERIC" or f" {isa.lower()}" in flags
            or (isa == "AVX512" and " avx512f" in flags)]
    if not flags:  # not Linux: trust the machine for what it says it has
        isas = list(ISAS[1:])
    return [{"CT2_USE_MKL": mkl, "CT2_FORCE_CPU_ISA": isa} for mkl, isa in itertools.product(("0", "1"), isas)]


def verify_package(path: Path, pairs, env: dict[str, str]) -> list[str]:
    """Decode every phrase with a packed model in a fresh process under ``env`` (the backend
    is chosen once per process); returns the problems."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import build_test_model as b; "
            "print(json.dumps(b._verify_in_process(sys.argv[2], sys.argv[3])))")
    direction = path.name.split("-")[1]  # translate-en_es-test.argosmodel -> en_es
    run = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(path), direction],
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        return [f"the check did not run: {run.stderr.strip().splitlines()[-1:]}"]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _verify_in_process(package: str, direction: str) -> list[str]:
    pairs = read_corpus() if direction == "en_es" else [(b, a) for a, b in read_corpus()]
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(package) as archive:
        archive.extractall(tmp)
        [root] = [p for p in Path(tmp).iterdir() if p.is_dir()]
        problems = []
        for threads, alone in ((1, False), (1, True), (2, False)):
            for src, expected, got in check(root / "model", root / "sentencepiece.model", pairs, threads, alone):
                problems.append(f"{'alone' if alone else 'batched'}, {threads} thread(s): {src!r} -> {got!r}, "
                                f"expected {expected!r}")
        return problems


def verify_all(paths: list[Path]) -> bool:
    ok = True
    for path in paths:
        pairs = read_corpus() if "en_es" in path.name else [(b, a) for a, b in read_corpus()]
        for env in backends():
            problems = verify_package(path, pairs, env)
            label = " ".join(f"{k}={v}" for k, v in env.items())
            print(f"  {path.name} {label}: {'ok' if not problems else f'{len(problems)} wrong'}", flush=True)
            for problem in problems[:5]:
                print(f"    {problem}")
            ok = ok and not problems
    return ok


def train_direction(pairs, sp_model: Path, workdir: Path, max_rounds: int = 80) -> Path:
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
        for step in range(100):
            with QuantisedForward(saturate=bool(step % 2)):
                loss = model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            with torch.no_grad():
                # The tied output projection moves the <pad> row, but HF Marian starts the
                # decoder from that row while CTranslate2 starts from zeros: keep it zero.
                model.get_input_embeddings().weight[pad_id].zero_()
        model.eval()
        margins = []
        for saturate in (False, True):
            with QuantisedForward(saturate):
                margins.append(min_margin(model, input_ids, attention, labels))
        ct2_dir = convert(model, sp_model, vocab, workdir)
        wrong = check(ct2_dir, sp_model, pairs) + check(ct2_dir, sp_model, pairs, alone=True)
        print(f"  round {round_}: loss {loss.item():.5f}, {len(pairs) - len(wrong) // 2}/{len(pairs)} exact here, "
              f"smallest margin {min(margins):.2f} (int8 {margins[0]:.2f}, saturating {margins[1]:.2f})", flush=True)
        if not wrong and min(margins) >= MIN_MARGIN:  # exact now, and not by a hair
            return ct2_dir
    for src_text, expected, got in wrong:
        print(f"  WRONG {src_text!r}: expected {expected!r}, got {got!r}")
    raise SystemExit(f"the model did not learn every phrase with a margin of {MIN_MARGIN}; raise max_rounds")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument("--verify", action="store_true",
                        help="only check the packages in --out-dir under every CPU backend")
    args = parser.parse_args(argv)
    outputs = [args.out_dir / f"translate-{a}_{b}-test.argosmodel" for a, b in (("en", "es"), ("es", "en"))]
    if args.verify:
        print("checking every phrase under each CPU backend", flush=True)
        return 0 if verify_all(outputs) else 1
    pairs = read_corpus()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sp_model = train_sentencepiece(pairs, workdir)
        built = []
        for (from_code, to_code, rows), out in zip((("en", "es", pairs), ("es", "en", [(b, a) for a, b in pairs])),
                                                   outputs):
            print(f"training {from_code}→{to_code} on {len(rows)} phrases", flush=True)
            ct2_dir = train_direction(rows, sp_model, workdir / f"{from_code}_{to_code}")
            candidate = workdir / out.name
            pack(ct2_dir, sp_model, from_code, to_code, candidate)
            built.append((candidate, out))
        print("checking every phrase under each CPU backend", flush=True)
        if not verify_all([candidate for candidate, _ in built]):
            print("a backend decodes some phrase differently: nothing written", file=sys.stderr)
            return 1
        for candidate, out in built:
            shutil.copyfile(candidate, out)
            print(f"wrote {out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
