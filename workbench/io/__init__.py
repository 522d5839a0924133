"""Formats in and out.

- `formats/`: readers of the databases' search exports (`formats.references.read_export`).
- `exports/`: writers of the review's outputs (`exports.folder.ExportFolder`).
- Here, used by both sides or by neither: `safe_cells` (every CSV cell written and read
  back), `codebook_yaml`/`codebook_build`/`codebook_edit` (the codebook), `refi*`
  (REFI-QDA, out and back in), `fulltext` (PDF/HTML/DOCX texts), `labelled` and
  `simulation_plot` (`workbench simulate`).
"""
