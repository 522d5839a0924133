"""Group rows matched across coders by the group's key, and the one consensus rule on them."""

from __future__ import annotations

from workbench.core.codebook import Codebook, Dimension, Field, Group, Stage, Code
from workbench.core.coding import GroupRow
from workbench.core.conflicts import coding_conflicts
from workbench.core.consensus import CONFLICT, FINAL, PENDING, coding_consensus
from workbench.core.events import Event
from workbench.core.group_rows import find_match, key_similarity, match_rows, normalize_key

GROUP = Group("campaign", "Campaign", fields=(
    Field("name", "Name", "text", required=True), Field("reach", "Reach", "number"),
    Field("platform", "Platform", "text")))


def row(rid, **values):
    return GroupRow("campaign", rid, dict(values))


def test_keys_are_compared_without_case_spaces_or_punctuation():
    assert normalize_key("#MeTooPakistan") == normalize_key("MeToo Pakistan") == "metoopakistan"
    assert key_similarity("#ClimateActionPK", "Climate Action PK") == 100.0
    assert key_similarity("#MeTooPakistan", "#ClimateActionPK") < 50


def test_rows_match_by_key_best_pair_first_and_unmatched_rows_stand_alone():
    found = match_rows(GROUP, {
        "alice": [row("a1", name="#MeTooPakistan"), row("a2", name="#ClimateActionPK")],
        "bob": [row("b1", name="Climate Action PK"), row("b2", name="MeToo Pakistan"),
                row("b3", name="#HarassmentFreeStreets")]})
    assert [(m.key, sorted(r.row_id for r in m.rows.values())) for m in found] == [
        ("#MeTooPakistan", ["a1", "b2"]), ("#ClimateActionPK", ["a2", "b1"]),
        ("#HarassmentFreeStreets", ["b3"])]
    assert find_match(found, "metoo pakistan")[0] is found[0]
    assert find_match(found, "b3")[0] is found[2]
    missing, close = find_match(found, "#MeTooIndia")
    assert missing is None and "#MeTooPakistan" in close


def test_a_typo_in_the_key_still_matches_but_a_different_campaign_does_not():
    found = match_rows(GROUP, {"alice": [row("a1", name="#HarassmentFreeStreets")],
                               "bob": [row("b1", name="#HarassmentFreeStreet"),
                                       row("b2", name="#FreeStreets")]})
    assert len(found) == 2 and set(found[0].rows) == {"alice", "bob"}


def test_a_consensus_row_joins_the_match_of_the_coder_row_whose_id_it_carries():
    found = match_rows(GROUP, {"alice": [row("a1", name="x")], "bob": [row("b1", name="y")],
                               "consensus": [row("b1", name="renamed")]})
    assert [sorted(m.rows) for m in found] == [["alice"], ["bob", "consensus"]]


def _codebook():
    return Codebook(stages=(Stage("coding", kind="coding", reviewers=2),),
                    dimensions=(Dimension("platforms", "P", codes=(Code("twitter", "T"),)),),
                    fields=(Field("software", "Software"), Field("n", "N", "number")),
                    groups=(GROUP,))


def _cells(**sheets):
    out = {}
    for sheet, fields in sheets.items():
        out[sheet] = {f: Event(f"2025-01-01T00:00:{i:02d}.000000Z", sheet, "s1", "coding", f, v)
                      for i, (f, v) in enumerate(fields.items())}
    return out


def test_one_sided_values_and_rows_are_conflicts_and_untouched_equals_none():
    cells = _cells(alice={"code:platforms": "", "field:software": "R", "field:n": "5.0",
                          "row:campaign:a1": "1", "row:campaign:a1:name": "#MeToo",
                          "row:campaign:a1:reach": "5.2"},
                   bob={"field:n": "5", "row:campaign:b1": "1", "row:campaign:b1:name": "MeToo",
                        "row:campaign:b1:reach": "5.2", "row:campaign:b2": "1",
                        "row:campaign:b2:name": "#Other"})
    result = coding_consensus(_codebook(), "coding", "s1", cells, 2)
    status = {s.field: s.status for s in result.states}
    assert status["code:platforms"] == FINAL          # "" and untouched: both none
    assert status["field:software"] == CONFLICT       # one value against none
    assert status["field:n"] == FINAL                 # 5.0 = 5
    assert status["row:campaign:#MeToo"] == FINAL
    assert status["row:campaign:#MeToo:name"] == CONFLICT
    assert status["row:campaign:#MeToo:reach"] == FINAL
    assert status["row:campaign:#Other"] == CONFLICT  # bob's row only
    kinds = [(c.kind, c.field) for c in coding_conflicts(result)]
    assert kinds == [("field", "field:software"), ("row_field", "row:campaign:#MeToo:name"),
                     ("row", "row:campaign:#Other")]
    (agreed,) = result.rows["campaign"]
    assert agreed.values == {"name": "", "reach": "5.2", "platform": ""}
    assert agreed.unsettled == ("name",)


def test_one_coder_is_pending_and_the_consensus_settles_anything():
    cells = _cells(alice={"field:software": "R"})
    assert {s.field: s.status for s in coding_consensus(
        _codebook(), "coding", "s1", cells, 2).states}["field:software"] == PENDING
    cells = _cells(alice={"field:software": "R"}, bob={"field:software": "SAS"},
                   consensus={"field:software": "R and SAS", "row:campaign:c1": "1",
                              "row:campaign:c1:name": "#New"})
    result = coding_consensus(_codebook(), "coding", "s1", cells, 2)
    state = next(s for s in result.states if s.field == "field:software")
    assert (state.status, state.value, state.source) == (FINAL, "R and SAS", "consensus")
    assert [r.key for r in result.rows["campaign"]] == ["#New"]


def test_agreement_reads_an_untouched_dimension_as_no_code_like_the_conflicts():
    from workbench.core.agreement.audit import blind_selection, coding_variables

    def ev(who, field, value, n):
        return Event(f"2025-01-01T00:00:{n:02d}.000000Z", who, "s1", "coding", field, value, "",
                     "v")
    sheets = {"alice": [ev("alice", "code:platforms", "twitter", 1)],
              "bob": [ev("bob", "field:software", "R", 2)]}
    variables = {v.name: v for v in coding_variables(blind_selection(sheets, [], "coding"),
                                                     _codebook())}
    matrix = variables["code:platforms"].matrix
    assert matrix.loc["s1"].tolist() == [frozenset({"twitter"}), frozenset()]
    assert variables["code:platforms:twitter"].matrix.loc["s1"].tolist() == ["present", "absent"]
