"""The machine and software a result was produced on."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from nnbench import __version__

PACKAGES = {
    "numpy": "numpy",
    "sklearn": "scikit-learn",
    "tensorflow": "tensorflow",
    "keras": "keras",
    "pandas": "pandas",
}


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
        return keras.backend.backend()
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


def environment(device: str) -> dict:
    """Versions, device, processor and commit, for a result file."""
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
