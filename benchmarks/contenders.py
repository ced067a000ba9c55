"""The timed contenders: each is a pyperf ``bench_time_func`` (``loops -> seconds``).

Clients, payloads and event loops are built once per worker process, lazily on the first
call (pyperf's calibration/warm-up run comes first), never inside the timed loop. Every
contender checks its result so that a broken contender fails loudly instead of timing an
error path.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from . import payloads as p

TimeFunc = Callable[[int], float]

#: registrations per timed async-bulk iteration, and how many run at once
BULK_REQUESTS = 1000
BULK_CONCURRENCY = 16
#: registrants in the decode payload
DECODE_REGISTRANTS = 10_000

TRAINING_PATH = f"/organizers/{p.ORGANIZER_KEY}/trainings/{p.TRAINING_KEY}"
REGISTRANTS_PATH = f"{TRAINING_PATH}/registrants"


@dataclass(frozen=True)
class Contender:
    """One benchmark contender.

    ``group`` is the comparison it belongs to, ``baseline`` the contender of the group the
    ratios are taken against; ``make(base_url)`` returns the time function.
    """

    name: str
    group: str
    label: str
    make: Callable[[str, dict[str, int]], TimeFunc]


def facade_available() -> bool:
    """Whether the facade (``gototraining.GoToTraining``) is importable in this checkout."""
    import gototraining

    return hasattr(gototraining, "GoToTraining")


def _lazy(build: Callable[[], TimeFunc]) -> TimeFunc:
    """Defer building a contender until pyperf first calls it in the worker."""
    state: list[TimeFunc] = []

    def run(loops: int) -> float:
        if not state:
            state.append(build())
        return state[0](loops)

    return run


# --- per call: sync getTraining ---------------------------------------------------------


def _check_training_key(key: str) -> None:
    if key != str(p.TRAINING_KEY):
        raise AssertionError(f"unexpected training key {key!r}")


def percall_httpx_get(base_url: str, opts: dict[str, int]) -> TimeFunc:
    """Raw ``httpx.Client`` GET, keep-alive, Authorization header, status check only."""

    def build() -> TimeFunc:
        client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {p.TOKEN}"})
        _check_training_key(client.get(TRAINING_PATH).json()["trainingKey"])

        def run(loops: int) -> float:
            get = client.get
            t0 = time.perf_counter()
            for _ in range(loops):
                response = get(TRAINING_PATH)
                if response.status_code != 200:
                    raise AssertionError(response.status_code)
            return time.perf_counter() - t0

        return run

    return _lazy(build)


def percall_httpx(base_url: str, opts: dict[str, int]) -> TimeFunc:
    """Raw ``httpx.Client``: GET, ``raise_for_status()``, ``.json()`` (the baseline)."""

    def build() -> TimeFunc:
        client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {p.TOKEN}"})
        _check_training_key(client.get(TRAINING_PATH).json()["trainingKey"])

        def run(loops: int) -> float:
            get = client.get
            t0 = time.perf_counter()
            for _ in range(loops):
                response = get(TRAINING_PATH)
                response.raise_for_status()
                response.json()
            return time.perf_counter() - t0

        return run

    return _lazy(build)


def percall_generated(base_url: str, opts: dict[str, int]) -> TimeFunc:
    """The bare generated client: ``get_training.sync_detailed`` on an ``AuthenticatedClient``."""

    def build() -> TimeFunc:
        from gototraining_api import AuthenticatedClient
        from gototraining_api.api.trainings import get_training
        from gototraining_api.models import Training

        client = AuthenticatedClient(base_url=base_url, token=p.TOKEN)
        parsed = get_training.sync_detailed(p.ORGANIZER_KEY, p.TRAINING_KEY, client=client).parsed
        if not isinstance(parsed, Training):
            raise TypeError(parsed)
        _check_training_key(parsed.training_key)
        call = get_training.sync_detailed

        def run(loops: int) -> float:
            t0 = time.perf_counter()
            for _ in range(loops):
                call(p.ORGANIZER_KEY, p.TRAINING_KEY, client=client)
            return time.perf_counter() - t0

        return run

    return _lazy(build)


def percall_facade(base_url: str, opts: dict[str, int]) -> TimeFunc:
    """The facade: ``GoToTraining(rate_limit=None).trainings.get(key)``."""

    def build() -> TimeFunc:
        from gototraining import GoToTraining

        client = GoToTraining(
            access_token=p.TOKEN,
            organizer_key=str(p.ORGANIZER_KEY),
            base_url=base_url,
            rate_limit=None,
        )
        _check_training_key(client.trainings.get(str(p.TRAINING_KEY)).training_key)
        get = client.trainings.get
        key = str(p.TRAINING_KEY)

        def run(loops: int) -> float:
            t0 = time.perf_counter()
            for _ in range(loops):
                get(key)
            return time.perf_counter() - t0

        return run

    return _lazy(build)


# --- async bulk: 1,000 registrations at concurrency 16 -----------------------------------


def _bulk(
    register: Callable[[int], Any], loop: asyncio.AbstractEventLoop, total: int, concurrency: int
) -> Callable[[int], float]:
    """Time ``loops`` batches of ``total`` calls of ``register(n)`` with ``concurrency`` tasks."""
    counter = [0]

    async def batch() -> None:
        remaining = [total]

        async def worker() -> None:
            while remaining[0] > 0:
                remaining[0] -= 1
                counter[0] += 1
                await register(counter[0])

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    def run(loops: int) -> float:
        t0 = time.perf_counter()
        for _ in range(loops):
            loop.run_until_complete(batch())
        return time.perf_counter() - t0

    return run


def bulk_httpx(base_url: str, opts: dict[str, int]) -> TimeFunc:
    """Raw ``httpx.AsyncClient``: POST JSON, ``raise_for_status()``, ``.json()``."""

    def build() -> TimeFunc:
        loop = asyncio.new_event_loop()
        client = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {p.TOKEN}"}
        )

        async def register(n: int) -> None:
            response = await client.post(
                REGISTRANTS_PATH,
                json={"email": f"person{n}@example.com", "givenName": "Ada", "surname": "Lovelace"},
            )
            response.raise_for_status()
            if response.status_code != 201 or "registrantKey" not in response.json():
                raise AssertionError(response.status_code)

        return _bulk(register, loop, opts["bulk_requests"], opts["bulk_concurrency"])

    return _lazy(build)


def bulk_facade(base_url: str, opts: dict[str, int]) -> TimeFunc:
    """The facade: ``AsyncGoToTraining(rate_limit=None).registrants.register(...)``."""

    def build() -> TimeFunc:
        from gototraining import AsyncGoToTraining

        loop = asyncio.new_event_loop()
        client = AsyncGoToTraining(
            access_token=p.TOKEN,
            organizer_key=str(p.ORGANIZER_KEY),
            base_url=base_url,
            rate_limit=None,
        )
        key = str(p.TRAINING_KEY)

        async def register(n: int) -> None:
            result = await client.registrants.register(
                key, email=f"person{n}@example.com", given_name="Ada", surname="Lovelace"
            )
            if not result.registrant_key:
                raise AssertionError(result)

        return _bulk(register, loop, opts["bulk_requests"], opts["bulk_concurrency"])

    return _lazy(build)


# --- decoding a 10,000-registrant getRegistrants body ------------------------------------


def _decode_bench(decode: Callable[[bytes], Any], count: int) -> TimeFunc:
    def build() -> TimeFunc:
        payload = p.registrants_bytes(count)
        if len(decode(payload)) != count:
            raise AssertionError("decoded the wrong number of registrants")

        def run(loops: int) -> float:
            t0 = time.perf_counter()
            for _ in range(loops):
                decode(payload)
            return time.perf_counter() - t0

        return run

    return _lazy(build)


def decode_json(base_url: str, opts: dict[str, int]) -> TimeFunc:
    """``json.loads`` alone (the baseline)."""
    return _decode_bench(json.loads, opts["decode_registrants"])


def facade_registrants_decoder() -> Callable[[bytes], Any]:
    """The facade's decode path for getRegistrants, applied to raw body bytes.

    This is exactly what ``client.registrants.list`` runs on a 200 response:
    ``_transport.decode_json(models.decode_registrant_list)`` on the ``httpx.Response``.
    """
    from gototraining._generated.models import decode_registrant_list
    from gototraining._transport import decode_json as wrap

    decode_response = wrap(decode_registrant_list)

    def decode(payload: bytes) -> Any:
        return decode_response(httpx.Response(200, content=payload))

    return decode


def decode_facade(base_url: str, opts: dict[str, int]) -> TimeFunc:
    """The facade's models (``list[gototraining.Registrant]``) from the same bytes."""
    return _decode_bench(facade_registrants_decoder(), opts["decode_registrants"])


