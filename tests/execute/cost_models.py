"""Models whose cost is known in advance, for the cross-checks of the cost measurements (named
by file reference, tests/execute/cost_models.py:NAME)."""

from __future__ import annotations

import time

import numpy as np

from nnbench.models.naive_bayes import NaiveBayes

#: what :class:`HoldsMemory` allocates: 500 MB
HELD_BYTES = 500_000_000
#: how long :class:`SlowPredict` takes per call
PREDICT_SLEEP_S = 0.010


class HoldsMemory(NaiveBayes):
    """Naive Bayes whose fit fills a 500 MB array (every page touched) and holds it for 0.3 s,
    several times the memory sampler's interval, before letting it go."""

    def fit(self, x, y, **kwargs):
        held = np.ones(HELD_BYTES, dtype=np.uint8)
        time.sleep(0.3)
        del held
        return super().fit(x, y, **kwargs)


class SlowPredict(NaiveBayes):
    """Naive Bayes whose every ``predict`` call sleeps 10 ms first, whatever its batch."""

    def predict(self, x):
        time.sleep(PREDICT_SLEEP_S)
        return super().predict(x)


class CannotBeSaved(NaiveBayes):
    """Naive Bayes that holds a lock, which no pickle can save."""

    def fit(self, x, y, **kwargs):
        import threading

        self.lock_ = threading.Lock()
        return super().fit(x, y, **kwargs)
