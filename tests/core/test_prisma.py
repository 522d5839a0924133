"""PRISMA counts from final decisions, checked against numbers worked out by hand."""

from __future__ import annotations

from dataclasses import replace

from workbench.core.prisma import (BOX_EXCLUDED_ELIGIBILITY, BOX_EXCLUDED_SCREENING,
                                   BOX_INCLUDED, BOX_NOT_RETRIEVED, CITATIONS, CONFLICT,
                                   DATABASES, FINAL, ORGANISATIONS, PENDING, WEBSITES,
                                   FinalDecision, check_prisma, compute_flow, compute_prisma,
                                   source_method)

LABELS = {"E1": "Outside 2010-2025", "E2": "Not about Pakistan", "E3": "No policy outcome"}


def final(sid: str, stage: str, decision: str, *criteria: str) -> FinalDecision:
    return FinalDecision(sid, stage, FINAL, decision, tuple(criteria))


def flow():
    # 12 records: Scopus 7, WoS 4, "" 1; 9 studies (3 duplicates).
    databases = ["Scopus"] * 7 + ["Web of Science"] * 4 + [""]
    studies = [f"s{i}" for i in range(1, 10)]
    ta = {
        "s1": final("s1", "ta", "include"), "s2": final("s2", "ta", "include"),
        "s3": final("s3", "ta", "include"), "s4": final("s4", "ta", "include"),
        "s5": final("s5", "ta", "include"), "s6": final("s6", "ta", "include"),
        "s7": final("s7", "ta", "exclude", "E2"), "s8": final("s8", "ta", "exclude"),
        "s9": final("s9", "ta", "exclude", "E1"),
    }
    ft = {
        "s1": final("s1", "ft", "include"), "s2": final("s2", "ft", "include"),
        "s3": final("s3", "ft", "not_retrieved"),
        "s4": final("s4", "ft", "exclude", "E3", "E1"),
        "s5": final("s5", "ft", "exclude", "E1"), "s6": final("s6", "ft", "exclude", "E3"),
        "s7": final("s7", "ft", "include"),  # excluded at ta: must not count
    }
    return databases, studies, ta, ft


def test_counts_match_the_hand_computed_flow():
    databases, studies, ta, ft = flow()
    c = compute_prisma(databases, studies, ta, ft, LABELS, "ta", "ft")
    assert c.databases == (("(unknown)", 1), ("Scopus", 7), ("Web of Science", 4))
    assert (c.records_identified, c.duplicates, c.records_screened, c.records_excluded) == \
        (12, 3, 9, 3)
    assert (c.reports_sought, c.reports_not_retrieved, c.reports_assessed) == (6, 1, 5)
    assert (c.reports_excluded, c.studies_included, c.reports_included) == (3, 2, 2)
    reasons = [(r.criterion, r.label, r.n, r.n_any) for r in c.reasons]
    # E1 first in codebook order; s4 lists E3 first so its primary reason is E3.
    assert reasons == [("E1", "Outside 2010-2025", 1, 2), ("E3", "No policy outcome", 2, 2)]
    screening = [(r.criterion, r.n) for r in c.screening_reasons]
    assert screening == [("E1", 1), ("E2", 1), ("(none)", 1)]
    assert c.placement["s3"] == BOX_NOT_RETRIEVED
    assert c.placement["s4"] == BOX_EXCLUDED_ELIGIBILITY
    assert [s for s, box in c.placement.items() if box == BOX_INCLUDED] == ["s1", "s2"]
    assert check_prisma(c) == []


