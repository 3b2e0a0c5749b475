#!/usr/bin/env bash
# The whole check, as CI runs it: install what the tests need, then lint, type-check and test.
# Usage: bash scripts/check.sh        (from anywhere; needs python3 and the package registries)
set -euo pipefail
cd "$(dirname "$0")/.."

# The integration tests drive real daemons from Debian's packages. As root on Debian/Ubuntu we
# install them; elsewhere those tests skip themselves unless IPMASK_REQUIRE_REAL=1 is set.
REAL_PACKAGES=(apache2 nginx-light rsyslog logrotate bsdutils procps bzip2 xz-utils)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    need=()
    for pkg in "${REAL_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    if [ "${#need[@]}" -gt 0 ]; then
        echo "== installing ${need[*]} from Debian's packages"
        # Keep the package scripts from starting system services: the tests start their own.
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
        rm -f /usr/sbin/policy-rc.d
    fi
    export IPMASK_REQUIRE_REAL=1
fi

# Finds an interpreter for version X.Y: on PATH, or in pyenv's versions folder.
find_python() {
    local v=$1 cand
    for cand in "python$v" "$(pyenv root 2>/dev/null)/versions/$v"*/bin/"python$v" \
                "$HOME/.pyenv/versions/$v"*/bin/"python$v"; do
        if "$cand" -c 'import sys' >/dev/null 2>&1; then
            command -v "$cand" 2>/dev/null || echo "$cand"
            return 0
        fi
    done
    return 1
}

# Makes .venvs/pyX.Y with ipmask and its dev tools installed; prints the venv's bin folder.
make_venv() {
    local v=$1 py venv=".venvs/py$1"
    py=$(find_python "$v") || { echo "Python $v not found (pyenv install $v)" >&2; return 1; }
    if [ ! -x "$venv/bin/python" ]; then
        "$py" -m venv "$venv" >&2
    fi
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]' >&2
    echo "$venv/bin"
}

MAIN=3.11
OTHERS=(3.10 3.12 3.13)

bin=$(make_venv "$MAIN")
echo "== ruff"
"$bin/ruff" check src tests benchmarks
"$bin/ruff" format --check src tests benchmarks
echo "== mypy --strict"
"$bin/mypy" --strict src
echo "== pytest on Python $MAIN with branch coverage"
rm -f .coverage .coverage.*
PATH="$PWD/$bin:$PATH" \
    "$bin/python" -m pytest --cov=ipmask --cov-branch --cov-report=term --cov-fail-under=95 "$@"

for v in "${OTHERS[@]}"; do
    echo "== pytest on Python $v"
    bin=$(make_venv "$v")
    PATH="$PWD/$bin:$PATH" "$bin/python" -m pytest -q "$@"
done
echo "== all checks passed"
