"""Where one training step goes: econnn's step taken apart, on scenario 1.

Times (process CPU time, microseconds per step, best of 5) the pieces of a
step of the Boston network (13-64-64-1 ReLU, Adam, batch 32, float32) and
the same step through autograd and ``torch.optim.Adam.step``, so the effect
of each part of the fast path can be read off::

    OMP_NUM_THREADS=1 python benchmarks/profile_step.py
"""

import time
import warnings

import numpy as np
import torch

from econnn import NNRegressor
from econnn.engine._backprop import FusedAdamStep, MLPBackprop


def _per_call(fn, n=2000, repeats=5):
    fn()
    best = np.inf
    for _ in range(repeats):
        t0 = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - t0) / n)
    return best * 1e6


def main():
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.randn(455, 13).astype(np.float32)
    y = (X[:, 0] ** 2 + X[:, 1]).astype(np.float32)
    model = NNRegressor(batch_size=32, max_iter=2, alpha=0.0,
                        random_state=0).fit(X, y)
    net, body = model.net_, model.net_.module_
    crit, opt = net.criterion_, net.optimizer_
    xb, yb = torch.from_numpy(X[:32]), torch.from_numpy(y[:32, None])
    backprop = MLPBackprop.for_module(body)
    fused = FusedAdamStep.for_optimizer(opt)

    def autograd():
        opt.zero_grad(set_to_none=True)
        crit(body(xb), yb).backward()

    # the same two parameter groups with the per-tensor (foreach) kernels
    groups = [{"params": [p for p in body.parameters() if p.dim() >= 2]},
              {"params": [p for p in body.parameters() if p.dim() < 2]}]
    foreach = torch.optim.Adam(groups, foreach=True)

    rows = {
        "forward + backward, autograd": autograd,
        "forward + backward, closed form": lambda: backprop.accumulate(
            xb, yb, None, crit),
        "forward only (closed-form path)": lambda: backprop.forward(xb),
        "Adam, optimizer.step() (foreach=True)": foreach.step,
        "Adam, optimizer.step() (fused=True)": opt.step,
        "Adam, fused kernel called directly": fused.step,
        "batch: 3 index_select": lambda: [t.index_select(0, idx) for t in
                                          (Xt, yt, Xt)],
        "batch: 2 slices of a pre-permuted copy": lambda: (Xt[32:64],
                                                           yt[32:64]),
    }
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y[:, None])
    idx = torch.randperm(455)[:32]
    print(f"torch threads: {torch.get_num_threads()}")
    print("| piece | CPU us per call |\n|---|---|")
    for name, fn in rows.items():
        print(f"| {name} | {_per_call(fn):.1f} |")

    epochs = 50
    steps = epochs * int(np.ceil(455 / 32))
    t0 = time.process_time()
    NNRegressor(batch_size=32, max_iter=epochs, alpha=0.0, tol=0.0,
                n_iter_no_change=epochs + 1, random_state=0).fit(X, y)
    whole = (time.process_time() - t0) / steps * 1e6
    print(f"| whole fit, per step (incl. per-epoch work) | {whole:.1f} |")


if __name__ == "__main__":
    main()
