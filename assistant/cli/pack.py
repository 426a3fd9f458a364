"""Team-lead and agent pack tools: ``assistant pack keygen | new | validate | sign | verify |
build | install | list | trust | keys | remove``.

Every failure exits non-zero with one precise message on stderr (which check, template and
field); ``validate`` and ``verify`` print ``--json`` results with the list of problems.
Passwords for encrypted secret keys come from ``--password-file``, the environment variable
``AGENT_ASSISTANT_KEY_PASSWORD``, or a prompt when a terminal is attached.
"""

from __future__ import annotations

import getpass
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from assistant.cli import CommandError, emit_json, open_runtime

PASSWORD_ENV = "AGENT_ASSISTANT_KEY_PASSWORD"


def register(subparsers) -> None:
    pack = subparsers.add_parser("pack", help="author, sign, verify and install template packs")
    sub = pack.add_subparsers(dest="pack_command", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("keygen", help="create a publisher key pair (minisign format)")
    p.add_argument("--secret-key", required=True, help="where to write the secret key")
    p.add_argument("--public-key", required=True, help="where to write the public key")
    p.add_argument("--unencrypted", action="store_true",
                   help="no password on the secret key (for build servers)")
    p.add_argument("--password-file", help="read the new password from this file")
    p.add_argument("--comment", default="", help="a note stored with the public key")
    p.add_argument("--force", action="store_true", help="overwrite existing key files")
    p.set_defaults(handler=cmd_keygen)

    p = sub.add_parser("new", help="write a new pack skeleton")
    p.add_argument("file", help="the pack file to create (NAME.agentpack.json)")
    p.add_argument("--id", required=True, help="stable pack id, e.g. acme.refunds")
    p.add_argument("--title", required=True)
    p.add_argument("--publisher", required=True)
    p.add_argument("--languages", default="en", help="comma-separated, the first is the default")
    p.add_argument("--force", action="store_true")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("validate", help="check a pack file without installing it")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("sign", help="sign a pack (writes FILE.minisig)")
    p.add_argument("file")
    p.add_argument("--secret-key", required=True)
    p.add_argument("--password-file")
    p.set_defaults(handler=cmd_sign)

    p = sub.add_parser("verify", help="check a pack's signature and content")
    p.add_argument("file")
    p.add_argument("--public-key", help="verify against this key instead of the trusted keys")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("build", help="assemble a pack from a source folder, validate and sign it")
    p.add_argument("source", help="a folder with pack.json and templates/*.json, or a pack file")
    p.add_argument("-o", "--output", help="output file (default: ID.agentpack.json)")
    p.add_argument("--version", type=int, help="pack version to write")
    p.add_argument("--secret-key", help="sign with this key")
    p.add_argument("--password-file")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("install", help="install or update a pack")
    p.add_argument("file")
    p.add_argument("--allow-unsigned", action="store_true",
                   help="confirm installing a pack without a signature (refused if the policy requires signatures)")
    p.add_argument("--downgrade", action="store_true",
                   help="install an older version (only if the policy allows downgrades)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_install)

    p = sub.add_parser("list", help="installed packs and their changelog")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("trust", help="trust a publisher key after checking its fingerprint")
    p.add_argument("public_key", help="a .pub file or the base64 key line")
    p.add_argument("--fingerprint", help="the fingerprint you checked with the publisher (required)")
    p.add_argument("--comment", default="")
    p.set_defaults(handler=cmd_trust)

    p = sub.add_parser("keys", help="list trusted publisher keys")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_keys)

    p = sub.add_parser("remove", help="uninstall a pack (personal versions stay)")
    p.add_argument("pack_id")
    p.set_defaults(handler=cmd_remove)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _password(args, new: bool) -> str:
    if getattr(args, "password_file", None):
        try:
            return Path(args.password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read the password file: {exc}") from exc
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandError(f"a password is needed: use --password-file or {PASSWORD_ENV}"
                           + (", or --unencrypted" if new else ""))
    first = getpass.getpass("Password for the secret key: ")
    if new and getpass.getpass("Repeat the password: ") != first:
        raise CommandError("the passwords differ")
    return first


def _secret(args):
    from assistant.packs import signing

    path = Path(args.secret_key)
    try:
        password = _password(args, False) if signing.secret_key_is_encrypted(path) else None
        return signing.load_secret_key(path, password)
    except signing.SignatureError as exc:
        raise CommandError(str(exc)) from exc


def cmd_keygen(args) -> int:
    from assistant.packs import signing

    password = None if args.unencrypted else _password(args, True)
    try:
        made = signing.generate_keypair(Path(args.secret_key), Path(args.public_key), password,
                                        comment=args.comment, overwrite=args.force)
    except signing.SignatureError as exc:
        raise CommandError(str(exc)) from exc
    print(f"Secret key: {made.secret_path} ({'unencrypted' if password is None else 'password-protected'}; keep it secret)")
    print(f"Public key: {made.public_path}")
    print(f"Key id: {made.info.key_id}")
    print(f"Fingerprint: {made.info.fingerprint}")
    print(f"Policy line: {made.info.public_key}")
    return 0


def cmd_new(args) -> int:
    import json

    from assistant.packs import build
    from assistant.packs import format as fmt

    path = Path(args.file)
    if path.exists() and not args.force:
        raise CommandError(f"{path} already exists")
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    data = build.skeleton(args.id, args.title, args.publisher, languages, _now())
    problems = fmt.validate_document(json.loads(fmt.canonical_bytes(data)))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CommandError(str(errors[0]))
    path.write_bytes(fmt.canonical_bytes(data))
    print(f"Wrote {path}")
    return 0


def _problems_out(problems, as_json: bool, extra: dict) -> None:
    if as_json:
        emit_json({**extra, "problems": [p.to_dict() for p in problems]})
    else:
        for p in problems:
            stream = sys.stdout if p.severity == "warning" else sys.stderr
            print(f"{p.severity}: {p}", file=stream)


def _caps():
    """The pack caps under this machine's policy (IT may raise the size cap)."""
    from assistant.packs import format as fmt
    from assistant.policy import load_policy

    return fmt.caps_for(load_policy())


def cmd_validate(args) -> int:
    from assistant.packs import format as fmt

    pack, problems = fmt.check_file(Path(args.file), _caps())
    errors = [p for p in problems if p.severity == "error"]
    extra = {"file": args.file, "valid": not errors}
    if pack is not None:
        extra.update(pack_id=pack.id, version=pack.version, templates=len(pack.templates))
    if args.json:
        _problems_out(problems, True, extra)
        return 1 if errors else 0
    _problems_out([p for p in problems if p.severity == "warning"], False, {})
    if errors:
        raise CommandError(f"{args.file} is not a valid pack: {errors[0]}"
                           + (f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""), 1)
    print(f"{args.file}: valid pack '{pack.id}' version {pack.version}, {len(pack.templates)} templates"
          + (f", {len(problems)} warnings" if problems else ""))
    return 0


def cmd_sign(args) -> int:
    from assistant.packs import format as fmt
    from assistant.packs import signing

    path = Path(args.file)
    pack, problems = fmt.check_file(path, _caps())
    if pack is None:
        raise CommandError(f"refusing to sign an invalid pack: {problems[0]}")
    secret = _secret(args)
    info = signing.public_key_of_secret(secret)
    if pack.key_id and pack.key_id != info.key_id:
        secret.wipe()
        raise CommandError(f"the pack names publisher key {pack.key_id} but this secret key is {info.key_id}")
    try:
        target = signing.sign_file(path, secret, f"timestamp:{int(_now().timestamp())}\tfile:{path.name}"
                                                 f"\tpack:{pack.id} version:{pack.version}")
    finally:
        secret.wipe()
    print(f"Signed {path} with key {info.key_id} ({info.fingerprint}): {target}")
    return 0


def cmd_verify(args) -> int:
    from assistant.packs import format as fmt
    from assistant.packs import install, signing, trust
    from assistant.policy import Policy

    path = Path(args.file)
    result = {"file": str(path), "valid": False, "signed": False, "key_id": None, "fingerprint": None}
    problems: list[fmt.Problem] = []
    try:
        from assistant.policy import load_policy

        raw, signature = install.read_files(path, load_policy())
        if signature is None:
            install.reject(fmt.SIGNATURE, f"there is no signature file {install.signature_path(path).name}")
        if args.public_key:
            try:
                _, info = signing.read_public_key_file(Path(args.public_key)) if Path(args.public_key).is_file() \
                    else signing.parse_public_key(args.public_key)
            except signing.SignatureError as exc:
                raise CommandError(str(exc)) from exc
            keys = [trust.TrustedKey(info, "command line")]
            policy = Policy()
        else:
            runtime = open_runtime(args)
            try:
                keys = trust.trusted_keys(runtime.db, runtime.policy)
                policy = runtime.policy
            finally:
                runtime.close()
        verified = install.prepare(raw, signature, keys, policy, now=_now())
        result.update(valid=True, signed=True, pack_id=verified.pack.id, version=verified.pack.version,
                      key_id=verified.key.key_id, fingerprint=verified.key.fingerprint)
        problems = verified.pack.warnings
    except fmt.PackRejected as exc:
        problems = exc.problems
    if args.json:
        _problems_out(problems, True, result)
        return 0 if result["valid"] else 1
    if not result["valid"]:
        raise CommandError(f"{path}: {problems[0]}", 1)
    _problems_out(problems, False, {})
    print(f"{path}: good signature by key {result['key_id']} ({result['fingerprint']}), "
          f"pack '{result['pack_id']}' version {result['version']}")
    return 0


def cmd_build(args) -> int:
    from assistant.packs import build
    from assistant.packs import format as fmt
    from assistant.packs import signing

    try:
        data = build.assemble(Path(args.source), args.version, _now())
        output = Path(args.output) if args.output else Path.cwd() / build.default_output_name(data)
        password = None
        if args.secret_key and signing.secret_key_is_encrypted(Path(args.secret_key)):
            password = _password(args, False)
        warnings = build.write_pack(data, output, Path(args.secret_key) if args.secret_key else None, password)
    except (build.BuildError, signing.SignatureError, OSError) as exc:
        raise CommandError(str(exc)) from exc
    except fmt.PackRejected as exc:
        raise CommandError(f"the built pack is not valid: {exc}") from exc
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"Built {output} (version {data.get('version')}, {len(data.get('templates', []))} templates"
          + (", signed)" if args.secret_key else ", unsigned)"))
    return 0


def cmd_install(args) -> int:
    from assistant.packs import install

    runtime = open_runtime(args)
    try:
        options = install.InstallOptions(allow_unsigned=args.allow_unsigned, allow_downgrade=args.downgrade)
        try:
            result = install.install_file(runtime.db, runtime.policy, Path(args.file), options, _now())
        except install.PackRejected as exc:
            raise CommandError(f"{args.file} was not installed: {exc}") from exc
    finally:
        runtime.close()
    if args.json:
        emit_json(result.to_dict())
        return 0
    mark = "signed by " + f"{result.key_id} ({result.fingerprint})" if result.signed else "UNSIGNED"
    print(f"{result.action.capitalize()}: '{result.pack_id}' version {result.version}, {mark}")
    print(f"  {result.merge.summary()}")
    for tid in result.merge.conflicts:
        print(f"  team version updated (yours kept): {tid}")
    for warning in result.warnings:
        print(f"  warning: {warning}")
    return 0


def cmd_list(args) -> int:
    from assistant.packs import manage

    runtime = open_runtime(args)
    try:
        packs = manage.list_packs(runtime.db)
        histories = {p.pack_id: manage.history(runtime.db, p.pack_id) for p in packs}
    finally:
        runtime.close()
    if args.json:
        emit_json([{**p.to_dict(), "history": [h.to_dict() for h in histories[p.pack_id]]} for p in packs])
        return 0
    if not packs:
        print("No packs installed.")
    for p in packs:
        flags = [f for f, on in (("unsigned", not p.signed), ("hidden", p.hidden), ("disabled", p.disabled)) if on]
        print(f"{p.pack_id}  v{p.version}  {p.title}  — {p.publisher}"
              + (f"  [{', '.join(flags)}]" if flags else ""))
        print(f"  key {p.key_id} ({p.fingerprint})" if p.signed else "  not signed")
        print(f"  installed {p.installed_at}, updated {p.updated_at}, {p.template_count} templates")
        for h in histories[p.pack_id][:5]:
            print(f"  {h.at}  {h.action} v{h.version}: {h.summary()}")
    return 0


def cmd_trust(args) -> int:
    from assistant.packs import signing, trust
    from assistant.policy import load_policy

    try:
        trust.ensure_keys_may_be_added(load_policy())
    except trust.TrustPinned as exc:
        raise CommandError(str(exc)) from exc
    source = Path(args.public_key)
    try:
        text = source.read_text(encoding="ascii") if source.is_file() else args.public_key
        _, info = signing.parse_public_key(text)
    except (OSError, UnicodeDecodeError, signing.SignatureError) as exc:
        raise CommandError(f"not a public key: {exc}") from exc
    if not args.fingerprint:
        raise CommandError(f"check the fingerprint {info.fingerprint} (key id {info.key_id}) with the "
                           f"publisher, then repeat with --fingerprint \"{info.fingerprint}\"")
    runtime = open_runtime(args)
    try:
        trust.add_key(runtime.db, text, args.comment, expected_fingerprint=args.fingerprint,
                      policy=runtime.policy)
    except signing.SignatureError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        runtime.close()
    print(f"Trusted key {info.key_id} ({info.fingerprint})")
    return 0


def cmd_keys(args) -> int:
    from assistant.packs import trust

    runtime = open_runtime(args)
    try:
        keys = [(k, True) for k in trust.trusted_keys(runtime.db, runtime.policy)]
        keys += [(k, False) for k in trust.inactive_keys(runtime.db, runtime.policy)]
        pinned = trust.pin_notice(runtime.policy) if runtime.policy.trust_only_policy_keys else None
    finally:
        runtime.close()
    rows = [{"key_id": k.key_id, "fingerprint": k.fingerprint, "source": k.source, "active": active,
             "comment": k.info.comment, "public_key": k.info.public_key} for k, active in keys]
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            print(f"{r['key_id']}  {r['fingerprint']}  ({r['source']}{'' if r['active'] else ', inactive'}) "
                  f"{r['comment']}")
        if pinned:
            print(f"Inactive keys trust nothing: {pinned}.")
    return 0


def cmd_remove(args) -> int:
    from assistant.packs import manage

    runtime = open_runtime(args)
    try:
        manage.remove_pack(runtime.db, args.pack_id, _now())
    except manage.ManageError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        runtime.close()
    print(f"Removed '{args.pack_id}'. Your personal versions of its templates were kept.")
    return 0
