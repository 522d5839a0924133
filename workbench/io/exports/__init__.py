"""Writers of the review's outputs: tables, workbooks, figures and files for other tools.

Every file of an export goes through one function: `folder.ExportFolder`
(`with ExportFolder(exports_dir) as out:` then `write_csv(out, name, frame)` and
its siblings), which writes them all or none. `workbench.review.exporting`
decides what goes in; the modules here only turn values into files.

- `folder`: the atomic export folder and `write_csv`, `write_json`, `write_text`, `write_xlsx`.
- `decisions` (with `coding`, the vectorized consensus rule): the decisions an export uses.
- `tables`, `dictionary`, `evidence`: the coded dataset, its data dictionary, the quotes.
- `summary`, `prisma`: summary tables and charts; the PRISMA 2020 counts and diagram.
- `stats` (with `rscript`): Stata, SPSS and the R loader. `refs`, `csl`: BibTeX, RIS, CSL-JSON.
- `xlsx`: the fast XLSX writer. `background`: part of an export in a second process.
- `sheet_table`: the wide coding sheet (`write_sheet_table`).
- `records_table`: normalized records as CSV / JSON Lines (`write_records`) and back.
"""
