"""Duplicate detection on hand-built records: traps stay apart, true duplicates merge."""

from __future__ import annotations

import pytest

from workbench.core.dedupe.duplicates import find_duplicates
from workbench.core.records import Record

BASE = dict(
    title="Hashtag campaigns and policy change: evidence from Pakistan",
    authors=("Khan, Ayesha", "Malik, Omar", "Shah, Sana"),
    year=2021, venue="Journal of Computer-Mediated Communication", volume="26", issue="4",
    pages="212-230", doi="10.1093/jcmc/zmab007", database="scopus",
)


def rec(rid: str, **changes) -> Record:
    """A record of the base study with some fields changed."""
    fields = dict(BASE)
    fields.update(changes)
    return Record(id=rid, **fields)


def same_study(records: list[Record]) -> bool:
    result = find_duplicates(records)
    return len({result.record_to_study[r.id] for r in records}) == 1


def separate(records: list[Record]) -> bool:
    result = find_duplicates(records)
    return len({result.record_to_study[r.id] for r in records}) == len(records)


# --- true duplicates merge ---------------------------------------------------------------

@pytest.mark.parametrize("changes", [
    dict(title="HASHTAG CAMPAIGNS AND POLICY CHANGE: EVIDENCE FROM PAKISTAN"),
    dict(title="Hashtag campaigns and policy change - evidence from Pakistan."),
    dict(title="Hashtag campaigns and policy change: evidence from Pakistan [Chinese]"),
    dict(title="[Hashtag campaigns and policy change: evidence from Pakistan]."),
    dict(title="Hashtag campaigns and policy change"),  # subtitle cut off
    dict(title="Hashtag campaigns and policy change: evidence from Pakistan."
               "[Erratum appears in J Comput Mediat Commun. 2022;27(1):1]"),
    dict(venue="J Comput Mediat Commun", doi=""),  # abbreviated journal, DOI missing
    dict(venue="J. Comput.-Mediat. Commun.", doi="", year=2022),
    dict(year=2022, doi=""),  # online first vs print
    dict(pages="212-30"),
    dict(authors=("Khan A.Malik O.Shah S.",)),  # run-together author list
    dict(doi="https://doi.org/10.1093/JCMC/ZMAB007".lower()[16:], database="wos"),
])
def test_variant_of_the_same_study_merges(changes):
    assert same_study([rec("aaaa0001-0001"), rec("bbbb0002-0001", **changes)])


def test_markup_and_accents_do_not_hide_a_duplicate():
    latex = rec("aaaa0001-0001", title=r"Effect of Z\"{u}rich-based \textit{in vitro} $\beta$-cell therapy")
    html = rec("bbbb0002-0001", title="Effect of Zürich-based <i>in vitro</i> &beta;-cell therapy", doi="")
    plain = rec("cccc0003-0001", title="effect of zurich based in vitro beta cell therapy", doi="")
    assert same_study([latex, html, plain])


def test_sparse_records_with_title_authors_and_year_merge():
    sparse = dict(venue="", volume="", issue="", pages="", doi="")
    a = rec("aaaa0001-0001", **sparse)
    b = rec("bbbb0002-0001", title=BASE["title"].lower(), authors=("A Khan", "O Malik"), **sparse)
    assert same_study([a, b])


def test_roman_and_arabic_numbers_and_thousands_separators_match():
    a = rec("aaaa0001-0001", title="Hashtag use by 10,000 people with type II diabetes in Pakistan")
    b = rec("bbbb0002-0001", title="Hashtag use by 10000 people with type 2 diabetes in Pakistan", doi="")
    assert same_study([a, b])


def test_pages_mangled_by_a_spreadsheet_still_match():
    a = rec("aaaa0001-0001", pages="11-19", doi="")
    b = rec("bbbb0002-0001", pages="Nov-19", doi="")
    assert same_study([a, b])