def test_unscreened_conflicts_and_maybe_are_named_with_their_stage():
    databases, studies, ta, ft = flow()
    del ta["s9"]
    ta["s8"] = FinalDecision("s8", "ta", PENDING)
    ta["s7"] = FinalDecision("s7", "ta", CONFLICT)
    ft["s1"] = FinalDecision("s1", "ft", CONFLICT)
    ft["s2"] = final("s2", "ft", "maybe")
    del ft["s3"]
    problems = check_prisma(compute_prisma(databases, studies, ta, ft, LABELS, "ta", "ft"))
    # The decision problems come first; the sums they break follow.
    assert problems[:5] == [
        "2 studies still unscreened at ta",
        "1 conflict unresolved at ta",
        "1 report still unscreened at ft",
        "1 conflict unresolved at ft",
        "1 report left as 'maybe' at ft",
    ]


def test_not_retrieved_at_title_abstract_is_refused():
    databases, studies, ta, ft = flow()
    ta["s9"] = final("s9", "ta", "not_retrieved")
    problems = check_prisma(compute_prisma(databases, studies, ta, ft, LABELS, "ta", "ft"))
    assert any("1 study marked not_retrieved at ta" in p and p.endswith(": s9") for p in problems)


def test_hand_built_counts_that_do_not_add_up_name_each_number():
    databases, studies, ta, ft = flow()
    c = compute_prisma(databases, studies, ta, ft, LABELS, "ta", "ft")
    bad = replace(c, records_screened=10, studies_included=3, reasons=c.reasons[:1])
    problems = check_prisma(bad)
    assert "records screened (10) != records identified (12) - duplicates (3) = 9" in problems
    assert ("studies included (3) != reports assessed (5) - reports excluded (3) = 2"
            in problems)
    assert "reports excluded (3) != sum of exclusion reasons = 1" in problems
    assert ("reports sought for retrieval (6) != records screened (10) - records excluded (3) = 7"
            in problems)


def test_one_screening_stage_includes_what_it_keeps():
    databases, studies, ta, _ = flow()
    c = compute_prisma(databases, studies, ta, None, LABELS, "ta")
    assert (c.reports_sought, c.reports_assessed, c.studies_included) == (6, 6, 6)
    assert check_prisma(c) == []


def test_every_screening_stage_counts_in_order():
    # title -> abstract -> full text: both early stages screen records.
    databases, studies, ta, ft = flow()
    abstract = {s: final(s, "ab", "include") for s in ("s1", "s2", "s3", "s4", "s5")}
    abstract["s6"] = final("s6", "ab", "exclude", "E2")
    abstract["s9"] = final("s9", "ab", "include")  # excluded at ta already: ignored
    c = compute_flow(databases, studies, [("ta", ta), ("ab", abstract), ("ft", ft)], LABELS)
    assert c.stages == ("ta", "ab", "ft")
    assert (c.records_screened, c.records_excluded, c.reports_sought) == (9, 4, 5)
    assert [(r.stage, r.criterion, r.n) for r in c.screening_reasons] == [
        ("ta", "E1", 1), ("ta", "E2", 1), ("ta", "(none)", 1), ("ab", "E2", 1)]
    assert (c.reports_not_retrieved, c.reports_assessed, c.reports_excluded) == (1, 4, 2)
    assert c.studies_included == 2 and c.placement["s6"] == BOX_EXCLUDED_SCREENING
    assert check_prisma(c) == []


def test_a_middle_stage_left_undone_is_named():
    databases, studies, ta, ft = flow()
    abstract = {s: final(s, "ab", "include") for s in ("s1", "s2", "s3", "s4", "s5")}
    c = compute_flow(databases, studies, [("ta", ta), ("ab", abstract), ("ft", ft)], LABELS)
    assert "1 study still unscreened at ab" in check_prisma(c)