def decode_generated(base_url: str, opts: dict[str, int]) -> TimeFunc:
    """For context: the generated client's ``Registrant.from_dict`` per item."""
    from gototraining_api.models import Registrant

    def decode(payload: bytes) -> Any:
        return [Registrant.from_dict(d) for d in json.loads(payload)]

    return _decode_bench(decode, opts["decode_registrants"])


# --- registry ----------------------------------------------------------------------------

GROUPS: dict[str, dict[str, Any]] = {
    "percall": {
        "title": "Per call: sync trainings.get (keep-alive, rate limiter off)",
        "baseline": "percall-httpx",
        "target": ("percall-facade", "time", 1.10),
    },
    "bulk": {
        "title": f"Async bulk: {BULK_REQUESTS:,} registrations at concurrency {BULK_CONCURRENCY}",
        "baseline": "bulk-httpx",
        "target": ("bulk-facade", "throughput", 0.90),
    },
    "decode": {
        "title": f"Decoding a {DECODE_REGISTRANTS:,}-registrant getRegistrants body",
        "baseline": "decode-json",
        "target": ("decode-facade", "time", 3.0),
    },
}


def contenders(include_facade: bool | None = None) -> list[Contender]:
    """All contenders, in run order (facade ones only when the facade is available)."""
    if include_facade is None:
        include_facade = facade_available()
    out = [
        Contender("percall-httpx", "percall", "raw httpx.Client (GET + .json())", percall_httpx),
        Contender("percall-httpx-get", "percall", "raw httpx.Client (GET only)", percall_httpx_get),
        Contender(
            "percall-generated",
            "percall",
            "generated get_training.sync_detailed",
            percall_generated,
        ),
        Contender("bulk-httpx", "bulk", "raw httpx.AsyncClient", bulk_httpx),
        Contender("decode-json", "decode", "json.loads alone", decode_json),
        Contender("decode-generated", "decode", "generated Registrant.from_dict", decode_generated),
    ]
    if include_facade:
        out += [
            Contender(
                "percall-facade", "percall", "facade GoToTraining.trainings.get", percall_facade
            ),
            Contender(
                "bulk-facade", "bulk", "facade AsyncGoToTraining.registrants.register", bulk_facade
            ),
            Contender(
                "decode-facade", "decode", "facade models (registrants.list path)", decode_facade
            ),
        ]
    group_order = list(GROUPS)
    return sorted(out, key=lambda c: group_order.index(c.group))