def test_same_pmid_merges_despite_different_venue_spelling():
    a = rec("aaaa0001-0001", pmid="31234567", venue="J Comput Mediat Commun")
    b = rec("bbbb0002-0001", pmid="31234567", doi="", title=BASE["title"].upper(), pages="")
    assert same_study([a, b])


def test_study_takes_the_most_complete_values_and_keeps_every_database():
    a = rec("aaaa0001-0001", abstract="", doi="", database="pubmed")
    b = rec("bbbb0002-0001", abstract="We study hashtags.", venue="J Comput Mediat Commun", database="wos")
    result = find_duplicates([a, b])
    (study,) = result.studies
    assert study.id == "Saaaa0001-0001"
    assert study.record_ids == ("aaaa0001-0001", "bbbb0002-0001")
    assert study.abstract == "We study hashtags."
    assert study.doi == BASE["doi"]
    assert study.venue == BASE["venue"]
    assert study.databases == ("pubmed", "wos")
    assert result.summary["duplicates_removed"] == 1


# --- traps stay apart ----------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "Erratum: Hashtag campaigns and policy change: evidence from Pakistan",
    "Corrigendum to \"Hashtag campaigns and policy change: evidence from Pakistan\"",
    "Correction: Hashtag campaigns and policy change: evidence from Pakistan",
    "Retraction notice to: Hashtag campaigns and policy change: evidence from Pakistan",
    "Reply to: Hashtag campaigns and policy change: evidence from Pakistan",
    "Comment on \"Hashtag campaigns and policy change: evidence from Pakistan\"",
    "Re: Hashtag campaigns and policy change: evidence from Pakistan",
])
def test_notice_sharing_the_title_and_doi_stays_apart(title):
    article = rec("aaaa0001-0001")
    notice = rec("bbbb0002-0001", title=title, pages="231")
    notice_same_pages = rec("cccc0003-0001", title=title)
    assert separate([article, notice])
    assert separate([article, notice_same_pages])


def test_conference_abstract_and_later_article_stay_apart():
    article = rec("aaaa0001-0001")
    abstract = rec("bbbb0002-0001", year=2020, venue="ICA Annual Conference: Abstracts", volume="",
                   pages="A45", doi="", pub_type="conference abstract")
    supplement = rec("cccc0003-0001", year=2020, venue="Journal of Computer-Mediated Communication",
                     volume="25", pages="S12", doi="")
    assert separate([article, abstract, supplement])


def test_supplement_abstracts_sharing_a_doi_stay_apart():
    shared = dict(venue="Diabetologia", volume="55", year=2012, doi="10.1007/s00125-012-2688-9")
    a = rec("aaaa0001-0001", title="Liraglutide attenuates plaque formation in ApoE knockout mice",
            authors=("Dear A. E.Gaspari T.",), pages="S321", **shared)
    b = rec("aaaa0001-0002", title="Exenatide therapy reduced intima-media thickness in type 2 diabetes",
            authors=("Yoshida M.Yamamoto N.",), pages="S322-S323", **shared)
    c = rec("aaaa0001-0003", title="The anti-atherosclerosis effect of dipeptidyl peptidase-4 inhibitors",
            authors=("Hirano T.Terasaki M.",), pages="S321", **shared)
    assert separate([a, b, c])


@pytest.mark.parametrize("one, two", [
    ("Part I: study design", "Part II: results"),
    ("part 1 - study design", "part 2 - study design"),
    ("Part I", "Part II"),
])
def test_numbered_parts_stay_apart(one, two):
    a = rec("aaaa0001-0001", title=f"Hashtag campaigns and policy change in Pakistan. {one}", doi="")
    b = rec("bbbb0002-0001", title=f"Hashtag campaigns and policy change in Pakistan. {two}", doi="",
            pages="231-250")
    b_same_pages = rec("cccc0003-0001", title=f"Hashtag campaigns and policy change in Pakistan. {two}",
                       doi="")
    assert separate([a, b])
    assert separate([a, b_same_pages])


