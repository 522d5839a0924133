"""What `workbench sync` says when it had nothing of yours to send (s6 walkthrough:
"committed: 0 new decisions of yours" then "sent: 0 decisions")."""

from __future__ import annotations

from workbench.review.sync import SyncReport


def test_nothing_to_send_is_one_plain_line():
    report = SyncReport("alice", committed=0, sent=0, incoming={"bob": 6}, pushed=True)
    assert report.lines() == ["nothing new of yours to send", "bob: 6 new decisions"]


def test_what_was_sent_is_still_counted():
    report = SyncReport("alice", committed=1, sent=1, pushed=True)
    assert report.lines() == ["committed: 1 new decision of yours", "sent: 1 decision",
                              "nothing new from the others"]


def test_the_order_and_the_stopping_draw_are_not_counted_as_decisions():
    # s8 walkthrough: alice's first prioritised decision writes an `order` line with its own
    # time, and sync said "602 new decisions" for 601; a stopping draw of 147 studies would
    # have added 147 more
    from workbench.review.sync import _appends
    diff = "\n".join([
        "+++ b/coding/alice.csv",
        "+time,reviewer,study_id,stage,field,value,note,codebook_version,check",
        "+2026-11-29T16:23:49.293468Z,alice,S1,title_abstract,decision,exclude,,v,c1",
        "+2026-11-29T16:23:49.293468Z,alice,S1,title_abstract,criteria,E1,,v,c2",
        "+2026-11-29T16:23:49.314857Z,alice,S1,title_abstract,order,prioritised elas_u4,,v,c3",
        "+2026-11-29T16:30:00.000000Z,alice,S7,title_abstract,stopping_sample,"
        "\"test=1;urn=9;found=1;seq=0;draw=1\",,v,c4",
        "+2026-11-29T16:30:00.000000Z,alice,S8,title_abstract,stopping_sample,"
        "\"test=1;urn=9;found=1;seq=1;draw=1\",,v,c5",
        "+2026-11-29T16:31:00.000000Z,alice,S7,title_abstract,decision,include,,v,c6",
        "+2026-11-29T16:32:00.000000Z,alice,S8,coding,code:themes,a,,v,c7",
    ])
    assert _appends(diff, "") == {"coding/alice.csv": 3}
