"""`workbench fulltext link/status/extract` on a small review."""

from __future__ import annotations

import json

from workbench.review import Review

BIB = """@article{smith2020,
  author = {Smith, Ann and Jones, Bo},
  title = {Hashtag campaigns and policy change in South Asia},
  journal = {Journal of Things}, year = {2020}, doi = {10.1234/jot.2020.7}
}
@article{khan2019,
  author = {Khan, Sara},
  title = {Influencers as advocates for public health messages},
  journal = {Health Comms}, year = {2019}
}
"""


def setup(review, tmp_path):
    bib = tmp_path / "search.bib"
    bib.write_text(BIB, encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "paper.txt").write_text("Journal of Things 2020. doi:10.1234/jot.2020.7\n\n"
                                     "Hashtag campaigns and policy change in South Asia\n\n"
                                     "Body of the paper.", encoding="utf-8")
    (inbox / "web.html").write_text("<title>Influencers as advocates for public health "
                                    "messages</title><p>A case study.</p>", encoding="utf-8")
    return bib, inbox


def test_link_a_folder_then_status_and_extract(review, run, tmp_path):
    bib, inbox = setup(review, tmp_path)
    assert run("import", str(bib)).exit_code == 0
    result = run("fulltext", "link", str(inbox), "--reviewer", "alice", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert len(out["linked"]) == 2 and not out["uncertain"] and not out["unmatched"]
    files = sorted(p.name for p in (review / "fulltext").iterdir())
    assert len(files) == 2 and any(f.endswith(".html") for f in files)
    result = run("fulltext", "status", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sought"] == 0  # nothing screened in yet
    result = run("fulltext", "extract")
    assert result.exit_code == 0 and "1 page" in result.output


def test_link_one_file_to_an_unknown_study_fails_with_a_message(review, run, tmp_path):
    bib, inbox = setup(review, tmp_path)
    run("import", str(bib))
    result = run("fulltext", "link", str(inbox / "paper.txt"), "nope", "--reviewer", "alice")
    assert result.exit_code == 1
    assert "no study with id 'nope'" in result.output
    assert not (review / "fulltext").exists()
    study = Review.open(review).studies()[1].id
    result = run("fulltext", "link", str(inbox / "paper.txt"), study, "--reviewer", "alice")
    assert result.exit_code == 0 and f"-> {study}" in result.output


def test_password_pdf_needs_the_password_once(review, run, tmp_path, shared_data):
    bib, _ = setup(review, tmp_path)
    run("import", str(bib))
    study = Review.open(review).studies()[0].id
    pdf = shared_data / "fulltext" / "libreoffice_password_protected.pdf"
    assert run("fulltext", "link", str(pdf), study, "--reviewer", "alice").exit_code == 0
    result = run("fulltext", "extract", study)
    assert result.exit_code == 0 and "password-protected" in result.output
    result = run("fulltext", "extract", study, "--password", "openpassword", "--json")
    assert json.loads(result.output)[0]["problem"] == ""
    from workbench.review.fulltext import open_fulltext
    assert "Lorem ipsum" in open_fulltext(Review.open(review), study).pages[0].text  # cached


def test_overlap_with_no_passages(run):
    result = run("fulltext", "overlap")
    assert result.exit_code == 0 and "No study has full-text passages" in result.output
