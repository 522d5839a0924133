"""Readers of the databases' search exports: bytes on disk in, records and problems out.

A caller uses one function: `workbench.io.formats.references.read_export(path)`,
which decodes the file, detects its format and dispatches to the parser.

- `references`: `read_export`, the entry point (and `guess_database`).
- `encoding`: bytes to text (BOMs, UTF-16, legacy encodings, line ends).
- `detect`: which format a decoded file is in, from its content first.
- `bibtex`, `ris`, `wos`, `medline`, `pubmed_xml`, `endnote_xml`: one parser per format.
- `tabular` (with `columns`, the known column names): CSV/TSV exports.
"""
