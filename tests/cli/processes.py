"""Long-running client processes for the token store tests: real processes, driven line by
line (every step gated on the process's answer, never on a sleep)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Self

#: A process that builds ``GoToTraining()`` from the token store (like an app started once)
#: and, for every ``call`` line on stdin, lists the trainings and answers one JSON line.
CLIENT = r"""
import json, sys, warnings
from gototraining import GoToTraining

warnings.simplefilter("always")
caught = []
warnings.showwarning = lambda message, *args, **kwargs: caught.append(str(message))
client = GoToTraining(rate_limit=None)
print(json.dumps({"ready": client.organizer_key}), flush=True)
for line in sys.stdin:
    if line.strip() != "call":
        break
    try:
        trainings = client.trainings.list()
        answer = {"ok": len(trainings)}
    except Exception as exc:
        answer = {"error": type(exc).__name__, "message": str(exc)}
    answer["warnings"], caught[:] = list(caught), []
    print(json.dumps(answer), flush=True)
client.close()
"""

#: Bound of waits that only end late when something hangs.
HANG = 120.0


class ClientProcess:
    """``CLIENT`` in a subprocess with ``GOTO_CONFIG_DIR=config_dir``."""

    def __init__(self, config_dir: Path) -> None:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("GOTO_") or name == "GOTO_CONFIG_DIR"
        }
        env["GOTO_CONFIG_DIR"] = str(config_dir)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CLIENT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.organizer_key = str(self._answer()["ready"])

    def _answer(self) -> dict[str, object]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            _, err = self.proc.communicate(timeout=HANG)
            raise AssertionError(f"the client process ended: {err}")
        answer: dict[str, object] = json.loads(line)
        return answer

    def send_call(self) -> None:
        """Ask for one API call (its answer: :meth:`result`)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("call\n")
        self.proc.stdin.flush()

    def result(self) -> dict[str, object]:
        """The answer to the call asked for last."""
        return self._answer()

    def call(self) -> dict[str, object]:
        self.send_call()
        return self.result()

    def close(self) -> str:
        """End the process (its stdin closed, it ends its loop); its stderr."""
        assert self.proc.stdin is not None and self.proc.stderr is not None
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.stderr.read()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
