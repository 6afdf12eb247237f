"""What the performance scripts write to ``results/perf/``: a Markdown table headed by the
command and the machine, and a JSON file with the rows and the environment."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from nnbench.datasets import ImageData
from nnbench.environment import environment
from nnbench.files import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent
#: where the scripts write by default
PERF_DIR = ROOT / "results" / "perf"


def this_command(script: str) -> str:
    """The command line that ran ``script``, as one would type it from the repository root."""
    return " ".join(["python", f"benchmarks/{script}", *sys.argv[1:]])


def write_perf(out: Path, name: str, title: str, table: str, rows: list[dict[str, Any]]) -> None:
    """Print ``table``; write ``name.md`` (``title``, the command and the machine, the table)
    and ``name.json`` (the command, the environment and ``rows``) to ``out``, atomically."""
    from nnbench.models.keras.predict import keras_device

    print(table)
    command = this_command(f"{name}.py")
    env = environment(device=keras_device())
    out.mkdir(parents=True, exist_ok=True)
    document = {"command": command, "env": env, "rows": rows}
    atomic_write_text(out / f"{name}.json", json.dumps(document, indent=2) + "\n")
    header = (
        f"{title} `{command}` on {env['cpu']} ({env['cores']} cores), device {env['device']}, "
        f"Keras {env.get('keras')} on {env['keras_backend']}, TensorFlow {env.get('tensorflow')}, "
        f"scikit-learn {env.get('sklearn')}, written {env['started_at']}.\n\n"
    )
    atomic_write_text(out / f"{name}.md", header + table + "\n")


def warm_up(data: ImageData) -> None:
    """Start TensorFlow before anything is timed: a one-epoch net on 500 images."""
    from nnbench.models import resolve_model

    model = resolve_model("dense_nn").build({"hidden_units": [8], "epochs": 1}, seed=0)
    model.fit(data.x_train[:500], data.y_train[:500], n_classes=len(data.class_names))
