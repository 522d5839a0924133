"""Inter-coder agreement, the whole subject in one place (no imports here: numpy stays lazy).

- `audit`: sheet events -> the blind selection, reliability matrices per variable,
  conflicts, and `variable_results` (what `workbench.review.agreement` calls).
- `measures`: the statistics a review reports (`agreement_table`, `cohen_kappa`,
  `krippendorff_alpha`, ...) with bootstrap CIs.
- `data`: a units x coders matrix as integer codes. `stats`: per-unit sufficient
  statistics and finishers. `weighted`: Fleiss generalised, weighted kappas.
- `result`: `StatResult`, conventional labels, the shared unit bootstrap.
- `groups`: agreement on the rows of repeatable groups.
- `methods`: the methods-section paragraph. `defaults`: the bootstrap seed and
  resample count, free of numpy (for `--help`).
"""
