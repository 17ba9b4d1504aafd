"""scikit-learn Random Forest side by side with bench/ml-compare.ts: same rows, same parameters, 1 thread.

Reads X_train, y_train, X_test as raw little-endian float64 files written by the TypeScript bench and prints one
JSON line: fit seconds, predict milliseconds (wall and CPU, median and best of 15 calls), test accuracy.
Usage: python3 rf_sklearn.py DIR N_FEATURES
"""
import json
import sys
import time

import numpy as np
from sklearn import __version__ as skv
from sklearn.ensemble import RandomForestClassifier

d, k = sys.argv[1], int(sys.argv[2])
Xtr = np.fromfile(f"{d}/Xtr.f64", dtype="<f8").reshape(-1, k)
ytr = np.fromfile(f"{d}/ytr.f64", dtype="<f8").astype(np.int64)
Xte = np.fromfile(f"{d}/Xte.f64", dtype="<f8").reshape(-1, k)
yte = np.fromfile(f"{d}/yte.f64", dtype="<f8").astype(np.int64)
rf = RandomForestClassifier(n_estimators=100, max_depth=10, max_features="sqrt", n_jobs=1, random_state=1)
t0 = time.perf_counter()
rf.fit(Xtr, ytr)
fit_s = time.perf_counter() - t0
times = []
cpu = []
for _ in range(15):
    t0 = time.perf_counter()
    c0 = time.process_time()
    p = rf.predict_proba(Xte)
    cpu.append((time.process_time() - c0) * 1000)
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
cpu.sort()
acc = float(((p[:, 1] > 0.5).astype(np.int64) == yte).mean())
print(json.dumps({"sklearn": skv, "fit_s": fit_s, "predict_ms_median": times[len(times) // 2], "predict_ms_best": times[0], "predict_cpu_ms_median": cpu[len(cpu) // 2], "predict_cpu_ms_best": cpu[0], "accuracy": acc, "rows": int(Xte.shape[0])}))
