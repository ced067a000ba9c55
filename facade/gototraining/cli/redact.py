"""Keep secrets out of everything the CLI prints, ``--debug`` tracebacks included.

Two layers: every secret value the CLI handles (tokens from the environment or the token
store, refreshed tokens, client secrets, authorization codes) is registered and replaced
verbatim; patterns catch credentials the CLI never saw as values (an ``Authorization``
header or a ``token=`` form field inside an exception message or a local repr).
"""

from __future__ import annotations

import re
import threading

__all__ = ["Redactor", "redactor"]

MASK = "***"

_PATTERNS = (
    # Authorization header values (Bearer tokens, Basic client credentials).
    re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]+=*"),
    # key=value / "key": "value" pairs whose key names a credential.
    re.compile(
        r"(?i)(\b(?:access_token|refresh_token|client_secret|id_token|code|password|secret)"
        r"[\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;}]+)"
    ),
)


class Redactor:
    """Replaces registered secrets and credential-looking substrings with ``***``."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, *secrets: str | None) -> None:
        """Register secret values (short strings are ignored: masking them would mangle text)."""
        with self._lock:
            self._secrets.update(s for s in secrets if s and len(s) >= 6)

    def clear(self) -> None:
        """Forget all registered secrets (tests)."""
        with self._lock:
            self._secrets.clear()

    def __call__(self, text: str) -> str:
        """``text`` with every secret masked."""
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)  # longest first
        for secret in secrets:
            text = text.replace(secret, MASK)
        text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
        return _PATTERNS[1].sub(lambda m: f"{m.group(1)}{MASK}", text)


#: The process-wide redactor the CLI registers secrets with.
redactor = Redactor()
