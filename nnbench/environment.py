"""The machine and software a result was produced on."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from nnbench import __version__

PACKAGES = {
    "numpy": "numpy",
    "sklearn": "scikit-learn",
    "tensorflow": "tensorflow",
    "keras": "keras",
    "pandas": "pandas",
}


@dataclass(frozen=True)
class EnvironmentKey:
    """A key of the environment a result records: its name in words, what is shown when no
    result recorded it, whether ``nnbench check`` reports its change against the baseline, and
    how the report shows it (``{value}`` is its own value, ``{KEY}`` another key's; "": within
    another key's or not at all)."""

    key: str
    label: str
    missing: str = "unknown"
    compared: bool = False
    shown: str = "{value}"


#: every key of a result's environment, in the order a report lists them and a check reports
#: their changes
ENVIRONMENT_KEYS = (
    EnvironmentKey("cpu", "CPU", "unknown CPU", compared=True, shown="{value}, {cores} cores"),
    EnvironmentKey("cores", "cores", "?", compared=True, shown=""),
    EnvironmentKey("device", "device", compared=True),
    EnvironmentKey("python", "Python", "?", compared=True),
    EnvironmentKey("sklearn", "scikit-learn", "?", compared=True),
    EnvironmentKey("tensorflow", "TensorFlow", "not installed", compared=True),
    EnvironmentKey("keras", "Keras", "?", compared=True, shown="{value} ({keras_backend} backend)"),
    EnvironmentKey("keras_backend", "Keras backend", "?", compared=True, shown=""),
    EnvironmentKey("numpy", "NumPy", "?", compared=True),
    EnvironmentKey("pandas", "pandas", "?"),
    EnvironmentKey("nnbench", "nnbench", "?"),
    EnvironmentKey("platform", "platform"),
    EnvironmentKey("git_commit", "git commit"),
    EnvironmentKey("started_at", "started at", shown=""),
)


def package_version(distribution: str) -> str | None:
    """Installed version of ``distribution``, without importing it; None when absent."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def keras_backend() -> str:
    """The Keras backend in use (or that would be used, when Keras is not imported yet)."""
    keras = sys.modules.get("keras")
    if keras is not None:
        return str(keras.backend.backend())
    return os.environ.get("KERAS_BACKEND", "tensorflow")


@functools.lru_cache(maxsize=1)
def cpu_name() -> str:
    """The processor's model name."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the nnbench checkout, with "-dirty" for local changes; None outside git."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def now_iso() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def environment(device: str) -> dict[str, Any]:
    """Versions, device, processor and commit, for a result file: the values of
    :data:`ENVIRONMENT_KEYS`."""
    return {
        "python": platform.python_version(),
        **{key: package_version(dist) for key, dist in PACKAGES.items()},
        "nnbench": __version__,
        "keras_backend": keras_backend(),
        "device": device,
        "platform": platform.platform(),
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "git_commit": git_commit(),
        "started_at": now_iso(),
    }
