"""The inbox folder: newer signed packs install by themselves; the rest waits, reported once."""

from __future__ import annotations

from assistant import settings
from assistant.packs import inbox, manage
from assistant.policy import Policy
from assistant.templates import store


def test_newer_signed_packs_install_automatically(runtime, trusted, packs, make_pack, make_template, now):
    db = runtime.db
    box = inbox.Inbox()
    policy = Policy()._replace(pack_inbox=str(packs.folder))
    packs.write(make_pack(1), name="refunds.agentpack.json")
    report = box.check(db, policy, now)
    assert [(r.pack_id, r.version) for r in report.installed] == [("acme.refunds", 1)]
    assert "ACME refunds 1: 2 added, 0 updated" in report.message()
    # nothing changed on disk: nothing is read again
    assert box.check(db, policy, now).installed == []
    # a newer version dropped into the folder is picked up on the next check
    packs.write(make_pack(2, templates=[make_template("acme.refund.ok", "v2 {{greeting}}")]),
                name="refunds.agentpack.json")
    report = box.check(db, policy, now)
    assert [(r.version, r.merge.updated, r.merge.retired) for r in report.installed] == \
        [(2, ["acme.refund.ok"], ["acme.refund.late"])]
    assert manage.list_packs(db)[0].version == 2


def test_unsigned_untrusted_and_old_packs_wait(runtime, trusted, other_key, packs, make_pack, now):
    db = runtime.db
    settings.put(db, inbox.SETTING_KEY, str(packs.folder))
    packs.write(make_pack(3), name="a.agentpack.json")
    packs.write(make_pack(2), name="b-old-copy.agentpack.json")
    packs.write(make_pack(1, pack_id="acme.unsigned"), name="c.agentpack.json", sign=False)
    packs.write(make_pack(1, pack_id="acme.stranger"), name="d.agentpack.json", key=other_key)
    report = inbox.Inbox().check(db, Policy(), now)
    assert [(r.pack_id, r.version) for r in report.installed] == [("acme.refunds", 3)]
    assert report.up_to_date == ["b-old-copy.agentpack.json"]
    reasons = dict(report.rejected)
    assert "unsigned packs are not installed from the inbox" in reasons["c.agentpack.json"]
    assert "not a trusted publisher key" in reasons["d.agentpack.json"]
    assert [p.pack_id for p in manage.list_packs(db)] == ["acme.refunds"]


def test_no_folder_configured_does_nothing(runtime, now):
    assert inbox.Inbox().check(runtime.db, Policy(), now).installed == []


# -- hostile and unlucky inboxes ---------------------------------------------------------
# Each case: what the agent is told about the bad file, that the good pack beside it still
# installs, and that a refused file changes nothing in the database.

import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from assistant import reading  # noqa: E402
from assistant.packs import format as fmt  # noqa: E402

from .test_hostile_packs import db_state  # noqa: E402


def _inbox_policy(packs):
    return Policy()._replace(pack_inbox=str(packs.folder))


def test_fifos_are_refused_without_blocking_and_the_rest_installs(runtime, trusted, packs, make_pack, now):
    os.mkfifo(packs.folder / "a-pipe.agentpack.json")  # opening it to read would wait for a writer
    pipe_sig = packs.write(make_pack(1, pack_id="acme.pipesig"), name="b-pipesig.agentpack.json")
    sig = pipe_sig.with_name(pipe_sig.name + ".minisig")
    sig.unlink()
    os.mkfifo(sig)
    packs.write(make_pack(1), name="c-good.agentpack.json")
    started = time.monotonic()
    report = inbox.Inbox().check(runtime.db, _inbox_policy(packs), now)
    assert time.monotonic() - started < 5
    assert dict(report.rejected) == {
        "a-pipe.agentpack.json": "read: a-pipe.agentpack.json is a named pipe (FIFO), not a regular file",
        "b-pipesig.agentpack.json": "signature: the signature file b-pipesig.agentpack.json.minisig: "
                                    "b-pipesig.agentpack.json.minisig is a named pipe (FIFO), not a regular file"}
    assert [r.pack_id for r in report.installed] == ["acme.refunds"]


