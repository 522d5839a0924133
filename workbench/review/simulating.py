"""`workbench simulate`: replay a fully labelled review with a model and seeds, and measure it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.core.ranking import model_settings, study_text
from workbench.core.ranking_models import build_model_features
from workbench.core.simulation import Replay, pick_priors, replay, summarize
from workbench.errors import WorkbenchError
from workbench.io.labelled import LabelledSet, read_labelled

Progress = Callable[[int, int], None]

#: The figures `simulate` prints, in order, with their headings.
METRICS = (("wss95", "WSS@95"), ("wss100", "WSS@100"), ("recall10", "recall@10%"),
           ("atd", "ATD"), ("stop_recall", "stop recall"), ("stop_saved", "stop saved"))


@dataclass(frozen=True)
class SimulationReport:
    """The replays of one labelled dataset, one per seed."""

    dataset: LabelledSet
    model: str
    seeds: tuple[int, ...]
    replays: tuple[Replay, ...]

    def rows(self) -> list[dict[str, float]]:
        """Return one dict of metrics per seed (with "seed" and the priors)."""
        return [{"seed": seed, "priors": list(r.priors), **r.metrics()}
                for seed, r in zip(self.seeds, self.replays)]

    def means(self) -> dict[str, tuple[float, float]]:
        """Return {metric: (mean, sd)} over the seeds."""
        rows = self.rows()
        return {key: summarize([row[key] for row in rows]) for key, _ in METRICS}


def simulate_file(path: str | Path, model: str | None = None, seeds: int = 5,
                  label_column: str | None = None, trigger: int | None = None,
                  progress: Progress | None = None) -> SimulationReport:
    """Replay prioritised screening of a labelled CSV with one relevant and one irrelevant prior per seed.

    Args:
        path: CSV with title, abstract and label columns.
        model: a model name of workbench.core.ranking.MODELS (None: the default).
        seeds: replays, with seeds 0..seeds-1 (each seed picks the priors and the stopping sample).
        label_column: the label column (None: found by name).
        trigger: irrelevant run that starts the replayed stopping test.
        progress: called with (replays done, replays in all).

    Raises:
        WorkbenchError: the dataset cannot be read, or the model is unknown.
    """
    data = read_labelled(path, label_column)
    try:
        settings = model_settings(model)
    except KeyError as exc:
        raise WorkbenchError(str(exc.args[0])) from exc
    if seeds < 1:
        raise WorkbenchError("--seeds must be at least 1")
    texts = [study_text(t, a) for t, a in zip(data.titles, data.abstracts)]
    features = build_model_features(texts, settings)
    replays = []
    for seed in range(seeds):
        if progress:
            progress(seed, seeds)
        priors = pick_priors(data.labels, seed)
        replays.append(replay(features, data.labels, priors, settings, seed=seed,
                              trigger=trigger))
    if progress:
        progress(seeds, seeds)
    return SimulationReport(data, settings.name, tuple(range(seeds)), tuple(replays))


def write_simulation_plot(report: SimulationReport, path: str | Path) -> Path:
    """Write the recall curves of a report (one per seed, and random order) as PNG or SVG.

    Raises:
        WorkbenchError: the suffix is not .png or .svg, or the file cannot be written.
    """
    from workbench.io.simulation_plot import write_recall_plot
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise WorkbenchError("the plot is a .png or .svg file", path=path)
    try:
        return write_recall_plot(path, [r.labels for r in report.replays],
                                 f"{Path(report.dataset.path).name} · {report.model}")
    except OSError as exc:
        raise WorkbenchError(f"cannot write the plot ({exc})", path=path) from exc
