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
