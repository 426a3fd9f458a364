"""Translation commands: ``translate``, ``detect``, ``models install|list|remove|download``,
``glossary list|add|remove``. All offline, except ``models download``, which the deployment
policy must allow."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.cli import CommandError, emit_json, open_runtime


def register(subparsers) -> None:
    p = subparsers.add_parser("translate", help="translate text offline with the installed models")
    p.add_argument("text", nargs="?", help="the text (default: read standard input)")
    p.add_argument("--from", dest="source", help="source language (default: detected among the installed ones)")
    p.add_argument("--to", dest="target", required=True, help="target language, e.g. es")
    p.add_argument("--json", action="store_true", help="also report detected source, pair used, pivot and timing")
    p.set_defaults(handler=cmd_translate)

    p = subparsers.add_parser("detect", help="detect the language of a text among the installed languages")
    p.add_argument("text", nargs="?", help="the text (default: read standard input)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_detect)

    models = subparsers.add_parser("models", help="install, list or remove translation models")
    sub = models.add_subparsers(dest="models_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("install", help="install a .argosmodel file, or every one in a folder")
    p.add_argument("path", help=".argosmodel file or folder (e.g. a shared drive prepared by IT)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_models_install)
    p = sub.add_parser("list", help="list installed models")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_models_list)
    p = sub.add_parser("remove", help="remove the model of a language pair")
    p.add_argument("pair", help="language pair, e.g. en-es")
    p.set_defaults(handler=cmd_models_remove)
    p = sub.add_parser("download", help="download and install a model (only if the policy allows downloads)")
    p.add_argument("pair", help="language pair, e.g. en-es")
    p.set_defaults(handler=cmd_models_download)

    glossary = subparsers.add_parser("glossary", help="do-not-translate terms (product names...)")
    sub = glossary.add_subparsers(dest="glossary_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="list terms and where they come from")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_glossary_list)
    p = sub.add_parser("add", help="add your own terms")
    p.add_argument("terms", nargs="+")
    p.set_defaults(handler=cmd_glossary_add)
    p = sub.add_parser("remove", help="remove one of your own terms")
    p.add_argument("term")
    p.set_defaults(handler=cmd_glossary_remove)


def _text(args) -> str:
    text = args.text if args.text is not None else sys.stdin.read()
    if not text.strip():
        raise CommandError("nothing to translate: give the text as an argument or on standard input")
    return text


def _service(runtime):
    from assistant.translation.service import TranslationService

    return TranslationService.for_data_dir(runtime.data_dir)


def cmd_translate(args) -> int:
    from assistant.translation import glossary, history
    from assistant.translation.engine import NoModelError

    text = _text(args)
    runtime = open_runtime(args)
    try:
        service = _service(runtime)
        terms = glossary.all_terms(runtime.db)
        try:
            if args.source:
                detection = None
                result = service.translate(text, args.source, args.target, terms)
            else:
                detection, result = service.translate_detected(text, args.target, terms=terms)
                if detection.language is None:
                    raise CommandError("no translation model is installed: see 'assistant models install'")
        except NoModelError as exc:
            raise CommandError(f"{exc} On the command line: assistant models install FILE.argosmodel") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        from datetime import datetime, timezone

        history.record(runtime.db, runtime.policy, now=datetime.now(timezone.utc), direction="cli",
                       source_lang=result.source, target_lang=result.target, source_text=text,
                       translated_text=result.text)
    finally:
        runtime.close()
    if args.json:
        data = result.to_dict()
        data["detected"] = detection.to_dict() if detection else None
        emit_json(data)
    else:
        print(result.text)
    return 0


def cmd_detect(args) -> int:
    text = _text(args)
    runtime = open_runtime(args)
    try:
        service = _service(runtime)
        detection = service.detect(text)
        languages = service.engine.languages()
    finally:
        runtime.close()
    if not languages:
        raise CommandError("no translation model is installed, so there is no language to detect: "
                           "see 'assistant models install'")
    if args.json:
        emit_json(detection.to_dict())
    else:
        note = "" if detection.reliable else " (a guess: the text is short or unclear)"
        print(f"{detection.language} {detection.confidence:.2f}{note}")
    return 0


def cmd_models_install(args) -> int:
    from assistant.translation.archive import ArchiveError

    runtime = open_runtime(args)
    try:
        try:
            results = _service(runtime).install(Path(args.path))
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
    finally:
        runtime.close()
    failed = [r for r in results if r.error]
    if args.json:
        emit_json([{"file": str(r.source), "installed": r.package.to_dict() if r.package and not r.skipped else None,
                    "skipped": r.skipped, "error": r.error} for r in results])
    else:
        for r in results:
            if r.error:
                print(f"{r.source.name}: NOT installed: {r.error}", file=sys.stderr)
            elif r.skipped:
                print(f"{r.source.name}: {r.skipped}")
            else:
                verb = "replaced" if r.replaced else "installed"
                print(f"{r.source.name}: {verb} {r.package.label}")
    if failed and len(failed) == len(results):
        return 2
    return 1 if failed else 0


def cmd_models_list(args) -> int:
    from assistant.translation import packages

    runtime = open_runtime(args)
    try:
        found = packages.scan(runtime.data_dir.models)
    finally:
        runtime.close()
    if args.json:
        emit_json({"models": [p.to_dict() for p in found.packages], "problems": found.problems})
        return 0
    for p in found.packages:
        print(p.label)
    if not found.packages:
        print("No translation model is installed. Install one with 'assistant models install FILE.argosmodel'.")
    for problem in found.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 0


def _pair(text: str) -> tuple[str, str]:
    from assistant.translation.packages import parse_pair

    try:
        return parse_pair(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def cmd_models_remove(args) -> int:
    from assistant.translation.archive import ArchiveError

    source, target = _pair(args.pair)
    runtime = open_runtime(args)
    try:
        try:
            removed = _service(runtime).remove(source, target)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
    finally:
        runtime.close()
    print(f"Removed {removed.label}.")
    return 0


def cmd_models_download(args) -> int:
    from assistant.translation import download
    from assistant.translation.archive import ArchiveError

    source, target = _pair(args.pair)
    runtime = open_runtime(args)
    try:
        try:
            available = download.fetch_index(runtime.policy)
            match = [p for p in available if (p.from_code, p.to_code) == (source, target)]
            if not match:
                raise CommandError(f"the package index has no model for {source}→{target}")

            def progress(done, total):
                if total:
                    print(f"\r{done * 100 // total}%", end="", file=sys.stderr, flush=True)

            result = download.download_and_install(runtime.policy, runtime.data_dir.models, match[0],
                                                   progress=progress)
        except (download.DownloadForbidden, download.DownloadError, ArchiveError) as exc:
            raise CommandError(str(exc)) from exc
    finally:
        runtime.close()
    print(f"\nInstalled {result.package.label}.")
    return 0


def cmd_glossary_list(args) -> int:
    from assistant.translation import glossary

    runtime = open_runtime(args)
    try:
        by_source = glossary.terms_by_source(runtime.db)
    finally:
        runtime.close()
    if args.json:
        emit_json(by_source)
    else:
        for source, terms in by_source.items():
            print(f"{source}: {', '.join(terms)}")
    return 0


def cmd_glossary_add(args) -> int:
    from assistant.translation import glossary

    runtime = open_runtime(args)
    try:
        with runtime.db.atomic():
            added = glossary.add_terms(runtime.db, args.terms, "user")
    finally:
        runtime.close()
    print(f"Added {added} term(s).")
    return 0


def cmd_glossary_remove(args) -> int:
    from assistant.translation import glossary

    runtime = open_runtime(args)
    try:
        with runtime.db.atomic():
            removed = glossary.remove_term(runtime.db, args.term, "user")
    finally:
        runtime.close()
    if not removed:
        raise CommandError(f"{args.term!r} is not one of your glossary terms (pack terms go with their pack)")
    print(f"Removed {args.term!r}.")
    return 0
