#!/usr/bin/env bash
# Make sure a headless Chromium is available for tests/docs/test_docs_site_browser.py.
# Prints the browser's path. Looks at $CHROMIUM first, then the usual names on PATH; when none
# is found and apt-get can be used (root, or passwordless sudo), installs Debian's `chromium`.
set -euo pipefail

find_browser() {
    if [[ -n "${CHROMIUM:-}" ]] && command -v "$CHROMIUM" >/dev/null 2>&1; then
        command -v "$CHROMIUM"
        return 0
    fi
    local name
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

if find_browser; then
    exit 0
fi

if [[ "$(id -u)" == 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "error: no Chromium found; install Debian's 'chromium' package or set CHROMIUM=/path/to/chrome" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: no Chromium found and no apt-get; set CHROMIUM=/path/to/chrome" >&2
    exit 1
fi
echo "installing Debian's chromium (headless browser for the docs site test)..." >&2
"${sudo[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
find_browser
