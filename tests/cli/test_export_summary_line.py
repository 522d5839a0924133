"""The export's one-line PRISMA summary adds up, also with an other-methods column."""

from __future__ import annotations

from workbench.cli.exporting import prisma_summary
from workbench.core.prisma import PrismaCounts


def counts(**other) -> PrismaCounts:
    return PrismaCounts(databases=(("Scopus", 420),), records_identified=446, duplicates=157,
                        records_screened=289, records_excluded=271, reports_sought=13,
                        reports_not_retrieved=11, reports_assessed=2, reports_excluded=1,
                        studies_included=5, **other)


def test_with_other_methods_each_column_is_summed_on_its_own_line():
    lines = prisma_summary(counts(other_sources=(("Hand search", 26),), other_sought=5,
                                  other_assessed=5, other_excluded=1))
    assert lines == [
        "Records 446, duplicates 157, screened 289, excluded 271 (both columns)",
        "  databases: sought 13, not retrieved 11, assessed 2, excluded 1, included 1",
        "  other methods: sought 5, not retrieved 0, assessed 5, excluded 1, included 4",
        "Included in total 5"]


def test_databases_only_is_one_line():
    p = counts()
    assert prisma_summary(p) == ["Records 446, duplicates 157, screened 289, excluded 271, "
                                 "sought 13, not retrieved 11, assessed 2, excluded 1, "
                                 "included 5"]
