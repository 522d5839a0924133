"""Write a worked set of decisions into the example review, through the library API.

    .venv/bin/python examples/demo_decisions.py .          # the repository root
    .venv/bin/python examples/demo_decisions.py /tmp/copy  # a copy of it

Three people work on the seed study's review ("Social Media Activism and
Policy Change in Pakistan", Khalid 2025): alice and bob screen and code blind
to each other, carol resolves their conflicts. Every decision goes through
the same functions the CLI and the app call (`Review.decide_pair`,
`open_session(...).record`, `open_coding_session(...)`, `resolve_conflict`),
so the sheets it leaves are exactly what those people would have left. The
sheet API stamps each event with the time it is written; everything else is
fixed, so two runs differ only in times and group-row ids.

What each decision rests on:
- Title/abstract: the record's title, abstract, keywords and venue, read
  against the criteria in codebook.yaml. E1 excludes a study "not about
  Pakistan"; a regional or developing-countries study that covers Pakistan is
  not excluded by it.
- Full text: full texts are not shipped with the example, so this stage
  illustrates the flow (one report not retrieved, one exclusion with a
  criterion, one conflict) and its notes say what the reviewers looked for.
- Coding: only what a record's title, abstract and keywords support (a
  dimension stays empty rather than guessed); the campaign rows are the
  seed's Table 1, attached to the studies the seed cites for each campaign
  (#MeTooPakistan and harassment in public places: Farooq 2019;
  #ClimateActionPK: Riaz & Khalid 2021); a reach Table 1 leaves blank stays NA.
  bob's rows differ (a key spelled "MeToo Pakistan", a row and a value left
  out), so the table is agreed through the group-row path: rows matched by
  campaign name, carol resolving row by row (`ROW_CONSENSUS`).

The script refuses to run on a review whose coding/ already holds sheets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.review import Review
from workbench.review.resolving import resolve_conflict
from workbench.review.coding import open_coding_session
from workbench.review.screening import open_session

ALICE, BOB, CAROL = "alice", "bob", "carol"
DIMENSIONS = ("platforms", "activism_types", "campaign_kpis", "policy_results",
              "barriers_facilitators")

# The duplicate pair dedupe leaves for a person: the Scopus record and Google
# Scholar's listing of the same article, its title cut short.
PAIR = ("7c8cb074-0008", "829fb13e-0003", "same",
        "same authors (Alam, Rehman) and year (2018); Scholar cut the title before 'in Pakistan'")

# Study id -> the start of its title, checked before anything is written.
TITLES = {
    "S7c8cb074-0001": "Social media activism and political participation",
    "S7c8cb074-0002": "Digital activism and governance reforms",
    "S7c8cb074-0003": "The role of digital literacy",
    "S7c8cb074-0004": "Youth engagement and digital activism",
    "S7c8cb074-0005": "Hashtag activism and social change",
    "S7c8cb074-0006": "Social media and policy influence in developing countries",
    "S7c8cb074-0007": "Digital platforms and civic engagement in South Asia",
    "S7c8cb074-0008": "Social media campaigns and human rights awareness",
    "S7c8cb074-0009": "Hashtag movements and public accountability",
    "S7c8cb074-0010": "Twitter activism and political reforms",
    "S7c8cb074-0011": "Digital advocacy in Pakistan",
    "S7c8cb074-0012": "Civic engagement through Facebook campaigns",
    "S7c8cb074-0013": "Social media activism for environmental policy change",
    "S7c8cb074-0014": "Online mobilization and youth participation in governance",
    "S7c8cb074-0015": "Hashtag activism and gender rights awareness",
    "S7c8cb074-0016": "Political responsiveness to social media campaigns",
    "S7c8cb074-0017": "Digital campaigns for urban safety",
    "S7c8cb074-0018": "Social media as a tool for governance reform",
    "S7c8cb074-0019": "Civic activism through social media",
    "S7c8cb074-0020": "Social media and public policy change",
    "S7c8cb074-0021": "Impact of digital campaigns on youth engagement",
    "S7c8cb074-0022": "Role of Facebook activism in governance reforms",
    "S7c8cb074-0023": "Social media mobilization and policy influence",
    "S7c8cb074-0024": "Hashtag activism and civic engagement",
    "S7c8cb074-0025": "Online advocacy and human rights reform",
    "S7c8cb074-0026": "Youth-led social media campaigns and policy outcomes",
    "S7c8cb074-0027": "Social media as a tool for social change",
}

# -- title/abstract ------------------------------------------------------------------------------
# Study id -> {reviewer: (decision, criteria, note)}; studies not listed are
# included by both without a note (each names Pakistan and social media
# activism, campaigns or mobilization in its title or keywords, 2018-2021).
NO_PAKISTAN = "no country in title, keywords or venue, and no abstract"
TITLE_ABSTRACT = {
    "S7c8cb074-0006": {
        ALICE: ("include", [], "developing countries, but from Pakistan's perspective"),
        BOB: ("exclude", ["E1"], "developing countries in general, not a Pakistan study"),
    },
    "S7c8cb074-0007": {
        ALICE: ("maybe", [], "South Asia report, no abstract; Pakistan is one of the countries"),
        BOB: ("exclude", ["E1"], "regional report on South Asia, not on Pakistan"),
    },
    "S7c8cb074-0014": {
        ALICE: ("exclude", ["E1"], NO_PAKISTAN),
        BOB: ("exclude", ["E1"], NO_PAKISTAN),
    },
    "S7c8cb074-0022": {
        ALICE: ("exclude", ["E1"], NO_PAKISTAN + " (Media Asia covers all of Asia)"),
        BOB: ("maybe", [], "Facebook activism and governance; country not stated"),
    },
    "S7c8cb074-0026": {
        ALICE: ("maybe", [], "South Asian venue; country not stated"),
        BOB: ("include", [], "youth-led campaigns and policy outcomes (I1, I3)"),
    },
    "S7c8cb074-0027": {
        BOB: ("include", [], "no abstract; check at full text that it reports evidence (E2)"),
    },
}
# carol's resolutions at title/abstract: study id -> (decision, criteria, reason).
TITLE_ABSTRACT_CONSENSUS = {
    "S7c8cb074-0006": ("include", [], "the title says Pakistan's perspective; E1 excludes only "
                       "studies not about Pakistan"),
    "S7c8cb074-0007": ("include", [], "E1 excludes studies not about Pakistan, and a South Asia "
                       "report covers Pakistan; the seed cites it; check Pakistan content at "
                       "full text"),
    "S7c8cb074-0022": ("exclude", ["E1"], "nothing in title, keywords or venue ties it to "
                       "Pakistan, as for the Mahmood & Rafiq record both excluded"),
    "S7c8cb074-0026": ("include", [], "youth-led campaigns and policy outcomes meet I1 and I3; "
                       "the country is checked at full text"),
}

# -- full text -----------------------------------------------------------------------------------
# Study id -> {reviewer: (decision, criteria, note)}; the others that passed
# are included by both.
FULL_TEXT = {
    "S7c8cb074-0026": {
        ALICE: ("not_retrieved", [], "no library holds South Asian Policy Review 7(2); "
                "interlibrary loan unanswered"),
        BOB: ("not_retrieved", [], "not found online or through the library"),
    },
    "S7c8cb074-0027": {
        ALICE: ("exclude", ["E2"], "conceptual overview; reports no data of its own"),
        BOB: ("exclude", ["E2"], "argument from the literature, no empirical evidence"),
    },
    "S7c8cb074-0007": {
        ALICE: ("include", [], "covers Pakistan among the South Asian countries"),
        BOB: ("exclude", ["E1"], "regional report; Pakistan is one country among eight"),
    },
}
FULL_TEXT_CONSENSUS = {
    "S7c8cb074-0007": ("include", [], "E1 excludes studies not about Pakistan; the report "
                       "covers Pakistan, so it stays (coded from what it says on Pakistan)"),
}

# -- coding --------------------------------------------------------------------------------------
# Study id -> {dimension: codes} both coders chose; dimensions not named stay
# empty. Only what the title, abstract and keywords support.
CODES = {
    "S7c8cb074-0001": {"platforms": ["twitter", "facebook", "whatsapp"],
                       "barriers_facilitators": ["internet_access"]},
    "S7c8cb074-0002": {"activism_types": ["governance_accountability", "workplace_harassment",
                                          "public_space_harassment", "anti_corruption",
                                          "human_rights"],
                       "campaign_kpis": ["hashtag_use"],
                       "policy_results": ["legislative_change", "government_measures",
                                          "institutional_measures"],
                       "barriers_facilitators": ["government_response", "media_efforts"]},
    "S7c8cb074-0003": {"barriers_facilitators": ["internet_access", "urban_rural_divide",
                                                 "digital_literacy", "socio_economic",
                                                 "cultural_norms", "gender_norms"]},
    "S7c8cb074-0004": {"activism_types": ["governance_accountability", "gender_rights",
                                          "environmental_advocacy", "anti_corruption",
                                          "education_rights"],
                       "barriers_facilitators": ["cultural_norms", "gender_norms"]},
    "S7c8cb074-0005": {"activism_types": ["social_justice", "gender_rights",
                                          "environmental_advocacy"],
                       "campaign_kpis": ["hashtag_use"],
                       "policy_results": ["government_measures", "policy_review"],
                       "barriers_facilitators": ["offline_advocacy"]},
    "S7c8cb074-0006": {"barriers_facilitators": ["government_response", "media_efforts",
                                                 "offline_advocacy"]},
    "S7c8cb074-0008": {"activism_types": ["human_rights"]},
    "S7c8cb074-0009": {"activism_types": ["governance_accountability"],
                       "campaign_kpis": ["hashtag_use"]},
    "S7c8cb074-0010": {"platforms": ["twitter"]},
    "S7c8cb074-0012": {"platforms": ["facebook"]},
    "S7c8cb074-0013": {"activism_types": ["environmental_advocacy"]},
    "S7c8cb074-0015": {"activism_types": ["gender_rights"], "campaign_kpis": ["hashtag_use"]},
    "S7c8cb074-0016": {"barriers_facilitators": ["government_response"]},
    "S7c8cb074-0018": {"activism_types": ["governance_accountability"]},
    "S7c8cb074-0024": {"campaign_kpis": ["hashtag_use"]},
    "S7c8cb074-0025": {"activism_types": ["human_rights"]},
}
# Where the coders differ: study id -> {dimension: {coder: codes}}.
CODE_DIFFERENCES = {
    # Table 1 puts #MeTooPakistan on Twitter, but this abstract names no platform.
    "S7c8cb074-0002": {"platforms": {ALICE: [], BOB: ["twitter"]}},
    # bob did not read "women ... socio-cultural restrictions" as gender norms.
    "S7c8cb074-0003": {"barriers_facilitators": {
        BOB: ["internet_access", "urban_rural_divide", "digital_literacy", "socio_economic",
              "cultural_norms"]}},
    # Awareness and attitudes changed, no policy outcome reported.
    "S7c8cb074-0004": {"policy_results": {ALICE: ["no_policy_change"], BOB: []}},
}
CODE_CONSENSUS = {
    ("S7c8cb074-0002", "platforms"): (
        "", "the abstract names no platform; Table 1's platforms are kept in the campaign rows"),
    ("S7c8cb074-0003", "barriers_facilitators"): (
        "internet_access;urban_rural_divide;digital_literacy;socio_economic;cultural_norms;"
        "gender_norms",
        "the abstract names women among those held back by socio-cultural restrictions"),
    ("S7c8cb074-0004", "policy_results"): (
        "no_policy_change", "the abstract reports awareness and attitude change and no policy "
        "outcome; the seed reads it the same way"),
}

# Extraction fields both coders gave: study id -> {field: value}. source_type
# comes from the record type (journal articles are peer reviewed).
YOUTH = {"S7c8cb074-0004", "S7c8cb074-0021"}
DESIGN = {"S7c8cb074-0002": "case_study", "S7c8cb074-0017": "case_study"}
KEY_FINDINGS = {  # verbatim from the abstract, as both coders copied it
    "S7c8cb074-0002": "#MeTooPakistan contributed to workplace harassment complaint mechanisms "
                      "and changes in labour law.",
    "S7c8cb074-0005": "Environmental campaigning under #ClimateActionPK led to a government "
                      "commitment to climate mitigation strategies and urban tree planting",
    "S7c8cb074-0006": "Awareness campaigns on social media can mobilise support, but they may "
                      "not become concrete policy change without sustained advocacy, civil "
                      "society partnerships and responsive political institutions.",
}
SOURCE_TYPE_DIFFERENCES = {"S7c8cb074-0007": {ALICE: "government_report", BOB: "grey_literature"}}
FIELD_CONSENSUS = {
    ("S7c8cb074-0007", "source_type"): (
        "grey_literature", "UNESCO is an intergovernmental organisation, not a government; "
        "its report is grey literature"),
}

# The seed's Table 1 (reach in millions, engagement in %); an empty reach is NA.
METOO = {"name": "#MeTooPakistan", "platform": "twitter", "hashtag_reach": "5.2",
         "engagement_rate": "7.5", "policy_action": "Workplace policy revisions"}
CLIMATE = {"name": "#ClimateActionPK", "platform": "facebook;instagram", "hashtag_reach": "",
           "engagement_rate": "3.8", "policy_action": "Environmental policy review"}
STREETS = {"name": "#HarassmentFreeStreets", "platform": "twitter;whatsapp",
           "hashtag_reach": "", "engagement_rate": "2.4",
           "policy_action": "Municipal street safety measures"}
CAMPAIGNS = {"S7c8cb074-0002": [METOO, STREETS], "S7c8cb074-0005": [CLIMATE]}
# bob's rows differ the way two coders' rows do: the key spelled differently
# (matched all the same: "MeToo Pakistan" is "#MeTooPakistan"), a row he did
# not enter, and a value he left out. carol resolves them row by row.
BOB_CAMPAIGNS = {
    "S7c8cb074-0002": [{**METOO, "name": "MeToo Pakistan"}],
    "S7c8cb074-0005": [{**CLIMATE, "policy_action": ""}],
}
# carol's group-row resolutions: (study, field, value, from coder, reason).
ROW_CONSENSUS = [
    ("S7c8cb074-0002", "row:campaign:#MeTooPakistan:name", "#MeTooPakistan", None,
     "the seed's Table 1 spells it #MeTooPakistan"),
    ("S7c8cb074-0002", "row:campaign:#HarassmentFreeStreets", "", ALICE,
     "Table 1 lists #HarassmentFreeStreets and the seed cites Farooq 2019 for it"),
    ("S7c8cb074-0005", "row:campaign:#ClimateActionPK:policy_action", "", ALICE,
     "Table 1: environmental policy review"),
]

# Each coder's own annotations (memos, evidence, flags are not compared).
MEMOS = {
    ALICE: [("S7c8cb074-0006", "barriers_facilitators",
             "Facilitators: offline advocacy, NGO and media partnerships. Barrier: "
             "institutions that do not respond.")],
    BOB: [("S7c8cb074-0002", "barriers_facilitators",
           "Government response is selective: faster for cases with wide media coverage "
           "(media_efforts as facilitator).")],
}
EVIDENCE = {
    ALICE: [("S7c8cb074-0003", "digital_literacy",
             "rural populations, women and lower-income groups face limited access to "
             "technology, low digital literacy and socio-cultural restrictions")],
    BOB: [("S7c8cb074-0005", "policy_review",
           "Environmental campaigning under #ClimateActionPK led to a government commitment "
           "to climate mitigation strategies")],
}
FLAGS = {ALICE: [("S7c8cb074-0007", "no abstract and a regional report: agree which of its "
                  "findings are about Pakistan before coding more than the source type")]}


def refuse_if_decided(root: Path) -> None:
    """Stop when coding/ already holds sheets: the script writes a first set, never a second."""
    coding = root / "coding"
    sheets = sorted(coding.glob("*.csv")) + sorted((coding / "duplicates").glob("*.csv"))
    if sheets:
        names = ", ".join(str(p.relative_to(root)) for p in sheets)
        sys.exit(f"{coding}: already holds sheets ({names}); nothing was written")


def check_studies(review: Review) -> None:
    """Stop unless the review's studies are the example's (ids and titles)."""
    studies = {s.id: s.title for s in review.studies()}
    for sid, start in TITLES.items():
        title = studies.get(sid)
        if title is None or not title.lower().startswith(start.lower()):
            sys.exit(f"{review.root}: study {sid} is {title!r}, expected {start!r}...; "
                     "this is not the example review; nothing more was written")


def screen(review: Review, stage: str, plan: dict) -> None:
    """Both reviewers screen their whole work list at one stage."""
    for reviewer in (ALICE, BOB):
        session = open_session(review, reviewer, stage)
        for study in session.studies:
            decision, criteria, note = plan.get(study.id, {}).get(reviewer, ("include", [], None))
            session.record(study.id, decision, criteria, note)


def resolve_screening(review: Review, stage: str, plan: dict) -> None:
    """carol resolves each screening conflict."""
    for sid, (decision, criteria, reason) in plan.items():
        resolve_conflict(review, sid, stage, "decision", decision, CAROL, reason,
                         criteria=criteria)


def code(review: Review) -> None:
    """Both coders code every included study."""
    for coder in (ALICE, BOB):
        session = open_coding_session(review, coder)
        for study in session.studies:
            sid = study.id
            for dim in DIMENSIONS:
                codes = CODE_DIFFERENCES.get(sid, {}).get(dim, {}).get(
                    coder, CODES.get(sid, {}).get(dim, []))
                session.set_codes(sid, dim, codes)
            source_type = "grey_literature" if study.title.startswith("Digital platforms") \
                else "peer_reviewed"
            source_type = SOURCE_TYPE_DIFFERENCES.get(sid, {}).get(coder, source_type)
            session.set_field(sid, "source_type", source_type)
            if sid in DESIGN:
                session.set_field(sid, "study_design", DESIGN[sid])
            if sid in YOUTH:
                session.set_field(sid, "youth_focus", "true")
            if sid in KEY_FINDINGS:
                session.set_field(sid, "key_finding", KEY_FINDINGS[sid])
            rows = BOB_CAMPAIGNS if coder == BOB else CAMPAIGNS
            for row in rows.get(sid, []):
                session.add_row(sid, "campaign", row)
        for sid, dim, text in MEMOS.get(coder, []):
            session.set_memo(sid, dim, text)
        for sid, code_id, quote in EVIDENCE.get(coder, []):
            session.set_evidence(sid, code_id, quote)
        for sid, reason in FLAGS.get(coder, []):
            session.set_flag(sid, True, reason)


def resolve_coding(review: Review) -> None:
    """carol resolves each coding conflict."""
    for (sid, dim), (value, reason) in CODE_CONSENSUS.items():
        resolve_conflict(review, sid, "coding", f"code:{dim}", value, CAROL, reason)
    for (sid, fld), (value, reason) in FIELD_CONSENSUS.items():
        resolve_conflict(review, sid, "coding", f"field:{fld}", value, CAROL, reason)
    for sid, field_name, value, coder, reason in ROW_CONSENSUS:
        resolve_conflict(review, sid, "coding", field_name, value, CAROL, reason,
                         from_coder=coder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("review", type=Path, help="the example review folder (e.g. .)")
    root = parser.parse_args(argv).review
    refuse_if_decided(root)
    review = Review.open(root)
    check_studies(review)
    review.decide_pair(ALICE, *PAIR)
    review = Review.open(root)
    if len(review.studies()) != len(TITLES):
        sys.exit(f"{root}: {len(review.studies())} studies after the pair decision, expected "
                 f"{len(TITLES)}")
    screen(review, "title_abstract", TITLE_ABSTRACT)
    resolve_screening(review, "title_abstract", TITLE_ABSTRACT_CONSENSUS)
    screen(review, "full_text", FULL_TEXT)
    resolve_screening(review, "full_text", FULL_TEXT_CONSENSUS)
    code(review)
    resolve_coding(review)
    print(f"wrote the decisions of {ALICE}, {BOB} and {CAROL} to {root / 'coding'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
