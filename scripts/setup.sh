#!/usr/bin/env bash
# One-step set-up of trade_opt on a fresh Debian/Ubuntu machine (idempotent; safe to rerun).
#  1. Debian packages: the AMPL Solver Library headers (for PyNumero's ASL interface, used by Ipopt
#     through Pyomo), cmake and g++ to build it. Optional MIP solvers for benchmarking: CBC, GLPK.
#  2. A virtual environment in .venv with trade_opt and its pinned dependencies from PyPI.
#  3. PyNumero's ASL library built locally into .venv/pyomo_config (PYOMO_CONFIG_DIR), never in $HOME,
#     and never with `pyomo build-extensions` (that clones from the network).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}

need_apt=()
[ -f /usr/include/ampl-netlib-solvers/asl.h ] || need_apt+=(libamplsolver-dev)
command -v cmake >/dev/null 2>&1 || need_apt+=(cmake)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
if [ "${TRADE_OPT_OPTIONAL_SOLVERS:-1}" = "1" ]; then
  command -v cbc >/dev/null 2>&1 || need_apt+=(coinor-cbc)
  command -v glpsol >/dev/null 2>&1 || need_apt+=(glpk-utils)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  echo "setup: apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
echo "setup: pip install -e . (pinned ranges in pyproject.toml)"
"$VENV/bin/python" -m pip install -q -e "$ROOT[dev,scip,ortools]"

export PYOMO_CONFIG_DIR="$VENV/pyomo_config"
if ! "$VENV/bin/python" -c "from pyomo.contrib.pynumero.asl import AmplInterface; import sys; sys.exit(0 if AmplInterface.available() else 1)" 2>/dev/null; then
  echo "setup: building PyNumero's ASL interface into $PYOMO_CONFIG_DIR"
  mkdir -p "$PYOMO_CONFIG_DIR"
  "$VENV/bin/python" -m pyomo.contrib.pynumero.build \
      -DASL_INCLUDE_DIR=/usr/include/ampl-netlib-solvers \
      -DASL_LIBRARY=/usr/lib/x86_64-linux-gnu/libamplsolver.so > "$VENV/pynumero_build.log" 2>&1 \
    || { echo "setup: PyNumero build failed, see $VENV/pynumero_build.log" >&2; exit 1; }
fi
"$VENV/bin/trade-opt" doctor
