#!/usr/bin/env bash
# `make matrix`: the test suite against what users install, with the newest releases of the
# dependencies the SDK reaches into most, on every CPython among 3.11-3.14 found on this machine
# (or the versions in $MATRIX_VERSIONS, e.g. "3.13" in CI).
#
# Per version, in a venv made afresh (.venv-matrix/<version>):
#   1. the wheel built from this checkout, with its extras, installed the way a user's
#      `pip install 'gototraining[cli,sandbox]'` resolves it: the newest versions the package
#      allows, nothing else in the venv to hold them back. httpx, httpcore and the two they
#      drive (h11 parses HTTP/1.1 for httpcore, anyio is its async network layer) are named in
#      the same `pip install --upgrade`: their newest releases within the package's ranges, so
#      a release that breaks the SDK shows here before users meet it. Every run is thus also
#      the run with the newest httpx and httpcore; there is no second one;
#   2. the test tools (the `dev` dependency group) added under the constraint that every
#      runtime package stays exactly as step 1 resolved it: the tools never shape the
#      runtime under test (a tool that needs an older typer or httpx fails the install, loudly);
#   3. the suite, importing gototraining from that venv's site-packages, never from facade/.
# The generator (openapi-python-client and its pins) is not in these venvs at all: it lives in
# .venv-gen (scripts/regenerate.sh).
#
# An interpreter counts as found when `python3.X` on PATH runs (a pyenv shim for a version that
# is not selected does not) or pyenv has it installed. Missing versions are reported, not
# installed. Exits non-zero if any run fails.
set -uo pipefail
cd "$(dirname "$0")/.."

read -r -a VERSIONS <<< "${MATRIX_VERSIONS:-3.11 3.12 3.13 3.14}"
BUILDER="${BUILDER:-.venv/bin/python}"  # has `build` and hatchling (the dist group)
# Installed at their newest releases within the SDK's declared ranges (step 1).
NEWEST=(httpx httpcore h11 anyio)
# The runtime versions each row reports.
SHOWN='httpx|httpcore|h11|anyio|typer|click|rich|starlette|uvicorn'

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

echo "=== building the wheel"
rm -rf .venv-matrix/dist
if ! "$BUILDER" -m build --wheel --no-isolation --outdir .venv-matrix/dist . >/dev/null; then
    echo "make matrix: the wheel did not build" >&2
    exit 1
fi
WHEEL="$(ls .venv-matrix/dist/gototraining-*.whl)"
echo "    $WHEEL"

declare -A RESULT
failed=0
for version in "${VERSIONS[@]}"; do
    if ! python="$(find_python "$version")"; then
        RESULT[$version]="not found"
        continue
    fi
    venv=".venv-matrix/$version"
    echo "=== Python $version ($python) -> $venv"
    "$python" -m venv --clear "$venv" || { RESULT[$version]="venv failed"; failed=1; continue; }
    pip=("$venv/bin/python" -m pip --disable-pip-version-check)
    if ! "${pip[@]}" install --quiet --upgrade 'pip>=25.1' ||
       ! "${pip[@]}" install --quiet --upgrade "$WHEEL[cli,sandbox]" "${NEWEST[@]}"; then
        RESULT[$version]="install of the wheel failed"
        failed=1
        continue
    fi
    "${pip[@]}" freeze --exclude gototraining > "$venv/runtime.txt"
    if ! "${pip[@]}" install --quiet --group dev -c "$venv/runtime.txt"; then
        RESULT[$version]="the test tools need other runtime versions than users get (see above)"
        failed=1
        continue
    fi
    runtime="$(grep -iE "^($SHOWN)==" "$venv/runtime.txt" | tr '\n' ' ')"
    echo "    runtime: $runtime"
    if ! "$venv/bin/python" -c "import gototraining, sys; sys.exit('site-packages' not in gototraining.__file__)"; then
        RESULT[$version]="gototraining is not imported from the installed wheel"
        failed=1
        continue
    fi
    start=$SECONDS
    "$venv/bin/python" -m pytest -q -p no:cacheprovider 2>&1 | tee "$venv/pytest.log" | tail -n 25
    status=${PIPESTATUS[0]}
    summary="$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed).* =+$' "$venv/pytest.log" | tail -n 1)"
    if [[ $status == 0 ]]; then
        RESULT[$version]="passed in $((SECONDS - start)) s: $summary [$runtime]"
    else
        RESULT[$version]="FAILED (exit $status) in $((SECONDS - start)) s: $summary [$runtime]"
        failed=1
    fi
done

echo
echo "=== make matrix ($(basename "$WHEEL"), installed as users install it, newest ${NEWEST[*]})"
for version in "${VERSIONS[@]}"; do
    printf '  Python %-5s %s\n' "$version" "${RESULT[$version]}"
done
exit $failed
