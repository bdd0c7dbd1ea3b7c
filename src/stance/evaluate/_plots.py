"""PNG figures for evaluation reports: confusion matrices and learning curves.

matplotlib is an optional extra (``pip install "stance[plot]"``) and is imported
only when a figure is drawn. Figures are drawn on matplotlib's Agg canvas
directly (no pyplot, no global backend switch), so this works headless and
leaves any interactive session alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

__all__ = ["INSTALL_HINT", "require_matplotlib", "save_png", "confusion_png", "learning_curve_png"]

INSTALL_HINT = 'pip install "stance[plot]"'


def require_matplotlib() -> tuple[Any, Any]:
    """``(Figure, FigureCanvasAgg)``, or an ImportError saying how to install matplotlib."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(f"plots need matplotlib, which is not installed: {INSTALL_HINT}") from exc
    return Figure, FigureCanvasAgg


def save_png(fig: Any, canvas_cls: Any, path: str | Path) -> Path:
    """Write a matplotlib ``Figure`` as a PNG through ``canvas_cls``, byte-identical on reruns."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas_cls(fig)
    # No software/date metadata: reruns write the same bytes.
    fig.savefig(path, format="png", dpi=120, metadata={"Software": None})
    return path


def confusion_png(
    matrix: Sequence[Sequence[float]], labels: Sequence[str], path: str | Path, title: str = ""
) -> Path:
    """A confusion matrix (rows gold, columns predicted) as a PNG, with counts and row shares."""
    import numpy as np

    Figure, Canvas = require_matplotlib()
    M = np.asarray(matrix, dtype=float)
    rows = M.sum(1, keepdims=True)
    share = np.divide(M, rows, out=np.zeros_like(M), where=rows > 0)
    k = len(labels)
    fig = Figure(figsize=(1.3 * k + 2.2, 1.1 * k + 1.6))
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            count = int(M[i, j]) if float(M[i, j]).is_integer() else round(float(M[i, j]), 1)
            ax.text(j, i, f"{count}\n{share[i, j]:.0%}", ha="center", va="center",
                    color="white" if share[i, j] > 0.6 else "black", fontsize=9)
    ax.set_xticks(range(k), labels=list(labels))
    ax.set_yticks(range(k), labels=list(labels))
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return save_png(fig, Canvas, path)


def learning_curve_png(curves: Mapping[str, Mapping[str, Any]], path: str | Path, title: str = "") -> Path:
    """Macro-F1 against training documents (and mean training sentences), one line per model.

    ``curves`` maps a model name to the dict returned by
    :func:`stance.evaluate.learning_curve`.
    """
    Figure, Canvas = require_matplotlib()
    fig = Figure(figsize=(7.6, 4.2))
    ax = fig.add_subplot(1, 1, 1)
    ticks: dict[int, list[float]] = {}
    for name, curve in curves.items():
        pts = [p for p in curve["points"] if p.get("macro_f1") is not None]
        if not pts:
            continue
        xs = [p["train_documents"] for p in pts]
        ax.plot(xs, [p["macro_f1"] for p in pts], marker="o", label=name)
        for p in pts:
            if p.get("train_sentences_mean") is not None:
                ticks.setdefault(p["train_documents"], []).append(p["train_sentences_mean"])
    xs = sorted(ticks)
    ax.set_xticks(xs, labels=[f"{x}\n(~{sum(ticks[x]) / len(ticks[x]):.0f} sent.)" for x in xs])
    ax.set_xlabel("training documents (mean training sentences)")
    ax.set_ylabel("macro-F1 on the held-out document")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    ax.set_title(title or "Learning curve (each document held out in turn)", fontsize=10)
    fig.tight_layout()
    return save_png(fig, Canvas, path)
