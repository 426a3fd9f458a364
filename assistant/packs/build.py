"""Authoring packs: a new skeleton, a build from a source folder, export and signing.

A source folder (kept in version control by a lead who prefers files to the editor)::

    pack.json            the pack's metadata (every top-level field except templates,
                         glossary and cards; ``version`` and ``created`` are filled in)
    templates/*.json     one template per file
    glossary.json        optional: a list of terms
    cards/*.json         optional: {"country", "kind", "content"} per file

``build`` validates the result as an installer would, writes ``NAME.agentpack.json`` and,
given a secret key, the ``.minisig`` beside it. :func:`write_personal_pack` exports the
agent's personal templates the same way (e.g. to hand them to a team lead who signs them).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from assistant import __version__
from assistant.errors import UserError
from assistant.packs import format as fmt
from assistant.packs import signing

MAX_SOURCE_FILE = 2 * 1024 * 1024


class BuildError(UserError):
    pass


def created_stamp(now: datetime) -> str:
    return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def skeleton(pack_id: str, title: str, publisher: str, languages: list[str], now: datetime) -> dict:
    default = languages[0]
    greeting = {"en": "Thank you for your patience", "es": "Gracias por su paciencia",
                "fr": "Merci de votre patience", "de": "Vielen Dank für Ihre Geduld",
                "pt_BR": "Obrigado pela paciência", "pt": "Obrigado pela paciência"}
    variants = {lang: {"title": greeting.get(lang, greeting["en"]),
                       "body": "{{greeting}} {{customer_first_name|}},\n\n" + greeting.get(lang, greeting["en"]) + "."}
                for lang in languages}
    return {
        "format": fmt.FORMAT_NAME, "format_version": fmt.FORMAT_VERSION, "id": pack_id,
        "title": title, "publisher": publisher, "publisher_key_id": None, "version": 1,
        "created": created_stamp(now), "min_app_version": __version__, "default_language": default,
        "languages": languages,
        "templates": [{"id": f"{pack_id}.thanks", "tags": ["closing"], "shortcut": None,
                       "default_language": default, "locked": False, "variants": variants}],
        "glossary": [],
    }


def _read_json(path: Path):
    if path.stat().st_size > MAX_SOURCE_FILE:
        raise BuildError(f"{path} is larger than {MAX_SOURCE_FILE // 1024} KB")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BuildError(f"{path}: not valid UTF-8 JSON ({exc})") from exc


def assemble(source: Path, version: int | None, now: datetime) -> dict:
    source = Path(source)
    if source.is_file():
        data = _read_json(source)
    else:
        manifest = source / "pack.json"
        if not manifest.is_file():
            raise BuildError(f"{source} has no pack.json")
        data = _read_json(manifest)
        if not isinstance(data, dict):
            raise BuildError(f"{manifest}: must be a JSON object")
        data["templates"] = [_read_json(p) for p in sorted((source / "templates").glob("*.json"))]
        if (source / "glossary.json").is_file():
            data["glossary"] = _read_json(source / "glossary.json")
        cards = sorted((source / "cards").glob("*.json"))
        if cards:
            data["cards"] = [_read_json(p) for p in cards]
    if not isinstance(data, dict):
        raise BuildError("a pack must be a JSON object")
    data.setdefault("format", fmt.FORMAT_NAME)
    data.setdefault("format_version", fmt.FORMAT_VERSION)
    data.setdefault("min_app_version", __version__)
    if version is not None:
        data["version"] = version
    data["created"] = created_stamp(now)
    return data


def write_pack(data: dict, output: Path, secret_key: Path | None = None, password: str | None = None) -> list[fmt.Problem]:
    """Validate, write and optionally sign. Raises PackRejected (nothing written) on errors;
    returns the warnings."""
    if secret_key is not None:
        secret = signing.load_secret_key(secret_key, password)
        data["publisher_key_id"] = signing.public_key_of_secret(secret).key_id
    else:
        secret = None
    raw = fmt.canonical_bytes(data)
    pack = fmt.load_pack(raw)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.write_bytes(raw)
    partial.replace(output)
    sig_file = output.with_name(output.name + signing.SIG_SUFFIX)
    if secret is not None:
        signing.sign_file(output, secret, f"timestamp:{int(datetime.now(timezone.utc).timestamp())}"
                                          f"\tfile:{output.name}\tpack:{pack.id} version:{pack.version}")
        secret.wipe()
    elif sig_file.exists():
        sig_file.unlink()  # a stale signature of older content would only mislead
    return pack.warnings


def default_output_name(data: dict) -> str:
    return f"{data.get('id', 'pack')}{fmt.PACK_SUFFIX}"


def personal_pack(db, *, pack_id: str = "personal", title: str = "My templates",
                  publisher: str = "", ids: list[str] | None = None,
                  now: datetime | None = None) -> dict:
    """The pack document for the personal templates (all, or those in ``ids``); personal
    versions of team templates are left out (their ids belong to the team's pack)."""
    from assistant.templates import store
    from assistant.templates.export import ExportError
    from assistant.templates.model import declare_placeholders

    now = now or datetime.now(timezone.utc)
    records = [r for r in store.list_personal(db) if not r.is_override
               and (ids is None or r.template_id in ids)]
    if not records:
        raise ExportError("There are no personal templates to export.")
    templates = []
    for record in records:
        data = declare_placeholders(record.template.to_dict())  # saved before names were declared
        data.pop("origin", None)
        data["locked"] = False
        templates.append(data)
    languages = sorted({lang for t in templates for lang in t["variants"]})
    default = Counter(t["default_language"] for t in templates).most_common(1)[0][0]
    return {
        "format": fmt.FORMAT_NAME, "format_version": fmt.FORMAT_VERSION, "id": pack_id,
        "title": title, "publisher": publisher or "Agent Assistant user",
        "publisher_key_id": None, "version": 1, "created": created_stamp(now),
        "min_app_version": re.match(r"\d+\.\d+(\.\d+)?", __version__).group(0),
        "default_language": default, "languages": languages, "templates": templates,
    }


def write_personal_pack(db, output: Path, **options) -> int:
    """Write the personal templates as a pack file, validated as an installer reads it and
    written atomically; returns the number of templates. Raises ExportError."""
    return _write_personal(personal_pack(db, **options), output)


def write_personal_pack_at(database: Path, output: Path, **options) -> int:
    """:func:`write_personal_pack` of the database at ``database``, read on a connection of
    its own, for a worker thread (1.0 s at 20,000 personal templates, the most an import
    brings at once). Raises ExportError, also when the database cannot be read."""
    from assistant.templates.export import read_for_export

    return _write_personal(read_for_export(database, lambda db: personal_pack(db, **options)), output)


def _write_personal(data: dict, output: Path) -> int:
    from assistant.templates.export import ExportError

    output = Path(output)
    try:
        write_pack(data, output)
    except fmt.PackRejected as exc:
        raise ExportError(f"The export would not be a valid pack: {exc}") from exc
    except OSError as exc:
        raise ExportError(f"Cannot write {output}: {exc.strerror or exc}") from exc
    return len(data["templates"])
