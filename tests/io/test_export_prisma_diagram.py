"""The PRISMA 2020 flow diagram: every text inside its box, every number drawn."""

from __future__ import annotations

import re

from workbench.core.prisma import CITATIONS, WEBSITES, ExclusionReason, PrismaCounts
from workbench.io.exports.folder import ExportFolder
from workbench.io.exports.prisma import draw_prisma_figure, write_prisma_diagram

LONG = ("Population outside the review's scope: studies of adolescents recruited "
        "through schools in a different country")


def _counts() -> PrismaCounts:
    reasons = tuple(ExclusionReason("ft", f"E{i}", label, n, n) for i, (label, n) in
                    enumerate([(LONG, 7), ("Wrong outcome", 5), ("Theoretical, no empirical"
                               " evidence reported anywhere in the full text", 3),
                               ("Duplicate publication", 2)], 1))
    return PrismaCounts(
        databases=(("Scopus", 1234), ("Web of Science", 987),
                   ("A regional database with a very long name indeed (EBSCOhost)", 55)),
        records_identified=2290, duplicates=611, records_screened=1679,
        records_excluded=1402, reports_sought=277, reports_not_retrieved=19,
        reports_assessed=258, reports_excluded=17, studies_included=245,
        reasons=reasons, other_sources=(("Citation searching", 9), ("Grey literature", 5)),
        other_methods=((CITATIONS, 9), (WEBSITES, 5)), other_sought=14,
        other_not_retrieved=2, other_assessed=12, other_excluded=8,
        other_reasons=(ExclusionReason("ft", "E1", LONG, 8, 8),))


def test_every_text_fits_inside_its_box_and_boxes_do_not_overlap():
    fig = draw_prisma_figure(_counts(), "A review with a title")
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    patches = {p.get_gid(): p.get_window_extent(renderer) for p in ax.patches
               if (p.get_gid() or "").startswith("box")}
    texts = [t for t in ax.texts if (t.get_gid() or "").startswith("box")]
    assert len(texts) == len(patches) == 12
    for text in texts:
        inner, outer = text.get_window_extent(renderer), patches[text.get_gid()]
        assert outer.x0 <= inner.x0 and inner.x1 <= outer.x1, text.get_text()
        assert outer.y0 <= inner.y0 and inner.y1 <= outer.y1, text.get_text()
        assert text.get_fontsize() >= 9
        # a box is sized to its text: no more than about a line of slack
        assert outer.height - inner.height < 0.45 * fig.dpi, text.get_text()
    boxes = list(patches.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    # the side arrows have room to be seen: column gap of at least 0.4 inch
    main = patches["box0"]
    right = [b for b in boxes if b.x0 > main.x1]
    assert min(b.x0 for b in right) - main.x1 >= 0.4 * fig.dpi


def test_the_svg_shows_every_number_and_the_template_wording(tmp_path):
    counts = _counts()
    with ExportFolder(tmp_path / "exports") as folder:
        write_prisma_diagram(folder, "flow", counts)
        folder.commit()
    svg = (tmp_path / "exports" / "flow.svg").read_text(encoding="utf-8")
    text = " ".join(re.findall(r">([^<>]+)</text>", svg)).replace("&#39;", "'")
    numbers = {int(n.replace(",", "")) for n in re.findall(r"\(n = ([\d,]+)\)", text)}
    assert numbers >= {1234, 987, 55, 2276, 611, 1679, 1402, 277, 19, 258, 17, 7, 5, 3, 2,
                       245, 9, 14, 12, 8}
    for words in ("Databases (n = 2,276)", "Registers (n = 0)", "Websites (n = 5)",
                  "Organisations (n = 0)", "Citation searching (n = 9)"):
        assert words in text
    assert "all sources" not in text
