#!/usr/bin/env bash
# npm run notebooks [-- notebooks/NAME.ipynb ...]: installs the kernel if needed, executes every notebook headless.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py=/usr/bin/python3
[ -x "$py" ] && "$py" -c 'import nbconvert' 2>/dev/null || py="$(command -v python3)"
# Always (re)install: the kernelspec records this checkout's path, and another clone may have installed its own.
bash "$root/scripts/setup-notebooks.sh"
export PYDEVD_DISABLE_FILE_VALIDATION=1
"$py" -Xfrozen_modules=off "$root/scripts/run-notebooks.py" "$@"
# Open the exported HTML in headless Chromium and check every chart rendered.
cd "$root" && NOTEBOOK_HTML=1 NOTEBOOKS="$*" npx vitest run test/notebooks/html.test.ts
