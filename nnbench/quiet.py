"""Quiet by default: TensorFlow's C++ start-up lines (oneDNN, "cuda drivers", ``cuInit``, absl's
"All log messages before absl::InitializeLog()") kept off stderr, unless the user asks for them
with ``--verbose`` or sets ``TF_CPP_MIN_LOG_LEVEL`` themselves.

``TF_CPP_MIN_LOG_LEVEL=3`` hides what TensorFlow logs once its logging is set up, and worker
processes inherit it; the lines TensorFlow writes while its libraries load come before that, so
the import of ``tensorflow`` itself runs with file descriptor 2 sent to ``/dev/null``. Nothing
here imports TensorFlow: the quiet import applies when something else first imports it.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

LOG_LEVEL_ENV = "TF_CPP_MIN_LOG_LEVEL"
#: TensorFlow's C++ log level that hides information, warnings and errors
QUIET_LEVEL = "3"


def quiet_tensorflow(verbose: bool) -> None:
    """For a command that may train Keras models: unless ``verbose``, or the user set
    ``TF_CPP_MIN_LOG_LEVEL``, set it to 3 (inherited by worker processes) and make the first
    import of TensorFlow in this process quiet."""
    if verbose or LOG_LEVEL_ENV in os.environ:
        return
    os.environ[LOG_LEVEL_ENV] = QUIET_LEVEL
    quiet_tensorflow_import()


def quiet_tensorflow_import() -> None:
    """When ``TF_CPP_MIN_LOG_LEVEL`` is 3 and TensorFlow is not imported yet: import it, when
    something does, with native stderr silenced and TensorFlow's Python logger kept to errors.
    A worker process calls this before each cell; it does nothing the second time."""
    if os.environ.get(LOG_LEVEL_ENV) != QUIET_LEVEL or "tensorflow" in sys.modules:
        return
    if not any(isinstance(finder, QuietTensorFlowFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, QuietTensorFlowFinder())


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to ``/dev/null`` for the block: what C++ code writes there is
    dropped (Python's own output is flushed first and shows again afterwards)."""
    sys.stderr.flush()
    try:
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no stderr to silence (a closed descriptor)
        yield
        return
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class QuietLoader(importlib.abc.Loader):
    """TensorFlow's own loader, run with native stderr silenced."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with native_stderr_silenced():
            self.loader.exec_module(module)
        logging.getLogger("tensorflow").setLevel(logging.ERROR)

    def __getattr__(self, name: str) -> Any:  # resources, source and the like
        return getattr(self.loader, name)


class QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` as usual, once, and gives it a :class:`QuietLoader`."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = QuietLoader(spec.loader)
        return spec
