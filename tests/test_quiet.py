"""Quiet by default: TensorFlow's log level, set only when the user did not, and native stderr
silenced while TensorFlow loads."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nnbench import quiet


@pytest.fixture
def clean(monkeypatch):
    """No TF_CPP_MIN_LOG_LEVEL, and sys.meta_path restored afterwards."""
    monkeypatch.delenv(quiet.LOG_LEVEL_ENV, raising=False)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))


def test_quiet_sets_the_level_unless_the_user_did_or_asked_for_verbose(clean, monkeypatch):
    quiet.quiet_tensorflow(verbose=True)
    assert quiet.LOG_LEVEL_ENV not in os.environ
    quiet.quiet_tensorflow(verbose=False)
    assert os.environ[quiet.LOG_LEVEL_ENV] == "3"
    monkeypatch.setenv(quiet.LOG_LEVEL_ENV, "1")
    quiet.quiet_tensorflow(verbose=False)
    assert os.environ[quiet.LOG_LEVEL_ENV] == "1"


def test_native_stderr_is_dropped_inside_the_block_only(capfd):
    os.write(2, b"before\n")
    with quiet.native_stderr_silenced():
        os.write(2, b"hidden\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "before\nafter\n"


@pytest.mark.slow
@pytest.mark.parametrize("level, shown", [(None, False), ("0", True)])
def test_tensorflow_loads_without_a_line_unless_the_user_set_a_level(level, shown):
    code = (
        "from nnbench.quiet import quiet_tensorflow\n"
        "quiet_tensorflow(verbose=False)\n"
        "import keras, tensorflow as tf\n"
        "assert isinstance(tf.__loader__, __import__('nnbench.quiet').quiet.QuietLoader) "
        f"is {not shown}\n"
    )
    env = {key: value for key, value in os.environ.items() if key != quiet.LOG_LEVEL_ENV}
    env.update({} if level is None else {quiet.LOG_LEVEL_ENV: level})
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert bool(done.stderr.strip()) is shown, done.stderr
