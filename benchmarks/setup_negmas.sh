#!/usr/bin/env bash
# Create the separate virtual environment that holds the NegMAS baseline.
#
# NegMAS is AGPL-licensed: it is never a dependency of negotiation-arena and
# project code never imports it. It lives only in this benchmark-only venv,
# which is gitignored (.bench-venv/). The benchmark talks to it through a
# subprocess (benchmarks/negmas_baseline.py) and reads JSON back.
#
# Usage: bash benchmarks/setup_negmas.sh [python-executable]
# Env:   BENCH_VENV (default: <repo>/.bench-venv), NEGMAS_SPEC (default: negmas)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
python="${1:-python3}"
venv="${BENCH_VENV:-$repo/.bench-venv}"
spec="${NEGMAS_SPEC:-negmas}"

if [ ! -x "$venv/bin/python" ]; then
    echo "creating venv at $venv"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
echo "installing $spec into $venv (large download, takes a while)"
"$venv/bin/python" -m pip install "$spec"
"$venv/bin/python" -c "import negmas; print('negmas', negmas.__version__, 'ready in $venv')"
