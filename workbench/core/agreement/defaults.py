"""The bootstrap defaults of the agreement statistics, in a module free of numpy and pandas.

The command line names them in its --help; importing them from here keeps
`workbench --help` from loading the statistics (workbench.core.agreement.measures
re-exports them).
"""

from __future__ import annotations

#: The seed used unless another is given; it is recorded in every result.
DEFAULT_SEED = 20260701
#: Bootstrap resamples unless told otherwise (0 turns the CI off).
DEFAULT_RESAMPLES = 1000
