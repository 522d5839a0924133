"""Only web and DOI links from the data reach the system opener (workbench.core.links)."""

from __future__ import annotations

import pytest

from workbench.core.links import doi_link, study_links, web_link


@pytest.mark.parametrize("url", ["https://example.org/a?b=1#c", "http://x.org",
                                 " HTTPS://X.ORG/p "])
def test_web_links_open(url):
    assert web_link(url) == url.strip()


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "javascript:alert(1)", "smb://server/share", "data:text/html,<b>",
    "/usr/bin/xcalc", "-e /bin/sh", "--help", "C:\\Windows\\calc.exe", "calc.exe",
    "https://", "https:///path", "http://exa mple.org", "https://x.org/\x00a",
    "https://x.org\nfile:///etc/passwd", "https://x.org/\"onload", "https://[::1", "",
    "ftp://x.org/f", "x-scheme-handler://x", "vscode://file/etc/passwd",
])
def test_everything_else_is_refused(url):
    assert web_link(url) is None


def test_doi_links_go_to_the_resolver_percent_encoded():
    assert doi_link("10.1000/jdp.2019.001") == "https://doi.org/10.1000/jdp.2019.001"
    assert doi_link("doi:10.1000/ABC") == "https://doi.org/10.1000/ABC"
    assert doi_link("10.1002/(SICI)1097-4571(199806)49:8<693::AID>3.0.CO;2-0") == (
        "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID%3E3.0.CO;2-0")
    assert doi_link("10.1000/a?b#c@evil.org") == "https://doi.org/10.1000/a%3Fb%23c%40evil.org"
    for not_a_doi in ("", "javascript:alert(1)", "10.1/x", "10.1000/a b", "11.1000/x"):
        assert doi_link(not_a_doi) is None


def test_study_links_order_and_refusals():
    links = study_links(["/r/references/a.pdf"], "10.1000/x", "https://example.org/p")
    assert links.openable == ("/r/references/a.pdf", "https://doi.org/10.1000/x",
                              "https://example.org/p")
    assert links.refused == ()
    links = study_links([], "", "file:///etc/passwd")
    assert links.openable == () and links.refused == ("file:///etc/passwd",)
    links = study_links([], "10.1000/x", "https://doi.org/10.1000/x")
    assert links.openable == ("https://doi.org/10.1000/x",)
    links = study_links([], "", "doi:10.1000/y")
    assert links.openable == ("https://doi.org/10.1000/y",)
    assert study_links([], "", "   ") == study_links([], "", "")
