"""econnn._devices: the device parameter and GPUs for parallel fits."""

import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from econnn import NNClassifier, NNRegressor
from econnn._devices import resolve_device, spread_over_gpus


@pytest.mark.parametrize("device", ["gpu", "tpu:0", 3])
def test_unknown_device_is_a_clear_error(device):
    with pytest.raises(ValueError, match="device="):
        resolve_device(device)


def test_auto_is_cpu_without_a_gpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


@pytest.mark.parametrize("task, gpu", [(0, 0), (1, 1), (2, 2), (3, 0),
                                       (7, 1)])
def test_parallel_fits_go_round_robin_over_gpus(task, gpu):
    est = spread_over_gpus(NNRegressor(device="cuda"), task, n_gpus=3)
    assert est.device == f"cuda:{gpu}"


def test_every_pipeline_step_is_spread():
    pipe = make_pipeline(StandardScaler(), NNClassifier(device="auto"))
    spread_over_gpus(pipe, 5, n_gpus=2)
    assert pipe.get_params()["nnclassifier__device"] == "cuda:1"


@pytest.mark.parametrize("device", ["cpu", "cuda:1"])
def test_explicit_devices_are_kept(device):
    est = spread_over_gpus(NNRegressor(device=device), 2, n_gpus=4)
    assert est.device == device


def test_one_gpu_keeps_the_device():
    est = spread_over_gpus(NNRegressor(device="cuda"), 3, n_gpus=1)
    assert est.device == "cuda"
