#!/usr/bin/env bash
# `make matrix`: the test suite on every CPython among 3.11-3.14 found on this machine, each in
# its own venv under .venv-matrix/<version>. An interpreter counts as found when `python3.X` on
# PATH runs (a pyenv shim for a version that is not selected does not) or pyenv has it
# installed. Missing versions are reported, not installed. Exits non-zero if any run fails.
set -uo pipefail
cd "$(dirname "$0")/.."

VERSIONS=(3.11 3.12 3.13 3.14)

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
failed=0
for version in "${VERSIONS[@]}"; do
    if ! python="$(find_python "$version")"; then
        RESULT[$version]="not found"
        continue
    fi
    venv=".venv-matrix/$version"
    echo "=== Python $version ($python) -> $venv"
    if [[ ! -x "$venv/bin/python" ]]; then
        "$python" -m venv "$venv" || { RESULT[$version]="venv failed"; failed=1; continue; }
    fi
    if ! { "$venv/bin/python" -m pip install --quiet --upgrade 'pip>=25.1' &&
           "$venv/bin/python" -m pip install --quiet -e '.[sandbox,cli]' --group dev; }; then
        RESULT[$version]="install failed"
        failed=1
        continue
    fi
    start=$SECONDS
    "$venv/bin/python" -m pytest -q -p no:cacheprovider 2>&1 | tee "$venv/pytest.log" | tail -n 25
    status=${PIPESTATUS[0]}
    summary="$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed).* =+$' "$venv/pytest.log" | tail -n 1)"
    if [[ $status == 0 ]]; then
        RESULT[$version]="passed in $((SECONDS - start)) s: $summary"
    else
        RESULT[$version]="FAILED (exit $status) in $((SECONDS - start)) s: $summary"
        failed=1
    fi
done

echo
echo "=== make matrix"
for version in "${VERSIONS[@]}"; do
    printf '  Python %-5s %s\n' "$version" "${RESULT[$version]}"
done
exit $failed
