"""econnn on a GPU against a hand-written PyTorch loop on the same GPU.

Issue 15's GPU figures. Each scenario trains the same network with the same
optimizer, learning rate, batch size and epochs in econnn and in the loop a
PyTorch user writes (data resident on the GPU, a random permutation per
epoch, slice, forward, backward, step), and reports training throughput.

Scenarios::

    engine      10,000,000 x 50 regression, 50-512-512-512-1 ReLU, Adam,
                batch sizes 1,024 / 4,096 / 16,384
    ensemble    1,000,000 x 50, the same network as a batched ensemble of
                1, 4 and 16 members (econnn's ``n_ensemble``)
    forecaster  SequenceForecaster (LSTM and transformer) on a series of
                200,000 periods, GPU against this machine's CPU
    convnet     200,000 28x28 images, ConvNetClassifier's default LeNet-5
                layout against the same network in a hand-written loop

Throughput is training samples per second of an epoch, measured after a
warm-up: for econnn the median duration of epochs 2 to ``1 + E`` of a fit
(so it leaves out the one-off standardisation and transfer, which the
``fit s`` column includes), for the loop with CUDA synchronisation around
``E`` epochs after one warm-up epoch. ``ratio`` is econnn's
throughput over the loop's (the issue's target: >= 0.9).

Usage (on a machine with a CUDA GPU)::

    python benchmarks/gpu.py                        # every scenario
    python benchmarks/gpu.py --scenarios engine --rows 1000000
    python benchmarks/gpu.py --tiny                 # smoke test, any device
"""

import argparse
import json
import time
import warnings

import numpy as np
import torch

from econnn import (ConvNetClassifier, NNRegressor, SequenceForecaster,
                    make_windows)

warnings.filterwarnings("ignore", module="econnn")


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _regression_data(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p), dtype=np.float32)
    beta = rng.standard_normal(p).astype(np.float32) / np.sqrt(p)
    y = X @ beta + np.sin(X[:, 0] * X[:, 1]) + 0.1 * rng.standard_normal(
        n, dtype=np.float32)
    return X, y.astype(np.float32)


def _mlp(n_in, hidden, n_out=1):
    layers, width = [], n_in
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, n_out))