def test_recurring_reports_of_different_years_stay_apart():
    common = dict(authors=("Digital Rights Foundation",), venue="", volume="", pages="", doi="", year=2021)
    a = rec("aaaa0001-0001", title="Annual report on online harassment in Pakistan 2019", **common)
    b = rec("bbbb0002-0001", title="Annual report on online harassment in Pakistan 2020", **common)
    assert separate([a, b])


@pytest.mark.parametrize("title", ["Editorial", "Introduction", "Preface", "Letter", "Book review", ""])
def test_generic_or_empty_titles_stay_apart(title):
    common = dict(title=title, abstract="", venue="Policy and Internet", volume="13", doi="")
    a = rec("aaaa0001-0001", authors=("Smith, J.",), pages="1", **common)
    b = rec("bbbb0002-0001", authors=("Smith, J.",), pages="5", **common)
    c = rec("cccc0003-0001", authors=("Jones, K.",), pages="1", **common)
    assert separate([a, b, c])


def test_generic_titles_merge_when_identifiers_and_fields_agree():
    common = dict(title="Editorial", authors=("Smith, J.",), pages="1", doi="10.1002/poi3.1")
    assert same_study([rec("aaaa0001-0001", **common), rec("bbbb0002-0001", **common)])


def test_translation_stays_apart():
    english = rec("aaaa0001-0001", language="English")
    chinese = rec("bbbb0002-0001", language="Chinese", venue="Chinese Journal of Communication",
                  doi="", pages="40-52")
    marker = rec("cccc0003-0001", title="[Hashtag movements and policy reform in Pakistan] [Chinese]",
                 doi="", venue="Chinese Journal of Communication")
    assert separate([english, chinese, marker])


def test_no_author_in_common_and_different_pages_stay_apart():
    a = rec("aaaa0001-0001", doi="")
    b = rec("bbbb0002-0001", doi="", authors=("Ahmed, Bilal",), pages="400-410")
    assert separate([a, b])


def test_title_cut_before_a_part_number_goes_to_a_person():
    part1 = rec("aaaa0001-0001", title="Hashtag campaigns and policy change in Pakistan. Part I", doi="")
    part2 = rec("aaaa0001-0002", title="Hashtag campaigns and policy change in Pakistan. Part II", doi="",
                pages="231-250")
    cut = rec("bbbb0002-0001", title="Hashtag campaigns and policy change in Pakistan", doi="", pages="")
    result = find_duplicates([part1, part2, cut])
    assert len(result.studies) == 3
    queued = {frozenset((p.record_a, p.record_b)) for p in result.uncertain}
    assert frozenset((part1.id, cut.id)) in queued and frozenset((part2.id, cut.id)) in queued
    # with the first page of Part II, the cut title is Part II
    cut_with_pages = cut.with_(pages="231-50")
    result = find_duplicates([part1, part2, cut_with_pages])
    assert result.record_to_study[cut.id] == result.record_to_study[part2.id] != \
        result.record_to_study[part1.id]


def test_chapter_and_its_whole_book_go_to_a_person_not_merged():
    """Found on a real Scopus export: same title, author, year, venue and first page,
    different DOIs (a chapter ...003.0001 and its book ...001.0001)."""
    chapter = Record(id="cccc0003-0001", title="Law and Sociology", authors=("Freeman, M.",),
                     year=2012, venue="Law and Sociology", pages="1-23", pub_type="Editorial",
                     doi="10.1093/acprof:oso/9780199282548.003.0001")
    book = chapter.with_(id="cccc0003-0002", pages="1-504", pub_type="Book",
                         doi="10.1093/acprof:oso/9780199282548.001.0001")
    result = find_duplicates([chapter, book])
    assert len(result.studies) == 2
    assert [frozenset((p.record_a, p.record_b)) for p in result.uncertain] == [
        frozenset((chapter.id, book.id))]
