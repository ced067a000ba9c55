"""A real ``redis-server`` (Debian's package; ``scripts/ensure-redis.sh`` installs it) on a free
loopback port, started and stopped by the tests -- no fake stands in for it.

``RedisServer.start()`` returns once the server answers ``PING`` (an event, not a sleep);
``stop()`` ends it (SIGTERM: with persistence off it saves nothing); ``start()`` again brings it
back on the same port, empty, as a restarted Redis would be. ``make bench`` uses it too.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis

__all__ = ["RedisServer", "redis_server_binary"]

#: Bound on how long a starting server may take to answer (an upper bound, not a wait).
_READY_WITHIN = 30.0


def redis_server_binary() -> str:
    """The ``redis-server`` to run: ``$REDIS_SERVER``, else on PATH (or ``valkey-server``)."""
    for name in (os.environ.get("REDIS_SERVER"), "redis-server", "valkey-server"):
        if name and (found := shutil.which(name)):
            return found
    raise RuntimeError(
        "no redis-server: run scripts/ensure-redis.sh (installs Debian's redis-server), or set "
        "REDIS_SERVER=/path/to/redis-server"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` process on 127.0.0.1 (``password``: with ``requirepass``)."""

    def __init__(self, directory: Path, *, password: str | None = None) -> None:
        self.binary = redis_server_binary()
        self.directory = directory
        self.password = password
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.directory),
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password)
        deadline = time.monotonic() + _READY_WITHIN
        try:
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"redis-server exited ({self.process.returncode}):\n{log}")
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not answer within {_READY_WITHIN} s")
                time.sleep(0.02)
        finally:
            client.close()

    def client(self) -> redis.Redis:
        """A redis-py client of this server (for checks)."""
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=_READY_WITHIN)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
