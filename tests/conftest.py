"""Test-session settings."""

import importlib.util
from pathlib import Path

import pytest
import torch

# pytest-xdist runs one worker per core; a multi-threaded torch in each
# worker would oversubscribe the cores (OpenMP threads spin-wait), making
# the suite several times slower without testing anything more.
torch.set_num_threads(1)


@pytest.fixture
def benchmark_script():
    """A loader of ``benchmarks/<name>.py`` as a module (its ``--tiny``
    runs are tests of the benchmark scripts)."""
    root = Path(__file__).resolve().parents[1] / "benchmarks"

    def load(name):
        spec = importlib.util.spec_from_file_location(name,
                                                      root / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