def test_links_are_followed_only_inside_the_inbox(runtime, trusted, packs, make_pack, tmp_path, now):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = packs.write(make_pack(1, pack_id="acme.outside"), name="x.agentpack.json")
    os.replace(target, outside / "x.agentpack.json")
    os.replace(target.with_name(target.name + ".minisig"), outside / "x.agentpack.json.minisig")
    (packs.folder / "a-out.agentpack.json").symlink_to(outside / "x.agentpack.json")
    (packs.folder / "b-dev.agentpack.json").symlink_to("/dev/zero")
    inside = packs.write(make_pack(1), name="real.bin")
    (packs.folder / "c-in.agentpack.json").symlink_to(inside)
    (packs.folder / "c-in.agentpack.json.minisig").symlink_to(inside.with_name(inside.name + ".minisig"))
    report = inbox.Inbox().check(runtime.db, _inbox_policy(packs), now)
    assert dict(report.rejected) == {
        "a-out.agentpack.json": f"read: a-out.agentpack.json is a link to a file outside {packs.folder}",
        "b-dev.agentpack.json": f"read: b-dev.agentpack.json is a link to a file outside {packs.folder}"}
    assert [r.pack_id for r in report.installed] == ["acme.refunds"]


def test_every_file_is_considered_not_the_first_200(runtime, trusted, packs, make_pack, now):
    for i in range(250):
        (packs.folder / f"a{i:03d}.agentpack.json").write_bytes(b"{}")
    packs.write(make_pack(1), name="zz-last.agentpack.json")
    report = inbox.Inbox().check(runtime.db, _inbox_policy(packs), now)
    assert len(report.rejected) == 250
    assert [r.pack_id for r in report.installed] == ["acme.refunds"]


def test_a_failure_in_one_pack_never_stops_the_others(runtime, trusted, packs, make_pack, monkeypatch, now):
    from assistant.packs import install

    packs.write(make_pack(1, pack_id="acme.broken"), name="a.agentpack.json")
    packs.write(make_pack(1), name="b.agentpack.json")
    real_apply = install.apply

    def apply(db, verified, *args, **kwargs):
        if verified.pack.id == "acme.broken":
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")  # a bug, say
        return real_apply(db, verified, *args, **kwargs)

    monkeypatch.setattr(install, "apply", apply)
    report = inbox.Inbox().check(runtime.db, _inbox_policy(packs), now)
    assert report.rejected == [("a.agentpack.json", "internal: could not be installed because of an internal "
                                                     "error (see the log)")]
    assert [r.pack_id for r in report.installed] == ["acme.refunds"]


