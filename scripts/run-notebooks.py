"""Execute every notebook headless (nbclient, the engine of nbconvert --execute) and export HTML to reports/notebooks/.

Progress is printed per code cell as it finishes (index, seconds, first line), so a slow cell on a loaded
machine shows where the time goes. A failing cell fails the run, and its error (which tslab writes to the
cell's stderr, leaving nbclient's own summary empty) is printed with the cell's source.
Usage: run-notebooks.py [NOTEBOOK ...]
"""
import json
import os
import subprocess
import sys
import time

import nbformat
from nbclient import NotebookClient

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


def execute(path, name, executed):
    """Run the notebook's cells in the tstrader kernel, printing one line per code cell; write the result."""
    nb = nbformat.read(os.path.join(ROOT, path), as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    started = {}

    def on_start(cell, cell_index, **_):
        started[cell_index] = time.time()

    def on_done(cell, cell_index, **_):
        if cell.cell_type != "code":
            return
        k = code.index(cell_index) + 1 if cell_index in code else 0
        first = next((line.strip() for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("//")), "")
        print(f"  {name} cell {k:>2}/{len(code)} {time.time() - started.get(cell_index, time.time()):5.1f} s  {first[:70]}", flush=True)

    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="tstrader", allow_errors=True,
                            resources={"metadata": {"path": ROOT}}, on_cell_start=on_start, on_cell_executed=on_done)
    client.execute()
    nbformat.write(nb, executed)


def run(path):
    name = os.path.splitext(os.path.basename(path))[0]
    executed = os.path.join(OUT, f"{name}.ipynb")
    t0 = time.time()
    print(f"run  {path}", flush=True)
    try:
        execute(path, name, executed)
    except Exception as e:  # kernel died, timeout: say which notebook
        return f"{path}: execution failed: {type(e).__name__}: {e}"
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
