"""The recall curve of `workbench simulate --plot`: records screened against relevant found."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence


def write_recall_plot(path: str | Path, curves: Sequence[Sequence[int]], title: str = "") -> Path:
    """Draw one recall curve per replay, with the random-order line, to a PNG or SVG file.

    Args:
        path: the picture (.png or .svg; written to a temporary file, then renamed).
        curves: per replay, the labels (1/0) in screening order (priors excluded).
        title: the figure title.

    Returns:
        The path written.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    path = Path(path)
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    try:
        n = total = 0
        for i, labels in enumerate(curves):
            labels = np.asarray(labels)
            n, total = len(labels), int(labels.sum())
            ax.step(np.arange(0, n + 1), np.concatenate([[0], np.cumsum(labels)]), where="post",
                    linewidth=1.2, alpha=0.8, label=f"seed {i}")
        if n:
            ax.plot([0, n], [0, total], linestyle="--", color="grey", label="random order")
        ax.set_xlabel("records screened (after the priors)")
        ax.set_ylabel("relevant records found")
        ax.set_title(title)
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
        tmp.unlink(missing_ok=True)   # a guessable name: never write through a link left there
        open(tmp, "xb").close()
        fig.savefig(tmp, format=(path.suffix.lstrip(".").lower() or "png"))
        os.replace(tmp, path)
    finally:
        plt.close(fig)
    return path
