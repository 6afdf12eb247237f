"""What a cell costs beyond its fit time: its peak memory, sampled by a thread while it loads,
fits and scores; how fast its model answers one image and a batch; and how large the model is,
in parameters and on disk. Measured in the worker, through the model's own ``predict`` and
``save``, so a user's model is measured the same way as the lecture's."""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from nnbench.models import Model

#: seconds between two samples of the resident memory (the issue asks for 20 ms or finer)
SAMPLE_INTERVAL_S = 0.02
#: single-image predictions timed for the latency, after the warm-up ones
LATENCY_SAMPLES = 200
LATENCY_WARMUP = 10
#: images per batch for the throughput, and how many batches are timed after a warm-up one
THROUGHPUT_BATCH = 1000
THROUGHPUT_BATCHES = 3


@functools.cache
def resident_bytes_reader(pid: int) -> Callable[[], int]:
    """A function giving the resident memory of process ``pid`` (this one) in bytes: psutil's
    figure, read on Linux from ``/proc/PID/statm`` opened once (psutil opens it on every call:
    150 µs a sample against 20 µs, measured while a dense net trained on 2 cores)."""
    try:
        handle = os.open(f"/proc/{pid}/statm", os.O_RDONLY)
    except OSError:
        process = psutil.Process(pid)
        return lambda: int(process.memory_info().rss)
    page = os.sysconf("SC_PAGE_SIZE")
    return lambda: int(os.pread(handle, 128, 0).split()[1]) * page


class PeakMemory:
    """A context that samples this process's resident memory every ``interval`` seconds from a
    thread, and keeps the peak above the level at its start. The sampler's own CPU time is
    kept too, so that its overhead is measured, not guessed."""

    def __init__(self, interval: float = SAMPLE_INTERVAL_S) -> None:
        self.interval = interval
        self.resident_bytes = resident_bytes_reader(os.getpid())
        self.start = self.peak = self.samples = 0
        self.sampler_cpu_s = 0.0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.sample, name="nnbench-memory", daemon=True)

    def __enter__(self) -> PeakMemory:
        self.start = self.peak = self.resident_bytes()
        self.thread.start()
        return self

    def __exit__(self, *exception: object) -> None:
        self.stop()

    def sample(self) -> None:
        """The sampler thread: read the resident memory until told to stop."""
        cpu_started = time.thread_time()
        while not self.stopping.wait(self.interval):
            self.take_sample()
        self.take_sample()
        self.sampler_cpu_s = time.thread_time() - cpu_started

    def take_sample(self) -> None:
        self.peak = max(self.peak, self.resident_bytes())
        self.samples += 1

    def stop(self) -> None:
        """Stop sampling (again is harmless)."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()

    def record(self, device: str = "cpu") -> dict[str, Any]:
        """The result's ``cost.memory`` (after :meth:`stop`), with the GPU's peak memory when
        the model computed on ``device`` "gpu:..." (see :func:`watch_device`)."""
        device_peak = None
        if device.startswith("gpu"):
            from nnbench.models.keras.predict import device_peak_bytes

            with contextlib.suppress(Exception):  # the cell stands without this one figure
                device_peak = device_peak_bytes()
        return {
            "peak_rss_bytes": max(0, self.peak - self.start),
            "start_rss_bytes": self.start,
            "interval_s": self.interval,
            "samples": self.samples,
            "sampler_cpu_s": round(self.sampler_cpu_s, 6),
            "device_peak_bytes": device_peak,
        }


def watch_device(device: str) -> str:
    """``device``, whose peak-memory statistic is reset now when it is a GPU ("gpu:..."); a
    backend that cannot reset it leaves the figure as JAX's is, since the process started."""
    if device.startswith("gpu"):
        from nnbench.models.keras.predict import reset_device_peak

        with contextlib.suppress(Exception):
            reset_device_peak()
    return device


