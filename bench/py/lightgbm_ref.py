"""LightGBM side of bench/ml-gbdt.ts: fit and score on the exact matrices the TypeScript bench wrote.

usage: python3 bench/py/lightgbm_ref.py DIR REPEATS   (REPEATS fits, then one JSON line of results)
       python3 bench/py/lightgbm_ref.py DIR serve     (prints "ready"; each stdin line "fit" fits once and
                                                       prints {"wall": s, "cpu": s}; "done" prints the results)
The serve mode lets the bench alternate our fits and LightGBM's, so both see the same machine load.
DIR holds meta.json ({"train": n, "test": m, "cols": k, "params": {...}}) and float64 little-endian files
Xtr.bin, ytr.bin, Xte.bin, yte.bin. Results: version, first and warm (median of the rest) fit seconds, wall
and CPU (1 thread), predict seconds, test AUC and accuracy.
"""
import json
import sys
import time

import numpy as np

t_import = time.perf_counter()
import lightgbm as lgb  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

t_import = time.perf_counter() - t_import


def main() -> None:
    d = sys.argv[1]
    serve = sys.argv[2] == "serve"
    repeats = 0 if serve else int(sys.argv[2])
    meta = json.load(open(f"{d}/meta.json"))
    n, m, k = meta["train"], meta["test"], meta["cols"]
    Xtr = np.fromfile(f"{d}/Xtr.bin", dtype="<f8").reshape(n, k)
    ytr = np.fromfile(f"{d}/ytr.bin", dtype="<f8")
    Xte = np.fromfile(f"{d}/Xte.bin", dtype="<f8").reshape(m, k)
    yte = np.fromfile(f"{d}/yte.bin", dtype="<f8")
    p = meta["params"]
    params = dict(
        objective="binary",
        num_leaves=p["num_leaves"],
        learning_rate=p["learning_rate"],
        min_data_in_leaf=p["min_data_in_leaf"],
        max_bin=p["max_bin"],
        num_threads=1,
        deterministic=True,
        force_col_wise=False,
        verbose=-1,
        seed=1,
    )
    fits = []
    cpu = []
    booster = None

    def fit() -> None:
        nonlocal booster
        t0 = time.perf_counter()
        c0 = time.process_time()
        # Dataset construction (binning) is part of the fit, as it is on our side
        booster = lgb.train(params, lgb.Dataset(Xtr, label=ytr), num_boost_round=p["rounds"])
        fits.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)

    if serve:
        print("ready", flush=True)
        for line in sys.stdin:
            if line.strip() != "fit":
                break
            fit()
            print(json.dumps({"wall": fits[-1], "cpu": cpu[-1]}), flush=True)
    else:
        for _ in range(repeats):
            fit()
    t0 = time.perf_counter()
    prob = booster.predict(Xte)
    pred_s = time.perf_counter() - t0
    out = {
        "version": lgb.__version__,
        "import_s": t_import,
        "cold_fit_s": fits[0],
        "warm_fit_s": sorted(fits[1:])[len(fits[1:]) // 2] if len(fits) > 1 else fits[0],
        "best_fit_s": min(fits),
        "warm_cpu_s": sorted(cpu[1:])[len(cpu[1:]) // 2] if len(cpu) > 1 else cpu[0],
        "predict_s": pred_s,
        "auc": float(roc_auc_score(yte, prob)),
        "accuracy": float(np.mean((prob >= 0.5) == (yte == 1))),
    }
    print(json.dumps(out))


main()
