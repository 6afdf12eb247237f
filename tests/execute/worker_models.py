"""Models that tell or do something to the worker process they run in (kill it, hang in it):
named by file reference (tests/execute/worker_models.py:NAME), so that any worker imports
them."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from nnbench.models.naive_bayes import NaiveBayes


class OnceMarked(NaiveBayes):
    """Naive Bayes whose first fit anywhere does :meth:`first_fit` (``marker`` records that it
    started); every later fit fits."""

    def __init__(self, marker: str = "", variant: str = "multinomial", seed: int = 0) -> None:
        super().__init__(variant, seed)
        self.marker = marker

    def first_fit(self) -> None:
        """What the first fit does instead of fitting."""

    def fit(self, x, y, **kwargs):
        if not Path(self.marker).exists():
            Path(self.marker).touch()
            self.first_fit()
        return super().fit(x, y, **kwargs)


class DiesOnce(OnceMarked):
    """Naive Bayes whose first fit anywhere kills its process."""

    def first_fit(self) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


class AlwaysDies(NaiveBayes):
    """Naive Bayes whose fit always kills its process."""

    def fit(self, x, y, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)


class ReportsWorker(NaiveBayes):
    """Naive Bayes that records, in its model_info, what its worker process is like by the end
    of its fit: whether it has imported TensorFlow or Keras, its OpenMP thread limit, whether
    JAX would take most of the GPU at start-up, and the most threads any of its loaded BLAS and
    OpenMP libraries may use."""

    def fit(self, x, y, **kwargs):
        from threadpoolctl import threadpool_info

        super().fit(x, y, **kwargs)
        self.info_ = {
            **self.info_,
            "frameworks": sorted({"tensorflow", "keras"} & set(sys.modules)),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
            "jax_preallocates": os.environ.get("XLA_PYTHON_CLIENT_PREALLOCATE"),
            "library_threads": max(pool["num_threads"] for pool in threadpool_info()),
        }
        return self


class Hangs(NaiveBayes):
    """Naive Bayes whose fit creates the file ``started`` (when given), then sleeps forever."""

    def __init__(self, started: str = "", variant: str = "multinomial", seed: int = 0) -> None:
        super().__init__(variant, seed)
        self.started = started

    def fit(self, x, y, **kwargs):
        if self.started:
            Path(self.started).touch()
        self.hang()

    def hang(self) -> None:
        while True:
            time.sleep(0.1)


class HangsIgnoringSigterm(Hangs):
    """:class:`Hangs`, but it ignores SIGTERM and spins without sleeping."""

    def hang(self) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True:
            pass


class HangsOnce(OnceMarked):
    """Naive Bayes whose first fit anywhere hangs; the next one fits."""

    def first_fit(self) -> None:
        while True:
            time.sleep(0.1)


class HangsUntilReleased(NaiveBayes):
    """Naive Bayes whose fit waits until the file ``release`` exists (a test creates it, to end
    a thread that nothing else can stop)."""

    def __init__(self, release: str = "", variant: str = "multinomial", seed: int = 0) -> None:
        super().__init__(variant, seed)
        self.release = release

    def fit(self, x, y, **kwargs):
        while not Path(self.release).exists():
            time.sleep(0.05)
        return super().fit(x, y, **kwargs)