def test_a_refused_file_is_retried_when_it_changes_not_before(runtime, trusted, packs, make_pack, now):
    db, box, policy = runtime.db, inbox.Inbox(), _inbox_policy(packs)
    path = packs.write(make_pack(1, expires="2026-11-10T00:00:00Z"))
    before = db_state(runtime)
    assert [name for name, _ in box.check(db, policy, now).rejected] == ["p.agentpack.json"]
    assert db_state(runtime) == before
    assert box.check(db, policy, now).rejected == []  # unchanged: not reported again
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched, same bytes
    assert box.check(db, policy, now).rejected == []
    # fixed: same size, and the old modification time put back
    packs.write(make_pack(1, expires="2026-11-30T00:00:00Z"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    report = box.check(db, policy, now)
    assert (report.rejected, [r.version for r in report.installed]) == ([], [1])


def test_the_same_pack_signed_again_by_a_trusted_key_is_judged_again(runtime, trusted, other_key, packs,
                                                                     make_pack, now):
    """A file is judged again when its bytes or its signature change: the digest is of both."""
    db, box, policy = runtime.db, inbox.Inbox(), _inbox_policy(packs)
    path = packs.write(make_pack(1), key=other_key)
    assert "not a trusted publisher key" in dict(box.check(db, policy, now).rejected)[path.name]
    assert box.check(db, policy, now).rejected == []  # the same bytes and signature: not again
    stat = path.stat()
    packs.write(make_pack(1))  # the same pack bytes, signed by the trusted key
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    report = box.check(db, policy, now)
    assert (report.rejected, [r.version for r in report.installed]) == ([], [1])


def test_a_republished_version_with_other_content_is_reported(runtime, trusted, packs, make_pack, make_template,
                                                              now):
    db, box, policy = runtime.db, inbox.Inbox(), _inbox_policy(packs)
    packs.write(make_pack(2))
    assert [r.version for r in box.check(db, policy, now).installed] == [2]
    packs.write(make_pack(2, templates=[make_template("acme.refund.ok", "Sneaky {{greeting}}")]))
    before = db_state(runtime)
    report = box.check(db, policy, now)
    assert report.rejected == [("p.agentpack.json", "version (field version): version 2 of 'acme.refunds' is "
                                                    "installed with other content; the publisher changed the "
                                                    "pack without raising its version (ask for version 3)")]
    assert report.up_to_date == [] and db_state(runtime) == before
    # an older copy next to it is just old, and the installed file itself is up to date
    packs.write(make_pack(2))
    packs.write(make_pack(1), name="old.agentpack.json")
    report = box.check(db, policy, now)
    assert (report.rejected, sorted(report.up_to_date)) == ([], ["old.agentpack.json", "p.agentpack.json"])


@pytest.fixture
def stuck_reads(monkeypatch):
    """Reads of files whose name contains 'stuck' hang until released (a share that stopped
    answering), with a short stall timeout."""
    release = threading.Event()
    real = reading._read_chunk
    stuck_fds = set()
    real_open = os.open

    def open_(path, flags, *args):
        fd = real_open(path, flags, *args)
        if "stuck" in os.fspath(path):
            stuck_fds.add(fd)
        return fd

    def read_chunk(fd, size):
        if fd in stuck_fds:
            release.wait(30)
        return real(fd, size)

    monkeypatch.setattr(reading.os, "open", open_)
    monkeypatch.setattr(reading, "_read_chunk", read_chunk)
    monkeypatch.setattr(fmt, "READ_STALL_S", 0.3)
    yield release
    release.set()


def test_a_stalled_read_is_abandoned_reported_once_and_retried(runtime, trusted, packs, make_pack, make_template,
                                                                now, stuck_reads):
    db, box, policy = runtime.db, inbox.Inbox(), _inbox_policy(packs)
    packs.write(make_pack(1, pack_id="acme.stuck", templates=[make_template("acme.stuck.one")]),
                name="a-stuck.agentpack.json")
    packs.write(make_pack(1), name="b-good.agentpack.json")
    started = time.monotonic()
    report = box.check(db, policy, now)
    assert time.monotonic() - started < 5
    assert report.rejected == [("a-stuck.agentpack.json", "read: reading a-stuck.agentpack.json stopped for more "
                                                          "than 0.3 s (a network folder that does not answer?)")]
    assert [r.pack_id for r in report.installed] == ["acme.refunds"]
    # the hung read still holds its thread: the file is not read a second time, nor reported again
    threads = threading.active_count()
    assert box.check(db, policy, now).rejected == []
    assert threading.active_count() == threads
    stuck_reads.set()  # the share answers again
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not box.check(db, policy, now).installed:
        time.sleep(0.05)
    assert {p.pack_id for p in manage.list_packs(db)} == {"acme.refunds", "acme.stuck"}


def test_the_inbox_frees_the_packs_it_read_on_its_own_thread(runtime, trusted, packs, make_pack, now):
    """Issue 18: the packs the inbox read went back to the GUI thread with its report and
    were freed there in one stretch (51-95 ms at 50,000 templates); the inbox's thread frees
    them, a slice at a time, installed or not."""
    box = inbox.Inbox()
    policy = _inbox_policy(packs)
    packs.write(make_pack(1), name="a.agentpack.json")
    packs.write(make_pack(1), name="b.agentpack.json")  # a copy: found up to date, not installed
    collected = box.collect(packs.folder, box.snapshot(runtime.db, policy), now)
    assert [len(c.verified.pack.data["templates"]) for c in collected] == [2, 2]
    report = box.install(runtime.db, policy, collected, now)
    assert [r.pack_id for r in report.installed] == ["acme.refunds"] and len(report.up_to_date) == 1
    assert [c.verified.pack.data["templates"] for c in collected] == [[], []]
    assert len(store.team_ids(runtime.db, "acme.refunds")) == 2
