"""Execute every notebook headless (jupyter nbconvert --execute) and export HTML to reports/notebooks/.

A failing cell fails the run, and its error (which tslab writes to the cell's stderr, leaving nbconvert's own
summary empty) is printed with the cell's source. Usage: run-notebooks.py [NOTEBOOK ...]
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "reports", "notebooks")
TIMEOUT = int(os.environ.get("NOTEBOOK_TIMEOUT", "300"))


def cell_error(nb):
    """The first cell whose outputs carry an error (or tslab's stderr traceback), or None."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for o in cell.get("outputs", []):
            if o["output_type"] == "error":
                return i, cell, "\n".join(o.get("traceback", [])) or f"{o.get('ename')}: {o.get('evalue')}"
            if o["output_type"] == "stream" and o.get("name") == "stderr":
                text = "".join(o["text"])
                if "Error" in text or "error TS" in text or "at " in text:
                    return i, cell, text
    return None


def run(path):
    name = os.path.splitext(os.path.basename(path))[0]
    executed = os.path.join(OUT, f"{name}.ipynb")
    t0 = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
         f"--ExecutePreprocessor.timeout={TIMEOUT}", "--ExecutePreprocessor.kernel_name=tstrader",
         "--output-dir", OUT, "--output", name, path],
        cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0 or not os.path.exists(executed):
        sys.stderr.write(proc.stderr)
        return f"{path}: nbconvert failed (exit {proc.returncode})"
    nb = json.load(open(executed))
    err = cell_error(nb)
    if err:
        i, cell, text = err
        src = "".join(cell["source"])
        return f"{path}: cell {i + 1} failed\n--- cell source ---\n{src}\n--- error ---\n{text.strip()}"
    html = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", OUT, executed],
                          cwd=ROOT, capture_output=True, text=True)
    if html.returncode != 0:
        sys.stderr.write(html.stderr)
        return f"{path}: HTML export failed"
    print(f"ok   {path} ({time.time() - t0:.1f} s) -> reports/notebooks/{name}.html", flush=True)
    return None


def main():
    os.makedirs(OUT, exist_ok=True)
    paths = sys.argv[1:] or sorted(
        os.path.join("notebooks", f) for f in os.listdir(os.path.join(ROOT, "notebooks")) if f.endswith(".ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    failures = [f for f in (run(p) for p in paths) if f]
    for f in failures:
        print(f"FAIL {f}\n", file=sys.stderr)
    print(f"{len(paths) - len(failures)} of {len(paths)} notebooks ran; HTML in reports/notebooks/")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