def _torch_loop(model, loss_fn, X, y, batch, epochs, lr, device):
    """Seconds per epoch of the loop a PyTorch user writes."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(X)

    def epoch():
        perm = torch.randperm(n, device=device)
        total = torch.zeros((), device=device)
        for start in range(0, n, batch):
            idx = perm[start:start + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.detach()
        return total

    epoch()  # warm-up: kernels, cuBLAS handles, the optimizer's state
    _sync(device)
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    _sync(device)
    return (time.perf_counter() - start) / epochs


def _econnn_epoch(make, X, y, epochs, device):
    """(seconds per epoch, seconds of the 1 + epochs fit) of an estimator.

    The epoch time is the median of the epochs after the first, as timed by
    skorch's ``EpochTimer`` (econnn synchronises the device once per epoch,
    when it reads the epoch's loss).
    """
    make(1).fit(X, y)  # warm-up
    _sync(device)
    start = time.perf_counter()
    model = make(1 + epochs).fit(X, y)
    _sync(device)
    fit_s = time.perf_counter() - start
    durations = [row["dur"] for row in model.net_.history[1:]]
    return float(np.median(durations)), fit_s, model


def _row(name, n, per_epoch, **extra):
    return dict(contender=name, samples_per_s=n / per_epoch,
                epoch_s=per_epoch, **extra)


def scenario_engine(args, device):
    n, p, hidden, epochs = args.rows, 50, (512, 512, 512), args.epochs
    X, y = _regression_data(n, p)
    Xt = torch.as_tensor((X - X.mean(0)) / X.std(0), device=device)
    yt = torch.as_tensor((y - y.mean()) / y.std(), device=device)[:, None]
    rows = []
    for batch in args.batches:
        def make(max_iter, batch=batch):
            return NNRegressor(hidden_layer_sizes=hidden, activation="relu",
                               batch_size=batch,
                               max_iter=max_iter, learning_rate_init=1e-3,
                               learning_rate="constant", alpha=0.0, tol=0.0,
                               n_iter_no_change=max_iter + 1,
                               early_stopping=False, linear_skip=False,
                               n_ensemble=1, device=str(device),
                               random_state=0)

        per_epoch, fit_s, model = _econnn_epoch(make, X, y, epochs, device)
        torch.manual_seed(0)
        loop = _torch_loop(_mlp(p, hidden).to(device),
                           torch.nn.functional.mse_loss, Xt, yt, batch,
                           epochs, 1e-3, device)
        r2 = model.score(X[:100_000], y[:100_000])
        rows.append(dict(batch=batch, econnn_samples_per_s=n / per_epoch,
                         loop_samples_per_s=n / loop,
                         ratio=loop / per_epoch, econnn_fit_s=fit_s,
                         econnn_train_r2=r2))
        print(f"engine batch {batch}: econnn {n / per_epoch:,.0f}/s, loop "
              f"{n / loop:,.0f}/s, ratio {loop / per_epoch:.3f}", flush=True)
    return rows


def scenario_ensemble(args, device):
    n, p, hidden, epochs = max(args.rows // 10, 1000), 50, (512, 512, 512), \
        args.epochs
    X, y = _regression_data(n, p)
    rows = []
    for members in args.members:
        def make(max_iter, members=members):
            return NNRegressor(hidden_layer_sizes=hidden, activation="relu",
                               batch_size=4096,
                               max_iter=max_iter, learning_rate="constant",
                               tol=0.0, n_iter_no_change=max_iter + 1,
                               early_stopping=False, linear_skip=False,
                               n_ensemble=members, device=str(device),
                               random_state=0)

        per_epoch, fit_s, _ = _econnn_epoch(make, X, y, epochs, device)
        rows.append(dict(members=members, samples_per_s=n / per_epoch,
                         member_samples_per_s=members * n / per_epoch,
                         epoch_s=per_epoch, fit_s=fit_s))
        print(f"ensemble {members}: {members * n / per_epoch:,.0f} "
              "member-samples/s", flush=True)
    base = rows[0]["member_samples_per_s"]
    for row in rows:
        row["vs_one_network"] = row["member_samples_per_s"] / base
    return rows


def scenario_forecaster(args, device):
    import pandas as pd

    rng = np.random.default_rng(0)
    T = max(args.rows // 100, 2000)
    e = rng.standard_normal(T)
    y = np.zeros(T)
    for t in range(2, T):
        y[t] = 0.5 * y[t - 1] - 0.3 * y[t - 2] + 0.8 * np.tanh(
            2 * y[t - 1]) + e[t]
    series = pd.Series(y, index=pd.period_range("1900-01", periods=T,
                                                freq="M"))
    X, Y = make_windows(series, lags=24)
    rows = []
    for cell in ("lstm", "transformer"):
        for dev in dict.fromkeys(("cpu", str(device))):
            model = SequenceForecaster(cell=cell, hidden_size=64,
                                       batch_size=256, max_iter=args.epochs,
                                       n_iter_no_change=args.epochs + 1,
                                       device=dev, random_state=0)
            start = time.perf_counter()
            model.fit(X, Y)
            _sync(torch.device(dev))
            fit_s = time.perf_counter() - start
            rows.append(dict(cell=cell, device=dev, periods=T,
                             epochs=model.n_iter_, fit_s=fit_s,
                             r2=model.score(X, Y)))
            print(f"forecaster {cell} on {dev}: {fit_s:.1f} s", flush=True)
    return rows


def _lenet(n_classes):
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 5 * 5, 120),
        torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(),
        torch.nn.Linear(84, n_classes))


def scenario_convnet(args, device):
    n, epochs, batch = max(args.rows // 50, 2000), args.epochs, 256
    rng = np.random.default_rng(0)
    images = rng.standard_normal((n, 1, 28, 28), dtype=np.float32)
    # the label: which quadrant holds the brightest 7x7 blob
    pooled = images.reshape(n, 4, 7, 4, 7).mean(axis=(2, 4))
    quadrant = pooled.reshape(n, 2, 2, 2, 2).sum(axis=(2, 4)).reshape(n, 4)
    labels = quadrant.argmax(axis=1)

    def make(max_iter):
        return ConvNetClassifier(conv_channels=(6, 16), kernel_size=5,
                                 hidden_layer_sizes=(120, 84),
                                 activation="relu",
                                 batch_size=batch, max_iter=max_iter,
                                 learning_rate="constant", tol=0.0,
                                 n_iter_no_change=max_iter + 1,
                                 early_stopping=False, device=str(device),
                                 random_state=0)

    per_epoch, fit_s, model = _econnn_epoch(make, images, labels, epochs,
                                            device)
    torch.manual_seed(0)
    Xt = torch.as_tensor(images, device=device)
    yt = torch.as_tensor(labels, device=device)
    loop = _torch_loop(_lenet(4).to(device), torch.nn.functional.cross_entropy,
                       Xt, yt, batch, epochs, 1e-3, device)
    print(f"convnet: econnn {n / per_epoch:,.0f}/s, loop {n / loop:,.0f}/s",
          flush=True)
    return [dict(images=n, batch=batch, econnn_samples_per_s=n / per_epoch,
                 loop_samples_per_s=n / loop, ratio=loop / per_epoch,
                 econnn_fit_s=fit_s,
                 econnn_train_accuracy=model.score(images[:20_000],
                                                   labels[:20_000]))]


def profile_engine(device, batch, steps=20):
    """The kernels of ``steps`` training steps, econnn and the loop."""
    from torch.profiler import ProfilerActivity, profile

    n, p, hidden = batch * steps, 50, (512, 512, 512)
    X, y = _regression_data(n, p)
    model = NNRegressor(hidden_layer_sizes=hidden, activation="relu",
                               batch_size=batch,
                        max_iter=1, early_stopping=False, linear_skip=False,
                        n_ensemble=1, device=str(device), random_state=0)
    model.fit(X, y)
    activities = [ProfilerActivity.CPU] + (
        [ProfilerActivity.CUDA] if device.type == "cuda" else [])
    sort = "cuda_time_total" if device.type == "cuda" else "cpu_time_total"
    with profile(activities=activities) as prof:
        model.fit(X, y)
        _sync(device)
    print("\n## profile: econnn, one epoch of", steps, "steps\n")
    print(prof.key_averages().table(sort_by=sort, row_limit=18))
    Xt = torch.as_tensor(X, device=device)
    yt = torch.as_tensor(y, device=device)[:, None]
    with profile(activities=activities) as prof:
        _torch_loop(_mlp(p, hidden).to(device), torch.nn.functional.mse_loss,
                    Xt, yt, batch, 1, 1e-3, device)
    print("\n## profile: the loop, two epochs of", steps, "steps\n")
    print(prof.key_averages().table(sort_by=sort, row_limit=18))


SCENARIOS = {"engine": scenario_engine, "ensemble": scenario_ensemble,
             "forecaster": scenario_forecaster, "convnet": scenario_convnet}


def _markdown(rows):
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |",
             "|" + "---|" * len(keys)]
    for row in rows:
        cells = [f"{v:,.3f}" if isinstance(v, float) and abs(v) < 100 else
                 f"{v:,.0f}" if isinstance(v, float) else str(v)
                 for v in row.values()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS),
                        default=list(SCENARIOS))
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batches", type=int, nargs="+",
                        default=[1024, 4096, 16384])
    parser.add_argument("--members", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--profile", action="store_true",
                        help="print the GPU kernels of a few training steps "
                             "of each engine contender")
    parser.add_argument("--tiny", action="store_true",
                        help="a smoke test: 5,000 rows, one batch size")
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args(argv)
    if args.tiny:
        args.rows, args.epochs, args.batches = 5000, 1, [1024]
        args.members = [1, 2]
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    results = {"device": torch.cuda.get_device_name(device)
               if device.type == "cuda" else "cpu",
               "torch": torch.__version__, "rows": args.rows,
               "epochs": args.epochs}
    if args.profile:
        profile_engine(device, batch=max(args.batches))
    for name in args.scenarios:
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        results[name] = SCENARIOS[name](args, device)
        if device.type == "cuda":
            results[name + "_peak_gpu_gb"] = \
                torch.cuda.max_memory_allocated(device) / 2 ** 30
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(results, fh, indent=1)
    print(f"\n# {results['device']}, torch {results['torch']}")
    for name in args.scenarios:
        print(f"\n## {name}\n\n{_markdown(results[name])}")
    return results


if __name__ == "__main__":
    main()
