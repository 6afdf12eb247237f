"""The environment a result records: its keys declared once, recorded, shown in words, and
compared by the gate."""

from __future__ import annotations

from nnbench.environment import ENVIRONMENT_KEYS, environment
from nnbench.presentation import environment_facts
from nnbench.schemas.result import ENV_KEYS

DECLARED = [entry.key for entry in ENVIRONMENT_KEYS]


def test_a_result_records_every_declared_key_and_the_schema_holds_them():
    assert len(set(DECLARED)) == len(DECLARED) == 14
    recorded = environment(device="cpu")
    assert set(recorded) == set(DECLARED) == set(ENV_KEYS)
    assert (recorded["device"], recorded["cores"] > 0) == ("cpu", True)


def test_the_gate_compares_the_versions_device_and_processor():
    assert [entry.key for entry in ENVIRONMENT_KEYS if entry.compared] == [
        "cpu",
        "cores",
        "device",
        "python",
        "sklearn",
        "tensorflow",
        "keras",
        "keras_backend",
        "numpy",
    ]


def test_the_facts_name_each_key_with_values_that_differ_listed_once_each():
    envs = [
        {"cpu": "Test CPU", "cores": 2, "python": "3.11.7", "keras": "3.15"},
        {"cpu": "Test CPU", "cores": 4, "python": "3.12.1", "keras_backend": "jax"},
    ]
    assert environment_facts(envs) == [
        ("CPU", "Test CPU, 2, 4 cores"),
        ("device", "unknown"),
        ("Python", "3.11.7, 3.12.1"),
        ("scikit-learn", "?"),
        ("TensorFlow", "not installed"),
        ("Keras", "3.15 (jax backend)"),
        ("NumPy", "?"),
        ("pandas", "?"),
        ("nnbench", "?"),
        ("platform", "unknown"),
        ("git commit", "unknown"),
    ]


def test_nothing_recorded_is_shown_as_unknown():
    assert dict(environment_facts([{}]))["CPU"] == "unknown CPU, ? cores"
