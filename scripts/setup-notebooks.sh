#!/usr/bin/env bash
# Installs the project's TypeScript notebook kernel ("tstrader", tslab) for Jupyter.
#  - tslab lives in tools/tslab with its own node_modules: it bundles TypeScript 5.0 and a `tsc` bin that would
#    shadow the project's TypeScript if both sat in one node_modules.
#  - The kernel starts in the repository root, so notebooks in notebooks/ import `./lib/...` directly.
#  - Debian's python3 has Jupyter; a pyenv python3 earlier on PATH may not, so /usr/bin/python3 is preferred.
set -euo pipefail
case "${1:-}" in
  -h | --help)
    echo "usage: npm run setup:notebooks"
    echo
    echo "Installs the 'tstrader' TypeScript kernel (tslab, in tools/tslab) for Jupyter, pointing at this checkout."
    echo "Takes no options. Needs Jupyter: apt-get install jupyter-notebook ... (see README.md) or pip install jupyterlab."
    exit 0 ;;
  "") ;;
  *) echo "setup:notebooks: unknown option $1 (it takes none; see --help)" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/tools/tslab"
if [ ! -x node_modules/tslab/bin/tslab ]; then
  npm ci --no-audit --no-fund
fi
py=/usr/bin/python3
[ -x "$py" ] && "$py" -c 'import jupyter_client' 2>/dev/null || py="$(command -v python3)"
"$py" -c 'import jupyter_client' 2>/dev/null || { echo "Jupyter is not installed for $py. On Debian/Ubuntu: sudo apt-get install -y --no-install-recommends jupyter-notebook jupyter-nbconvert python3-nbconvert python3-nbclient python3-ipykernel jupyter-client (or pip install jupyterlab)" >&2; exit 1; }
spec="$(mktemp -d)/tstrader"
mkdir -p "$spec"
cat > "$spec/kernel.json" <<JSON
{
  "argv": ["/bin/sh", "-c", "cd \"\$1\" && exec node \"\$1/tools/tslab/node_modules/tslab/bin/tslab\" kernel --config-path \"\$2\"", "tstrader-kernel", "$root", "{connection_file}"],
  "display_name": "TypeScript (tstrader)",
  "language": "typescript"
}
JSON
"$py" -m jupyter kernelspec install --user --replace --name tstrader "$spec" >/dev/null 2>&1
echo "installed Jupyter kernel 'tstrader' (TypeScript via tslab, working directory $root)"
