"""The summary at the top of each stage of `workbench agreement`."""

from __future__ import annotations

from tests.cli.test_agreement_cli import TA, folder, run  # noqa: F401  (fixture)


def test_each_stage_starts_with_the_decision_kappa_alpha_and_reliability_counts(folder):
    result = run(folder, "agreement", "--stage", TA, "--resamples", "200", "--seed", "11")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    table = lines.index("decision")          # the decision's full table comes after
    summary = lines[:table]
    kappa = next(line for line in summary if line.startswith("  decision: kappa"))
    assert "kappa 0.400 fair, 95% CI [" in kappa
    alpha = next(line for line in summary if "alpha " in line and "CI" in line)
    assert f"alpha {1 - 114 / 198:.3f} unreliable, 95% CI [" in alpha
    counts = next(line for line in summary if line.startswith("  alpha of "))
    # E1 was never chosen: undefined (I1, an inclusion criterion nobody recorded, is not
    # in the tables). The four grades add up to the variables.
    numbers = [int(w) for w in counts.replace(",", "").split() if w.isdigit()]
    assert numbers[0] == sum(numbers[1:]) and numbers[0] >= 3
    assert "undefined" in counts and numbers[-1] >= 1
    assert any(line.startswith("  unreliable: decision") for line in summary)
