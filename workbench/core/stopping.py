"""When to stop screening: a statistical test and labelled heuristics (pure; no file I/O).

The test is the random-sampling hypergeometric stopping test of Callaghan &
Müller-Hansen (2020, Systematic Reviews 9:254): when a reviewer thinks they
are done, the workbench draws a random sample from the N unscreened studies
(the urn). After n of them are screened with k relevant, the null hypothesis
"recall is below the target" is tested: if recall were below the target, the
urn held at least K_tar relevant studies, with

    K_tar = floor((r_before + k) / target - r_before) + 1

(r_before: relevant found before the sample was drawn). The p-value is the
probability of seeing k or fewer relevant in n draws from an urn of N with
K_tar relevant: the hypergeometric CDF. With p < alpha the reviewer can stop
with confidence 1 - p that recall >= target. Heuristics (a run of irrelevant
decisions) are only hints and say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The recall the test asks about.
TARGET_RECALL = 0.95
#: Stop when the p-value falls below this (95% confidence).
ALPHA = 0.05
#: The method's name, for the screen and the export.
METHOD = ("random-sampling hypergeometric stopping test (Callaghan & Müller-Hansen 2020, "
          "Systematic Reviews 9:254)")
#: A run of this many irrelevant decisions suggests starting the test (a hint only).
HINT_RUN = 50
#: Screening-stage sheet field: the order the reviewer screened in (written with a decision
#: when the order changes), e.g. "prioritised elas_u4" or "import".
ORDER_FIELD = "order"
#: Screening-stage sheet field marking a study drawn for a stopping sample; its value is
#: "test=<n>;urn=<N>;found=<r>;seq=<i>;draw=<d>" (test number, unscreened studies when
#: drawn, relevant found before the draw, position in the random draw, which draw of the
#: test: 1, then 2... when the reviewer extends it). An empty value withdraws the study
#: from the sample (allowed before any study of that draw is screened).
SAMPLE_FIELD = "stopping_sample"


def sample_value(test: int, urn: int, found: int, seq: int, draw: int = 1) -> str:
    """Return the sheet value of one study drawn for a stopping sample."""
    return f"test={test};urn={urn};found={found};seq={seq};draw={draw}"


def parse_sample_draw(value: str) -> int:
    """Return which draw of its test a sample value belongs to (1 when not recorded)."""
    for item in value.split(";"):
        if item.startswith("draw="):
            try:
                return int(item[5:])
            except ValueError:
                return 1
    return 1


def parse_sample_value(value: str) -> tuple[int, int, int, int] | None:
    """Return (test, urn, found, seq) from a sheet value, or None when it is not one."""
    try:
        parts = dict(item.split("=", 1) for item in value.split(";"))
        return int(parts["test"]), int(parts["urn"]), int(parts["found"]), int(parts["seq"])
    except (KeyError, ValueError):
        return None


def _log_choose(n: int, k: int) -> float:
    if k < 0 or k > n:
        return float("-inf")
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def hypergeom_cdf(k: int, urn: int, successes: int, draws: int) -> float:
    """Return P(X <= k) for X ~ Hypergeometric(urn size, successes in the urn, draws).

    Exact (log-gamma sums); equal to scipy.stats.hypergeom(urn, successes, draws).cdf(k).
    """
    if successes > urn or draws > urn or successes < 0 or draws < 0:
        raise ValueError("hypergeometric parameters out of range")
    low = max(0, draws - (urn - successes))
    high = min(k, successes, draws)
    if high < low:
        return 0.0
    denominator = _log_choose(urn, draws)
    total = sum(math.exp(_log_choose(successes, i) + _log_choose(urn - successes, draws - i)
                         - denominator) for i in range(low, high + 1))
    return min(1.0, total)


def target_missed(found_before: int, found_in_sample: int, target: float = TARGET_RECALL) -> int:
    """Return K_tar: the fewest relevant studies left in the urn for recall to miss the target."""
    return math.floor((found_before + found_in_sample) / target - found_before) + 1


def stopping_p_value(urn: int, drawn: int, found_in_sample: int, found_before: int,
                     target: float = TARGET_RECALL) -> float:
    """Return the p-value of "recall < target" after screening `drawn` of a random sample.

    Args:
        urn: unscreened studies when the sample was drawn (N).
        drawn: sample studies screened so far (n).
        found_in_sample: relevant studies among them (k).
        found_before: relevant studies found before the sample was drawn.
        target: the recall asked about.
    """
    if urn <= 0:
        return 0.0          # nothing was left unscreened: recall is 100%
    k_tar = target_missed(found_before, found_in_sample, target)
    remaining_unsampled = urn - drawn
    if k_tar > urn:
        return 0.0          # the urn cannot hold that many: the target is met
    if k_tar - found_in_sample > remaining_unsampled:
        return 0.0
    return hypergeom_cdf(found_in_sample, urn, k_tar, drawn)


@dataclass(frozen=True)
class StoppingEstimate:
    """Where a reviewer stands on stopping, for the home screen and the export.

    Attributes:
        sample_size: studies drawn for the test (0: no test started).
        urn: unscreened studies when the sample was drawn.
        screened: sample studies screened so far.
        relevant_in_sample: relevant among them.
        found_before: relevant found before the sample was drawn.
        p_value: of "recall < target" (1.0 before any sample study is screened).
        target: the recall asked about.
    """

    sample_size: int
    urn: int
    screened: int
    relevant_in_sample: int
    found_before: int
    p_value: float
    target: float = TARGET_RECALL
    alpha: float = ALPHA

    @property
    def confidence(self) -> float:
        """Return the confidence (1 - p) that recall has reached the target."""
        return 1.0 - self.p_value

    @property
    def can_stop(self) -> bool:
        """Return True when the test says recall >= target with the chosen confidence."""
        return self.screened > 0 and self.p_value < self.alpha

    def describe(self) -> str:
        """Return one line for a person (and the export)."""
        if not self.sample_size:
            return "no stopping test started"
        if self.can_stop:
            verdict = "stop: recall >= {:.0%} reached".format(self.target)
        elif self.screened < self.sample_size:
            verdict = "keep screening the sample"
        else:           # the whole sample is screened (relevant studies turned up in it)
            verdict = "not enough to stop: extend the sample or screen on"
        return (f"{self.screened}/{self.sample_size} of a random sample from {self.urn} "
                f"unscreened screened, {self.relevant_in_sample} relevant in it; "
                f"confidence {self.confidence:.1%} that recall >= {self.target:.0%} "
                f"({verdict})")


def estimate(urn: int, sample_size: int, screened: int, relevant_in_sample: int,
             found_before: int, target: float = TARGET_RECALL) -> StoppingEstimate:
    """Return the StoppingEstimate for a sample (see module docstring)."""
    p = (stopping_p_value(urn, screened, relevant_in_sample, found_before, target)
         if screened else 1.0)
    return StoppingEstimate(sample_size, urn, screened, relevant_in_sample, found_before, p,
                            target)


def sample_needed(urn: int, found_before: int, target: float = TARGET_RECALL,
                  alpha: float = ALPHA, found_in_sample: int = 0) -> int:
    """Return the sample size that stops the test if no (further) relevant study turns up.

    With `found_in_sample` relevant studies already in the sample, it is the
    whole sample (those draws included) that gives p < alpha when every further
    draw is irrelevant: extending a sample that found relevant studies needs
    more draws than a new test would, not fewer.
    """
    if urn <= 0:
        return 0
    k_tar = target_missed(found_before, found_in_sample, target)
    if k_tar > urn:
        return 0
    low, high = max(1, found_in_sample), urn
    while low < high:           # the smallest n with p < alpha (p falls as n grows)
        mid = (low + high) // 2
        if stopping_p_value(urn, mid, found_in_sample, found_before, target) < alpha:
            high = mid
        else:
            low = mid + 1
    return low


def irrelevant_run(labels_in_order) -> int:
    """Return the run of consecutive irrelevant decisions at the end (a hint, not a test)."""
    run = 0
    for value in reversed(list(labels_in_order)):
        if value:
            break
        run += 1
    return run


def hint(run: int, threshold: int = HINT_RUN) -> str:
    """Return the heuristic hint as a labelled sentence ("" when it does not apply)."""
    if run < threshold:
        return ""
    return (f"Hint (heuristic, not a test): {run} irrelevant in a row. Such rules miss many "
            "relevant studies when few are relevant; start the stopping test to know.")


#: Screening-stage sheet field written on every study a reviewer left unscreened when she
#: closed screening (`workbench screen --stop`, `S` on the screening screen): not a
#: decision; its value is `stopped_value`'s. A later decision on the study wins (it is
#: screened then); an empty value takes the mark back.
STOPPED_FIELD = "stopped"


def stopped_value(estimate: StoppingEstimate, override: bool = False) -> str:
    """Return the sheet value that records why a study was left unscreened."""
    head = "override" if override and not estimate.can_stop else "test"
    return (f"{head};confidence={estimate.confidence:.4f};sample={estimate.sample_size};"
            f"screened={estimate.screened};relevant={estimate.relevant_in_sample};"
            f"urn={estimate.urn};found={estimate.found_before}")


def stopped_by_override(value: str) -> bool:
    """Return True when a `stopped` value says the reviewer stopped without the test's word."""
    return value.startswith("override")


def parse_stopped_value(value: str) -> dict[str, float] | None:
    """Return the figures of a `stopped` value, or None when it is not one."""
    head, _, rest = value.partition(";")
    if head not in ("test", "override"):
        return None
    try:
        return {k: float(v) for k, v in (item.split("=", 1) for item in rest.split(";"))}
    except ValueError:
        return None