def one_at_a_time(model: Model, images: np.ndarray, count: int) -> list[float]:
    """Seconds of each of ``count`` single-image ``predict`` calls, cycling through ``images``."""
    seconds = []
    for index in range(count):
        image = images[index % len(images)][None]
        started = time.perf_counter()
        model.predict(image)
        seconds.append(time.perf_counter() - started)
    return seconds


def inference_cost(model: Model, images: np.ndarray) -> dict[str, Any]:
    """The result's ``cost.inference``: single-image latency (median and 95th percentile of
    :data:`LATENCY_SAMPLES` calls after :data:`LATENCY_WARMUP`), and the throughput of batches
    of :data:`THROUGHPUT_BATCH` images (fewer when there are fewer test images), timed after a
    warm-up batch."""
    one_at_a_time(model, images, LATENCY_WARMUP)
    latency = np.percentile(one_at_a_time(model, images, LATENCY_SAMPLES), [50, 95])
    batch = min(THROUGHPUT_BATCH, len(images))
    starts = [(index * batch) % (len(images) - batch + 1) for index in range(THROUGHPUT_BATCHES)]
    model.predict(images[:batch])
    started = time.perf_counter()
    for start in starts:
        model.predict(images[start : start + batch])
    elapsed = max(time.perf_counter() - started, 1e-9)
    return {
        "latency_p50_s": round(float(latency[0]), 7),
        "latency_p95_s": round(float(latency[1]), 7),
        "latency_n": LATENCY_SAMPLES,
        "throughput_per_s": round(batch * len(starts) / elapsed, 2),
        "throughput_batch": batch,
        "throughput_images": batch * len(starts),
    }


def size_cost(model: Model) -> dict[str, Any]:
    """The result's ``cost.size``: the parameters' bytes in their dtype, and the size of the
    file ``model.save`` writes (into a temporary folder, removed after); a model that cannot
    be saved gets the reason instead."""
    size: dict[str, Any] = {"parameter_bytes": model.parameter_bytes()}
    with tempfile.TemporaryDirectory(prefix="nnbench-size-") as folder:
        try:
            path = Path(model.save(Path(folder)))
            size.update(saved_bytes=path.stat().st_size, saved_format=path.suffix.lstrip("."))
        except Exception as exc:  # a model that cannot be saved still ran: say why
            size["unsaved_reason"] = f"{type(exc).__name__}: {exc}"
    return size


def measure_cost(model: Model, images: np.ndarray) -> tuple[dict[str, Any], list[str]]:
    """The model's ``inference`` and ``size`` costs, and a warning for each that could not be
    measured (the cell stands without it)."""
    measures: dict[str, Callable[[], dict[str, Any]]] = {
        "inference": lambda: inference_cost(model, images),
        "size": lambda: size_cost(model),
    }
    cost: dict[str, Any] = {}
    warnings = []
    for part, measure in measures.items():
        try:
            cost[part] = measure()
        except Exception as exc:  # the cell's accuracy stands; only this cost is missing
            warnings.append(f"its {part} cost could not be measured ({type(exc).__name__}: {exc})")
    return cost, warnings


def with_cost(
    measured: dict[str, Any], model: Model, images: np.ndarray, built_s: float, started: float
) -> dict[str, Any]:
    """``measured`` (see :func:`nnbench.execute.scoring.fit_and_score`) with the model's
    ``cost`` (inference and size; the memory is added when the cell ends), the ``built_s``
    seconds before ``fit`` counted as building, the seconds measuring took, and the wall time
    since ``started`` (``time.perf_counter``; the data's load time is added when the cell
    ends)."""
    measure_started = time.perf_counter()
    cost, warnings = measure_cost(model, images)
    timing = dict(measured["timing"])
    timing["build_s"] = round(timing["build_s"] + built_s, 4)
    timing["measure_s"] = round(time.perf_counter() - measure_started, 4)
    timing["wall_s"] = round(time.perf_counter() - started, 4)
    return {
        **measured,
        "timing": timing,
        "cost": cost,
        "warnings": [*measured["warnings"], *warnings],
    }