def test_grey_literature_goes_down_the_other_methods_column():
    assert source_method("Scopus") == DATABASES
    assert source_method("Google Scholar") == DATABASES
    assert source_method("Grey literature") == WEBSITES
    assert source_method("NGO reports") == ORGANISATIONS
    assert source_method("Mongolia index") == DATABASES
    assert source_method("Websites") == WEBSITES
    assert source_method("Government organisations") == ORGANISATIONS
    assert source_method("Citation searching") == CITATIONS
    assert source_method("Hand search of references") == CITATIONS
    # 8 records: Scopus 4, grey 2, citation 2; s1 (Scopus + grey) is a database study.
    databases = ["Scopus"] * 4 + ["Grey literature"] * 2 + ["Citation searching"] * 2
    studies = ["s1", "s2", "s3", "g1", "c1", "c2"]
    where = {"s1": ("Scopus", "Grey literature"), "s2": ("Scopus", "Scopus"), "s3": ("Scopus",),
             "g1": ("Grey literature",), "c1": ("Citation searching",),
             "c2": ("Citation searching",)}
    ta = {s: final(s, "ta", "include") for s in studies}
    ta["c2"] = final("c2", "ta", "exclude", "E1")
    ft = {"s1": final("s1", "ft", "include"), "s2": final("s2", "ft", "exclude", "E3"),
          "s3": final("s3", "ft", "include"), "g1": final("g1", "ft", "include"),
          "c1": final("c1", "ft", "not_retrieved")}
    c = compute_flow(databases, studies, [("ta", ta), ("ft", ft)], LABELS, where)
    assert c.databases == (("Scopus", 4),)
    assert c.other_sources == (("Citation searching", 2), ("Grey literature", 2))
    assert c.other_methods == ((CITATIONS, 2), (WEBSITES, 2))
    assert (c.records_identified, c.duplicates, c.records_screened, c.records_excluded) == \
        (8, 2, 6, 1)
    assert (c.reports_sought, c.reports_assessed, c.reports_excluded) == (3, 3, 1)
    assert (c.other_sought, c.other_not_retrieved, c.other_assessed, c.other_excluded) == \
        (2, 1, 1, 0)
    assert (c.dbr_included, c.other_included, c.studies_included) == (2, 1, 3)
    assert check_prisma(c) == []
    bad = replace(c, other_assessed=2)
    assert any(p.startswith("reports assessed for eligibility (other methods) (2)")
               for p in check_prisma(bad))


def test_a_final_maybe_before_the_last_stage_is_sought_for_retrieval():
    databases, studies, ta, ft = flow()
    ta["s1"] = final("s1", "ta", "maybe")       # not excluded: full text sought
    c = compute_prisma(databases, studies, ta, ft, LABELS, "ta", "ft")
    assert (c.records_excluded, c.reports_sought, c.studies_included) == (3, 6, 2)
    assert c.placement["s1"] == BOX_INCLUDED and check_prisma(c) == []
    # A middle stage passes it on too; the last one does not.
    abstract = {s: final(s, "ab", "include") for s in ("s1", "s2", "s3", "s4", "s5", "s6")}
    abstract["s2"] = final("s2", "ab", "maybe")
    ft["s3"] = final("s3", "ft", "maybe")
    c = compute_flow(databases, studies, [("ta", ta), ("ab", abstract), ("ft", ft)], LABELS)
    assert c.reports_sought == 6 and c.placement["s2"] == BOX_INCLUDED
    assert check_prisma(c)[0] == "1 report left as 'maybe' at ft"


def test_a_maybe_at_the_only_stage_is_unfinished():
    databases, studies, ta, _ = flow()
    ta["s1"] = final("s1", "ta", "maybe")
    c = compute_prisma(databases, studies, ta, None, LABELS, "ta")
    assert c.studies_included == 5
    assert check_prisma(c)[0] == "1 study left as 'maybe' at ta"


def test_organisation_and_report_labels_are_organisations_grey_literature_websites():
    for label in ("Reports", "Policy reports", "UNESCO", "Ministry of IT publications",
                  "Grey literature (NGO reports)", "World Bank documents"):
        assert source_method(label) == ORGANISATIONS, label
    for label in ("Grey literature", "Gray literature", "Google search", "Web search"):
        assert source_method(label) == WEBSITES, label
    for label in ("Scopus", "Web of Science", "Google Scholar", "PubMed", "ERIC"):
        assert source_method(label) == DATABASES, label
