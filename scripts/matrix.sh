#!/usr/bin/env bash
# `make matrix`: the test suite on every CPython among 3.11-3.14 found on this machine, each in
# its own venv under .venv-matrix/<version>, and once more with the newest releases of the
# dependencies the SDK reaches into most (httpx, httpcore and theirs) on the first Python found,
# in .venv-matrix/newest-deps: a release that breaks the SDK shows here before users meet it.
# An interpreter counts as found when `python3.X` on PATH runs (a pyenv shim for a version that
# is not selected does not) or pyenv has it installed. Missing versions are reported, not
# installed. Exits non-zero if any run fails.
#
#   scripts/matrix.sh               every Python, then the newest dependencies
#   scripts/matrix.sh --newest-deps only the newest dependencies (`make matrix-newest`)
set -uo pipefail
cd "$(dirname "$0")/.."

VERSIONS=(3.11 3.12 3.13 3.14)
# What the newest-dependencies run upgrades to their newest releases within the SDK's declared
# ranges: httpx, httpcore and the two they drive (h11 parses HTTP/1.1 for httpcore, anyio is
# its async network layer).
NEWEST=(httpx httpcore h11 anyio)
ONLY_NEWEST=0
case "${1:-}" in
  "") ;;
  --newest-deps) ONLY_NEWEST=1 ;;
  *) echo "usage: $0 [--newest-deps]" >&2; exit 2 ;;
esac

# Prints the path of a working CPython $1 (e.g. 3.12), or fails.
find_python() {
    local version=$1 candidate dir
    local check="import sys, platform; sys.exit(not (sys.version.startswith('$version.') and platform.python_implementation() == 'CPython'))"
    if candidate="$(command -v "python$version")" && "$candidate" -c "$check" 2>/dev/null; then
        echo "$candidate"
        return 0
    fi
    if command -v pyenv >/dev/null 2>&1; then
        while read -r dir; do
            candidate="$dir/bin/python$version"
            if [[ -x "$candidate" ]] && "$candidate" -c "$check" 2>/dev/null; then
                echo "$candidate"
                return 0
            fi
        done < <(ls -d "$(pyenv root)/versions/$version".* 2>/dev/null | sort -V -r)
    fi
    return 1
}

declare -A RESULT
ROWS=()
failed=0

# run ROW PYTHON VENV [PACKAGE...]: install the project into VENV, upgrade PACKAGEs to their
# newest releases, run the suite; the outcome goes into RESULT[ROW].
run() {
    local row=$1 python=$2 venv=$3 start status summary versions=""
    shift 3
    ROWS+=("$row")
    echo "=== $row ($python) -> $venv"
    if [[ ! -x "$venv/bin/python" ]]; then
        "$python" -m venv "$venv" || { RESULT[$row]="venv failed"; failed=1; return; }
    fi
    if ! { "$venv/bin/python" -m pip install --quiet --upgrade 'pip>=25.1' &&
           "$venv/bin/python" -m pip install --quiet -e '.[sandbox,cli]' --group dev; }; then
        RESULT[$row]="install failed"
        failed=1
        return
    fi
    if (($#)); then
        if ! "$venv/bin/python" -m pip install --quiet --upgrade "$@" -e '.[sandbox,cli]'; then
            RESULT[$row]="upgrading $* failed"
            failed=1
            return
        fi
        versions="$("$venv/bin/python" -c 'import sys
from importlib.metadata import version
print(", ".join(f"{name} {version(name)}" for name in sys.argv[1:]))' "$@")"
        echo "    $versions"
        versions=" [$versions]"
    fi
    start=$SECONDS
    "$venv/bin/python" -m pytest -q -p no:cacheprovider 2>&1 | tee "$venv/pytest.log" | tail -n 25
    status=${PIPESTATUS[0]}
    summary="$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed).* =+$' "$venv/pytest.log" | tail -n 1)"
    if [[ $status == 0 ]]; then
        RESULT[$row]="passed in $((SECONDS - start)) s$versions: $summary"
    else
        RESULT[$row]="FAILED (exit $status) in $((SECONDS - start)) s$versions: $summary"
        failed=1
    fi
}

first=""
for version in "${VERSIONS[@]}"; do
    if ! python="$(find_python "$version")"; then
        ((ONLY_NEWEST)) || { ROWS+=("Python $version"); RESULT["Python $version"]="not found"; }
        continue
    fi
    first=${first:-$python}
    ((ONLY_NEWEST)) || run "Python $version" "$python" ".venv-matrix/$version"
done
if [[ -n "$first" ]]; then
    run "newest deps" "$first" ".venv-matrix/newest-deps" "${NEWEST[@]}"
else
    ROWS+=("newest deps")
    RESULT["newest deps"]="no Python found"
    failed=1
fi

echo
echo "=== make matrix"
for row in "${ROWS[@]}"; do
    printf '  %-14s %s\n' "$row" "${RESULT[$row]}"
done
exit $failed
