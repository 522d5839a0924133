"""Full texts: extraction speed, link precision/recall, opening a cached 155-page text, memory.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_fulltext.py
Needs ../shared/data/fulltext (26 real PDFs and references.bib, key = file stem).

Prints:
- extraction time per page over the shared PDFs (median, p95), with the raw
  PDFium text call alone measured in the same run as the baseline;
- precision/recall of `fulltext link` against references.bib, twice: with the
  files' own names (which are the citation keys) and with neutral names, where
  only the content (DOI, first-page title) can link them. Target: every PDF
  with a text layer and a printed title linked correctly, no wrong link;
- time to open a cached 155-page text in the text panel (JSON read + first
  page painted), target < 200 ms for a 50-page article;
- peak memory.
"""

from __future__ import annotations

import asyncio
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "fulltext"
LONG = "who2022_hcv_children_guideline"
#: No text a reader could link by: a scan without OCR and a file that needs a password.
NOT_LINKABLE = {"severens_asih_plasma_scanned", "libreoffice_password_protected"}


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def bench_extraction() -> None:
    import pypdfium2 as pdfium

    from workbench.core.fulltext import build_extraction
    from workbench.io.fulltext import read_pdf_pages
    ours, raw = [], []
    for path in sorted(DATA.glob("*.pdf")):
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            continue  # the password file: nothing to time
        for i in range(len(document)):
            t = time.perf_counter()
            textpage = document[i].get_textpage()
            textpage.get_text_range()
            raw.append(time.perf_counter() - t)
        document.close()
        stamps = [time.perf_counter()]
        pages = read_pdf_pages(path, progress=lambda d, n: stamps.append(time.perf_counter()))
        t = time.perf_counter()
        build_extraction("0" * 64, path.name, "pdf", pages)
        repair = (time.perf_counter() - t) / max(len(pages), 1)
        ours += [b - a + repair for a, b in zip(stamps, stamps[1:])]
    med, med_raw = statistics.median(ours), statistics.median(raw)
    print(f"extraction per page over {len(ours)} pages: median {med * 1000:.1f} ms, "
          f"p95 {p95(ours) * 1000:.1f} ms (PDFium text call alone: median "
          f"{med_raw * 1000:.1f} ms, p95 {p95(raw) * 1000:.1f} ms; ratio {med / med_raw:.2f}x)")


def bench_linking(tmp: Path) -> None:
    from workbench.review import init_review
    from workbench.review.fulltext import link_folder
    for label, neutral in (("file names as shipped (= citation keys)", False),
                           ("neutral file names (content only)", True)):
        review = init_review(tmp / f"review-{neutral}")
        review.import_references([DATA / "references.bib"])
        key_of = {s: r.key for r in review.records() for s in [review.study_of_records()[r.id]]}
        folder = tmp / f"inbox-{neutral}"
        folder.mkdir()
        truth = {}
        for n, path in enumerate(sorted(DATA.glob("*.pdf")), 1):
            name = f"document_{n:03d}.pdf" if neutral else path.name
            shutil.copyfile(path, folder / name)
            truth[name] = path.stem
        t = time.perf_counter()
        report = link_folder(review, folder, "bench")
        elapsed = time.perf_counter() - t
        linked = {p.name: key_of[link.study_id] for p, link, _ in report.linked}
        right = sum(1 for name, key in linked.items() if truth[name] == key)
        wrong = sorted(f"{name}->{key}" for name, key in linked.items() if truth[name] != key)
        linkable = [name for name, stem in truth.items() if stem not in NOT_LINKABLE]
        found = sum(1 for name in linkable if linked.get(name) == truth[name])
        precision = right / len(linked) if linked else 1.0
        print(f"linking, {label}: {len(linked)} linked, {len(report.uncertain)} for a person, "
              f"{len(report.unmatched)} unmatched in {elapsed:.1f} s; precision "
              f"{precision:.3f}, recall {found}/{len(linkable)} = {found / len(linkable):.3f} "
              f"of the linkable PDFs ({right}/{len(truth)} of all){'; WRONG: ' if wrong else ''}"
              f"{', '.join(wrong)}")
        for path, verdict in report.uncertain:
            print(f"    for a person: {truth[path.name]} "
                  f"({len(verdict.candidates)} candidate(s))")
        for path, why in report.unmatched:
            print(f"    unmatched: {truth[path.name]}: {why[:90]}")


def bench_open(tmp: Path) -> None:
    from textual.app import App

    from workbench.io.fulltext import extract_fulltext
    from workbench.store.fulltext_cache import read_cached_extraction, write_cached_extraction
    from workbench.tui.widgets.text_panel import FullTextPanel
    results = {}
    for stem in (LONG, "mullen2007_timp_jss"):
        extraction = extract_fulltext(DATA / f"{stem}.pdf")
        write_cached_extraction(tmp, extraction)
        results[stem] = (extraction, [])

    class Bench(App):
        def compose(self):
            yield FullTextPanel()

    async def run() -> None:
        app = Bench()
        async with app.run_test(size=(120, 40)) as pilot:
            panel = app.query_one(FullTextPanel)
            for _ in range(7):
                for stem, (extraction, times) in results.items():
                    t = time.perf_counter()
                    cached = read_cached_extraction(tmp, extraction.sha256)
                    panel.show_extraction(cached, None, stem)
                    await pilot.pause()
                    times.append(time.perf_counter() - t)

    asyncio.run(run())
    for stem, (extraction, times) in results.items():
        print(f"open cached {stem} ({len(extraction.pages)} pages) in the text panel: median "
              f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
              f"(target < 200 ms for a 50-page article)")


def main() -> None:
    if not DATA.is_dir():
        sys.exit(f"{DATA} is not there")
    tracemalloc.start()
    bench_extraction()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memory: peak Python allocations while extracting {peak / 2**20:.1f} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        bench_linking(Path(tmp))
        bench_open(Path(tmp))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory: peak RSS of the whole run {rss:.0f} MiB")


if __name__ == "__main__":
    main()
