"""Models that tell or do something to the worker process they run in: named by file reference
(tests/execute/worker_models.py:NAME), so that any worker imports them."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from nnbench.models.naive_bayes import NaiveBayes


class DiesOnce(NaiveBayes):
    """Naive Bayes whose first fit anywhere kills its process; ``marker`` records that it did."""

    def __init__(self, marker: str = "", variant: str = "multinomial", seed: int = 0) -> None:
        super().__init__(variant, seed)
        self.marker = marker

    def fit(self, x, y, **kwargs):
        if not Path(self.marker).exists():
            Path(self.marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return super().fit(x, y, **kwargs)


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
