#!/usr/bin/env bash
# Make sure a real redis-server is available for the shared rate-limit tests (tests/ratelimit).
# Prints its path. Looks at $REDIS_SERVER first, then redis-server and valkey-server on PATH (and
# /usr/bin, /usr/sbin); when none is found and apt-get can be used (root, or passwordless sudo),
# installs Debian's `redis-server` package. The tests start and stop their own servers on free
# loopback ports: the package's system service is neither needed nor started here.
set -euo pipefail

find_server() {
    if [[ -n "${REDIS_SERVER:-}" ]] && command -v "$REDIS_SERVER" >/dev/null 2>&1; then
        command -v "$REDIS_SERVER"
        return 0
    fi
    local name
    for name in redis-server valkey-server /usr/bin/redis-server /usr/sbin/redis-server; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

if find_server; then
    exit 0
fi

if [[ "$(id -u)" == 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "error: no redis-server found; install Debian's 'redis-server' package or set REDIS_SERVER=/path/to/redis-server" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: no redis-server found and no apt-get; set REDIS_SERVER=/path/to/redis-server" >&2
    exit 1
fi
echo "installing Debian's redis-server (for the shared rate-limit tests)..." >&2
"${sudo[@]}" apt-get update -qq >&2
# policy-rc.d 101: the package's own service is not started (the tests run their own servers).
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
    trap '"${sudo[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends redis-server >&2
find_server
