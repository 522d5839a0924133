"""Throughput of the MEDLINE, PubMed XML, WoS plain-text and CSV readers.

Run: .venv/bin/python benchmarks/bench_parsers_b.py [N]   (default N = 20000 records per format)
Prints records/s per format, by wall clock and by CPU time (the fairer figure on a
busy machine); the target is >= 10,000 records/s for MEDLINE and CSV.
"""

from __future__ import annotations

import csv
import io
import sys
import time

from workbench.io.formats.medline import parse_medline
from workbench.io.formats.pubmed_xml import parse_pubmed_xml
from workbench.io.formats.tabular import parse_table
from workbench.io.formats.wos import parse_wos

ABSTRACT = ("Social media campaigns in Pakistan shaped policy debates on women's rights, "
            "digital security and climate action; this study maps hashtags, reach and outcomes. ") * 4


def medline(n: int) -> str:
    parts = []
    for i in range(n):
        parts.append(
            f"PMID- {30000000 + i}\nOWN - NLM\nSTAT- MEDLINE\nIS  - 1234-5678 (Electronic)\n"
            f"VI  - {i % 50}\nIP  - {i % 12}\nDP  - {2000 + i % 25} Mar\n"
            f"TI  - Hashtag activism and policy change number {i}: a mixed-methods\n"
            f"      study of campaigns.\nPG  - 101-19\nLID - 10.1000/bench.{i} [doi]\n"
            f"AB  - {ABSTRACT[:70]}\n      {ABSTRACT[70:300]}\n"
            "FAU - Khan, Ayesha\nAU  - Khan A\nFAU - Ahmed, Bilal\nAU  - Ahmed B\nFAU - Raza, Sana\n"
            "AU  - Raza S\nLA  - eng\nPT  - Journal Article\nTA  - J Digit Soc\n"
            "JT  - Journal of Digital Society\nMH  - Social Media\nMH  - Politics\nOT  - activism\n"
            f"SO  - J Digit Soc. 2021;12(3):101-19.\n")
    return "\n".join(parts)


def wos(n: int) -> str:
    parts = ["FN Clarivate Analytics Web of Science\nVR 1.0\n"]
    for i in range(n):
        parts.append(
            f"PT J\nAU Khan, A\n   Ahmed, B\nAF Khan, Ayesha\n   Ahmed, Bilal\n"
            f"TI Hashtag activism and policy change number {i}: a mixed-methods\n   study\n"
            f"SO JOURNAL OF DIGITAL SOCIETY\nLA English\nDT Article\nDE activism; policy\n"
            f"ID SOCIAL MEDIA\nAB {ABSTRACT}\nC3 University\nPY {2000 + i % 25}\nVL 12\nIS 3\n"
            f"BP 101\nEP 119\nDI 10.1000/bench.{i}\nUT WOS:{i:015d}\nER\n\n")
    return "".join(parts) + "EF\n"


def pubmed_xml(n: int) -> str:
    article = (
        "<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><Journal><ISSN>1234-5678</ISSN>"
        "<JournalIssue><Volume>12</Volume><Issue>3</Issue><PubDate><Year>2021</Year></PubDate>"
        "</JournalIssue><Title>Journal of Digital Society</Title></Journal>"
        "<ArticleTitle>Hashtag activism number {pmid}</ArticleTitle><Abstract><AbstractText>"
        + ABSTRACT + "</AbstractText></Abstract><AuthorList><Author><LastName>Khan</LastName>"
        "<ForeName>Ayesha</ForeName></Author></AuthorList></Article></MedlineCitation>"
        "</PubmedArticle>\n")
    return "<PubmedArticleSet>\n" + "".join(article.format(pmid=i) for i in range(n)) + "</PubmedArticleSet>\n"


def scopus_csv(n: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Authors", "Author full names", "Title", "Year", "Source title", "Volume",
                     "Issue", "Page start", "Page end", "DOI", "Link", "Abstract", "Author Keywords",
                     "Index Keywords", "Document Type", "Source", "EID"])
    for i in range(n):
        writer.writerow(["Khan A.; Ahmed B.", "Khan, Ayesha (1); Ahmed, Bilal (2)",
                         f"Hashtag activism number {i}", 2000 + i % 25, "Journal of Digital Society",
                         "12", "3", "101", "119", f"10.1000/bench.{i}", "https://www.scopus.com/x",
                         ABSTRACT + ("\nsecond paragraph" if i % 10 == 0 else ""),
                         "activism; policy", "Social Media; Politics", "Article", "Scopus",
                         f"2-s2.0-{i}"])
    return out.getvalue()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    for name, make, parse in [("MEDLINE", medline, parse_medline), ("CSV (Scopus)", scopus_csv, parse_table),
                              ("WoS plain text", wos, parse_wos), ("PubMed XML", pubmed_xml, parse_pubmed_xml)]:
        text = make(n)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = parse(text, "bench", "bench")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert len(report.records) == n and not report.problems, name
        print(f"{name:16s} {n:7d} records {len(text) / 1e6:6.1f} MB  wall {elapsed:6.2f} s "
              f"{n / elapsed:9,.0f} records/s  cpu {cpu:6.2f} s {n / cpu:9,.0f} records/s")


if __name__ == "__main__":
    main()
