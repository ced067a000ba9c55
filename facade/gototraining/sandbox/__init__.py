"""Local sandbox: a stateful emulator of the GoToTraining REST API over loopback HTTP.

Start it three ways:

```python
from gototraining.sandbox import Sandbox
with Sandbox() as sb:            # free port on 127.0.0.1
    httpx.get(f"{sb.url}/organizers/{sb.organizer_key}/trainings",
              headers={"Authorization": f"Bearer {sb.token}"})

def test_x(gototraining_sandbox): ...   # pytest fixture (installed plugin)
```

```bash
gototraining sandbox --port 8089       # or: python -m gototraining.sandbox
```

All 22 operations of the spec are served under ``/G2T/rest`` with in-memory state, and
every request and response is validated against the shipped OpenAPI spec. Besides the
API the server has:

OAuth emulation
    ``GET /oauth/authorize?client_id=..&redirect_uri=..&state=..`` redirects back at once
    with ``code`` (PKCE ``code_challenge`` honoured; ``login_hint`` picks the organizer);
    ``POST /oauth/token`` (form, HTTP Basic client auth) takes
    ``grant_type=authorization_code`` or ``grant_type=refresh_token`` (which rotates the
    refresh token).

Admin endpoints (no auth; for a sandbox in another process, e.g. the CLI demo)
    ``GET  /_sandbox/health``                        -> ``{"ok": true}``
    ``POST /_sandbox/reset``                         -> 204, back to the seeded state
    ``GET  /_sandbox/state``                         -> all trainings, registrants, organizers
    ``POST /_sandbox/trainings/{key}/complete``      body ``{"attendance_rate": 0.8}`` -> sessions
                                                    and recordings (see ``Sandbox.complete_training``)
    ``POST /_sandbox/trainings/{key}/approval``      body ``{"required": true}`` -> 204
    ``GET|POST|DELETE /_sandbox/faults``             list / add (body: ``FaultSet.add`` keywords,
                                                    e.g. ``{"operation": "getTraining", "statuses": [503]}``)
                                                    / clear; ``DELETE /_sandbox/faults/{id}`` drops one
    ``POST /_sandbox/faults/{id}/release``           -> 204, a ``hold`` fault lets its requests go
    ``POST /_sandbox/faults/{id}/wait``              body ``{"held": 2, "timeout": 30}`` or
                                                    ``{"idle": true}`` -> 200 when reached, else 408
    ``POST /_sandbox/expire-tokens``                 -> 204, all access tokens now invalid
    ``POST /_sandbox/revoke-refresh-tokens``         body ``{"refresh_token": ..}`` or
                                                    ``{"organizer_key": ..}`` -> ``{"revoked": n}``
    ``GET  /_sandbox/requests``                      -> ``[{"method", "path", "status", "received_at"}]``
    ``GET  /_sandbox/violations``                    -> spec violations seen
    ``GET  /_sandbox/files/recording-{id}.mp4``      -> recording bytes (where downloads redirect)

Importing this package is cheap: ``Sandbox`` (and with it uvicorn and Starlette, from the
``sandbox`` extra) is loaded on first attribute access. Without the extra that access raises
``ModuleNotFoundError`` saying ``pip install 'gototraining[sandbox]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .faults import Fault, FaultSet
    from .server import Sandbox, SandboxError

__all__ = ["Fault", "FaultSet", "Sandbox", "SandboxError"]

#: Top-level modules the ``sandbox`` extra provides (``yaml`` is PyYAML).
_EXTRA_MODULES = frozenset({"starlette", "uvicorn", "httptools", "fastjsonschema", "yaml"})


def __getattr__(name: str) -> Any:
    if name in ("Sandbox", "SandboxError"):
        try:
            from . import server
        except ModuleNotFoundError as exc:
            missing = (exc.name or "").partition(".")[0]
            if missing not in _EXTRA_MODULES:
                raise
            raise ModuleNotFoundError(
                f"gototraining.sandbox needs the 'sandbox' extra ({missing} is not installed): "
                "pip install 'gototraining[sandbox]'",
                name=exc.name,
            ) from exc
        return getattr(server, name)
    if name in ("Fault", "FaultSet"):
        from . import faults

        return getattr(faults, name)
    raise AttributeError(name)
