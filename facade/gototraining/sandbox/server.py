"""``Sandbox``: the emulator served by uvicorn on loopback from a background thread."""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import uvicorn

from . import store as _store
from .app import InjectedReset, build_app
from .auth import Auth, OrganizerTokens, check_expired_token_status
from .core import Core, RateLimiter, RequestRecord, unknown_operation
from .drift import DriftConfig, Drifted
from .faults import FaultSet
from .spec import Spec, default_spec
from .store import Json, Store

if TYPE_CHECKING:
    from gototraining import AsyncGoToTraining, GoToTraining, Registrant, Training


class _DropInjectedResets(logging.Filter):
    """Keep uvicorn from logging a traceback for every deliberately reset connection."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, InjectedReset)


_RESET_FILTER = _DropInjectedResets()
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Seconds ``reset()`` waits for requests it dropped from ``hold=True`` faults to finish
#: (they need only the server's event loop; this bounds a wedged server).
_DROP_TIMEOUT = 30.0


class SandboxError(ValueError):
    """A sandbox control was given something the sandbox does not have: an unknown training
    key, an unknown operation id.

    Raised by the test-side controls (``complete_training``, ``set_require_approval``,
    ``request_count``), never by the emulated API, which answers with HTTP errors. A
    ``ValueError``, like the other bad arguments of the controls (``faults.add``).
    """


class Sandbox:
    """A stateful GoToTraining API emulator on a loopback port.

    Use as a context manager (``with Sandbox() as sb: ...``) or call [`start`][gototraining.sandbox.Sandbox.start] /
    [`stop`][gototraining.sandbox.Sandbox.stop]. ``port=0`` picks a free port. ``seed`` makes keys and fault rolls
    reproducible; ``rate_limit`` (requests/s) turns on 429s; ``validate`` checks every
    request and response against the OpenAPI spec; ``token`` fixes the access token;
    ``expired_token_status`` is what a wrong or expired access token gets: 403 ``InvalidToken``
    like GoTo's gateway (default), or 401 ``InvalidToken``. ``rotate_refresh_tokens``: a
    refresh answers with a new refresh token and the one used stops working, as GoTo's token
    endpoint does (default); ``False`` keeps refresh tokens valid until revoked.

    Every organizer of the account (``organizers``) has tokens of its own;
    ``revoke_refresh_token`` revokes a grant.

    ``strict`` also refuses (400) what the real API is believed to refuse although its
    reference does not say so: a session that starts in the past (scheduling, or moving a
    session), and registering for a completed training. Off by default, because the sandbox
    cannot know; docs/sandbox.md lists what it refuses on the reference's authority.

    ``drift`` makes the answers stray from the spec the way real APIs do (``True``: every kind
    of drift, in every object of every answer; or kinds, e.g. ``"missing,unknown enum"``; or
    ``{"kinds": [...], "operations": [...], "rate": 0.2}``), seeded by ``seed`` and
    reproducible: to test an app against an imperfect API (docs/drift.md). ``drifted`` lists
    what was done. Faults can make single answers drift: ``sb.faults.add(op, drift=...)``.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        seed: int = 0,
        rate_limit: float | None = None,
        validate: bool = True,
        token: str | None = None,
        spec: Spec | None = None,
        expired_token_status: int = 403,
        strict: bool = False,
        drift: object = None,
        rotate_refresh_tokens: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.seed = seed
        spec = spec or default_spec()
        store = Store(seed, strict=strict)
        self._strict = strict
        self._core = Core(
            spec=spec,
            store=store,
            faults=FaultSet(seed, list(spec.operations)),
            auth=Auth(
                seed,
                [(key, organizer.email) for key, organizer in store.organizers.items()],
                token,
                expired_token_status=expired_token_status,
                account_key=store.account_key,
                rotate_refresh_tokens=rotate_refresh_tokens,
            ),
            validate=validate,
            limiter=RateLimiter(rate_limit) if rate_limit else None,
            drift=DriftConfig.parse(drift),
            seed=seed,
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # --- lifecycle -------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> Self:
        """Bind, serve in a background thread and return once connections are accepted."""
        if self._server is not None:
            raise RuntimeError("sandbox already started")
        sock = self._bind()
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self._core.store.files_base = f"{self.root_url}/_sandbox/files"
        config = uvicorn.Config(
            build_app(self._core, self.reset),
            http="httptools",
            loop="auto",  # uvloop when installed (sandbox extra): ~15% more requests/s
            lifespan="off",
            access_log=False,
            proxy_headers=False,
            log_level="warning",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        logging.getLogger("uvicorn.error").addFilter(_RESET_FILTER)
        self._server = server = uvicorn.Server(config)

        def run() -> None:
            try:
                server.run(sockets=[sock])
            # uvicorn reports startup failures with SystemExit; start() re-raises it.
            except BaseException as exc:  # noqa: BLE001
                self._error = exc
            finally:
                sock.close()

        self._thread = threading.Thread(
            target=run, name=f"gototraining-sandbox:{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server = None
                raise RuntimeError(f"sandbox failed to start: {self._error!r}")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Shut the server down (open keep-alive connections are closed)."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():  # a handler stuck in injected latency: stop waiting for it
            server.force_exit = True
            thread.join(timeout)
        self._server = self._thread = None

    def serve_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until SIGINT/SIGTERM, then stop cleanly (used by the command; main thread).

        ``on_ready`` runs once the server accepts connections.
        """
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
        try:
            self.start()
            if on_ready is not None:
                on_ready()
            while not stop.wait(0.5):
                if self._thread is None or not self._thread.is_alive():
                    raise RuntimeError(f"sandbox server died: {self._error!r}")
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto must be IPPROTO_TCP (not 0): asyncio only sets TCP_NODELAY on accepted
        # sockets whose proto says TCP, and without it Nagle + delayed ACK cap a
        # keep-alive client at ~25 requests/s.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(1024)
        return sock

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses and credentials -----------------------------------------------------
    @property
    def root_url(self) -> str:
        """``http://HOST:PORT`` (no API base path)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL including ``/G2T/rest``."""
        return self.root_url + self._core.spec.base_path

    @property
    def token_url(self) -> str:
        """The OAuth token endpoint."""
        return f"{self.root_url}/oauth/token"

    @property
    def authorize_url(self) -> str:
        """The OAuth authorization endpoint (redirects straight back with a code)."""
        return f"{self.root_url}/oauth/authorize"

    @property
    def token(self) -> str:
        """A valid access token (until [`expire_tokens`][gototraining.sandbox.Sandbox.expire_tokens])."""
        return self._core.auth.token

    @property
    def refresh_token(self) -> str:
        """The main organizer's refresh token as of the last ``reset``, for
        ``grant_type=refresh_token``. With ``rotate_refresh_tokens`` (the default) it stops
        working once it has been used: a client that refreshed holds the new one."""
        return self._core.auth.refresh_token

    def organizers(self) -> list[OrganizerTokens]:
        """Every organizer of the account, the main one (``organizer_key``) first, each
        with the access and refresh token issued to it at the last ``reset``: an access
        token acts for its own organizer only (another organizer's key gets 403)."""
        return list(self._core.auth.issued.values())

    def tokens_for(self, organizer_key: str) -> OrganizerTokens:
        """``organizers``' entry of ``organizer_key`` (``SandboxError`` if there is none)."""
        found = self._core.auth.issued.get(str(organizer_key))
        if found is None:
            known = ", ".join(self._core.auth.issued)
            raise SandboxError(f"no organizer {organizer_key!r} in this sandbox; it has {known}")
        return found

    @property
    def client_id(self) -> str:
        """OAuth client id for HTTP Basic client authentication."""
        return self._core.auth.client_id

    @property
    def client_secret(self) -> str:
        """OAuth client secret."""
        return self._core.auth.client_secret

    @property
    def organizer_key(self) -> str:
        """The token's organizer (19 digits)."""
        return self._core.store.organizer_key

    @property
    def account_key(self) -> str:
        """The organizers' account key."""
        return self._core.store.account_key

    @property
    def co_organizer_keys(self) -> list[str]:
        """Other organizers of the same account, usable as co-organizers."""
        return list(self._core.store.co_organizer_keys)

    # --- controls ----------------------------------------------------------------------
    @property
    def faults(self) -> FaultSet:
        """Fault injection: ``sb.faults.add(...)`` / ``sb.faults.clear()``."""
        return self._core.faults

    @property
    def core(self) -> Core:
        """Internals (store, spec, auth) for advanced tests."""
        return self._core

    @property
    def validate(self) -> bool:
        """Whether requests and responses are checked against the spec."""
        return self._core.validate

    @validate.setter
    def validate(self, value: bool) -> None:
        self._core.validate = value

    @property
    def strict(self) -> bool:
        """Whether undocumented-but-likely refusals are on (see the class docstring)."""
        return self._core.store.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self._core.store.strict = value

    @property
    def drift(self) -> DriftConfig | None:
        """How every answer strays from the spec (``None``: it does not); settable with
        anything ``Sandbox(drift=...)`` takes. ``reset()`` keeps it."""
        return self._core.drift

    @drift.setter
    def drift(self, value: object) -> None:
        self._core.drift = DriftConfig.parse(value)

    @property
    def drifted(self) -> list[Drifted]:
        """(operation, JSON path, kind) of every deviation made since the last reset."""
        with self._core.log_lock:
            drifter = self._core._drifter
            return [] if drifter is None else list(drifter.log)

    def reset(self) -> None:
        """Back to the seeded state: no trainings, original tokens, no faults, empty logs
        (drift's random streams start again), ``strict`` as constructed. Requests still held
        by a ``hold=True`` fault are dropped (their clients see a lost connection) and never
        applied: nothing done before the reset reaches the fresh state."""
        if not self._core.faults.drop_all(timeout=_DROP_TIMEOUT):
            raise RuntimeError(
                f"sandbox reset: requests dropped from hold=True faults did not finish within "
                f"{_DROP_TIMEOUT:g} s"
            )
        self._core.store.reset()
        self._core.store.strict = self._strict
        self._core.auth.reset()
        self._core.faults.clear()
        self._core.clear_logs()
        if self._core.limiter is not None:
            self._core.limiter.reset()

    def expire_tokens(self) -> None:
        """Invalidate all access tokens; the next API call with one gets 403 InvalidToken
        (or the status set with [`set_expired_token_status`][gototraining.sandbox.Sandbox.set_expired_token_status])."""
        self._core.auth.expire_all()

    def revoke_refresh_token(
        self, refresh_token: str | None = None, *, organizer_key: str | None = None
    ) -> int:
        """Revoke ``refresh_token``, or the whole grant of ``organizer_key`` (every refresh
        token issued to it; default: the main organizer), as a user does in GoTo's account
        settings: a refresh with one gets ``400 invalid_grant``. Access tokens stay valid
        until ``expire_tokens``. Returns how many refresh tokens were revoked.

        Raises ``SandboxError`` for an organizer the sandbox does not have.
        """
        try:
            return self._core.auth.revoke_refresh_tokens(refresh_token, organizer_key=organizer_key)
        except ValueError as exc:
            raise SandboxError(str(exc)) from None

    def set_expired_token_status(self, status: int) -> None:
        """Answer wrong or expired access tokens with ``status``: 403 ``InvalidToken`` (the
        real gateway, default) or 401 ``InvalidToken``; ``reset()`` restores the constructor's
        ``expired_token_status``. A missing token always gets 401 ``MissingToken``."""
        self._core.auth.expired_token_status = check_expired_token_status(status)

    def _training(self, training_key: str | int) -> _store.Training:
        """The training (hold the store's lock); ``SandboxError`` if there is none."""
        training = self._core.store.trainings.get(str(training_key))
        if training is None:
            known = ", ".join(self._core.store.trainings) or "none"
            raise SandboxError(
                f"no training {training_key!r} in this sandbox (cancelled, never scheduled "
                f"here, or the sandbox was reset since?); trainings now: {known}"
            )
        return training

    def complete_training(
        self,
        training_key: str | int,
        *,
        attendance_rate: float = 0.8,
        sessions: int | None = None,
    ) -> Json:
        """Let the training's sessions take place: completed sessions, attendance and
        recordings appear.

        ``sessions=N`` holds only the next ``N`` sessions not held yet, in time order (call it
        again for the following ones); ``None`` (default) all that are left. Once the last
        one took place the training is completed and leaves ``trainings.list()``. Returns
        every session held so far and its recording (camelCase, as the admin endpoint).

        Raises ``SandboxError`` for a key the sandbox does not have, ``ValueError`` for an
        ``attendance_rate`` outside 0..1 or ``sessions`` below 1.
        """
        with self._core.store.lock:
            training = self._training(training_key)
            return self._core.store.complete_training(training.key, attendance_rate, sessions)

    def set_recording_file_size(self, size: int | None) -> None:
        """Serve every recording file with exactly ``size`` bytes (``None``: 1-5 MB each).

        Small files keep recorded cassettes small; ``reset()`` restores the default.
        """
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            raise ValueError("size must be an int >= 0 or None")
        with self._core.store.lock:
            self._core.store.recording_file_size = size

    def set_require_approval(self, training_key: str | int, required: bool = True) -> None:
        """New registrants of the training get status WAITING instead of APPROVED.

        Raises ``SandboxError`` for a key the sandbox does not have.
        """
        with self._core.store.lock:
            self._training(training_key).require_approval = required

    # --- inspection --------------------------------------------------------------------
    @property
    def state(self) -> Json:
        """A JSON snapshot of all trainings, registrants and organizers."""
        with self._core.store.lock:
            return self._core.store.dump()

    def trainings(self) -> list[Training]:
        """All trainings (including completed ones), as the SDK's ``gototraining.Training``:
        what ``client.trainings.get`` would return for each."""
        from gototraining._generated.models import decode_training_list

        with self._core.store.lock:
            store = self._core.store
            rendered = [store.training_json(t) for t in store.trainings.values()]
        return decode_training_list(rendered)

    def registrants(self, training_key: str | int) -> list[Registrant]:
        """The training's registrants as the SDK's ``gototraining.Registrant`` (what
        ``client.registrants.list`` would return, never from a stale cache); ``[]`` for a
        training the sandbox does not have."""
        from gototraining._generated.models import decode_registrant_list

        with self._core.store.lock:
            training = self._core.store.trainings.get(str(training_key))
            rendered = [r.to_json() for r in training.registrants.values()] if training else []
        return decode_registrant_list(rendered)

    @property
    def requests(self) -> list[RequestRecord]:
        """(method, path, status) of every API request so far (status 0: connection reset)."""
        with self._core.log_lock:
            return list(self._core.requests)

    def request_count(self, operation_id: str | None = None) -> int:
        """Number of API requests, in total or for one operationId (faulted ones included).

        An operation id the spec does not have raises ``SandboxError`` (naming the closest
        ones): a typo must not read as "no requests".
        """
        if operation_id is not None and operation_id not in self._core.spec.operations:
            raise SandboxError(unknown_operation(operation_id, self._core.spec.operations))
        with self._core.log_lock:
            counts = self._core.operation_counts
            return sum(counts.values()) if operation_id is None else counts[operation_id]

    @property
    def violations(self) -> list[str]:
        """Spec violations seen so far (each also answered as a 500)."""
        with self._core.log_lock:
            return list(self._core.violations)

    def take_violations(self) -> list[str]:
        """Return and forget the violations (for tests that provoke one on purpose)."""
        with self._core.log_lock:
            taken = list(self._core.violations)
            self._core.violations.clear()
            return taken

    # --- ready-made clients ---------------------------------------------------------------
    def client(self, **options: Any) -> GoToTraining:
        """A ``GoToTraining`` for this sandbox, **unthrottled** (``rate_limit=None``), acting
        for the main organizer, or for ``organizer_key=`` (another organizer of
        ``organizers``, with its own access token).

        The client-side limiter (10 requests/s by default) would pace every test; the sandbox
        limits only when it was built with ``rate_limit``. ``options`` are passed on and win,
        e.g. ``sb.client(retry_policy=RetryPolicy(backoff_base=0.001))``. Close it (``with``).
        """
        from gototraining import GoToTraining

        return GoToTraining(**self._client_options(options))

    def async_client(self, **options: Any) -> AsyncGoToTraining:
        """An ``AsyncGoToTraining`` for this sandbox, unthrottled; see [`client`][gototraining.sandbox.Sandbox.client]."""
        from gototraining import AsyncGoToTraining

        return AsyncGoToTraining(**self._client_options(options))

    def _client_options(self, options: dict[str, Any]) -> dict[str, Any]:
        organizer_key = str(options.get("organizer_key", self.organizer_key))
        defaults: dict[str, Any] = {"base_url": self.url, "rate_limit": None}
        if "auth" not in options and "access_token" not in options:
            # another organizer of the account gets its own token
            defaults["access_token"] = (
                self.token
                if organizer_key == self.organizer_key
                else self.tokens_for(organizer_key).access_token
            )
        defaults["organizer_key"] = organizer_key
        return {**defaults, **options}

    def __repr__(self) -> str:
        running = "running" if self._server is not None else "stopped"
        return f"<Sandbox {self.url} {running}>"

    def __getstate__(self) -> Any:  # pragma: no cover - guard against xdist-style pickling
        raise TypeError("Sandbox objects cannot be pickled")
