"""The inbox folder: newer signed packs install by themselves; the rest waits, reported once."""

from __future__ import annotations

from dataclasses import replace

from assistant import settings
from assistant.packs import inbox, manage
from assistant.policy import Policy


def test_newer_signed_packs_install_automatically(runtime, trusted, packs, make_pack, make_template, now):
    db = runtime.db
    box = inbox.Inbox()
    policy = replace(Policy(), pack_inbox=str(packs.folder))
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
