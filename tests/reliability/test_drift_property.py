"""Every operation, sync and async, against answers that stray from the spec in every way the
sandbox's drift mode makes them stray (``gototraining.sandbox.drift``).

For each operation (the fault matrix's rows: every facade method, the multi-step ones too) and
each kind of drift, the sandbox makes every JSON object of the operation's answers stray:

- tolerant (the clients' default): the call succeeds (0 crashes), and every deviation the
  sandbox made is reported -- the drift record file names each (operation, path, kind);
- strict: the call raises ``DecodeError`` whenever the answer strayed, and succeeds when the
  kind found nothing to change in it.

``test_every_kind_strayed_somewhere`` closes the module: each kind was made at least once, so
no kind is covered by an empty loop.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from gototraining import DecodeError
from gototraining._drift import Deviation
from gototraining.sandbox.drift import KINDS, Drifted

from .helpers import client_kwargs
from .test_fault_matrix import OPS, Op, prepare

pytestmark = [
    pytest.mark.filterwarnings("ignore::gototraining.DriftWarning"),
    pytest.mark.filterwarnings("ignore:organizers.list_for_account:DeprecationWarning"),
]

#: (kind) -> deviations made, over the whole module.
MADE: Counter[str] = Counter()


def _pattern(path: str) -> str:
    return Deviation(
        operation="", path=path, kind=KINDS[0], schema=None, property=None,  # type: ignore[arg-type]
        expected="", got="", lost=False,
    ).pattern  # fmt: skip


def _run(
    op: Op, kind: str, flavor: Any, sb: Any, tmp_path: Path, **options: Any
) -> tuple[Any, list[Drifted]]:
    """Call ``op`` on fresh state with its answers drifting in ``kind``: (outcome, made)."""
    sb.reset()
    state = prepare(sb, tmp_path)
    client = flavor.client(**client_kwargs(sb, is_async=flavor.is_async, **options))
    sb.faults.add(op.operation, drift=[kind])
    before = len(sb.drifted)
    outcome: Any
    try:
        outcome = flavor.run(lambda c: op.call(c, state), client)
    except Exception as exc:  # noqa: BLE001 - classified by the caller
        outcome = exc
    made = [d for d in sb.drifted[before:] if d.operation == op.operation]
    return outcome, made


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_drifting_answers(op: Op, kind: str, flavor: Any, sb: Any, tmp_path: Path) -> None:
    record = tmp_path / "drift.jsonl"
    outcome, made = _run(op, kind, flavor, sb, tmp_path, strict=False, record_drift=record)
    assert not isinstance(outcome, Exception), f"tolerant decoding crashed: {outcome!r}"
    MADE[kind] += len(made)
    lines = record.read_text().splitlines() if record.exists() else []
    reported = {
        (entry["path"], entry["kind"])
        for entry in map(json.loads, lines)
        if entry["operation"] == op.operation
    }
    assert reported == {(_pattern(d.path), d.kind) for d in made}

    outcome, made = _run(op, kind, flavor, sb, tmp_path, strict=True)
    if made:
        assert isinstance(outcome, DecodeError), f"strict accepted {made}: {outcome!r}"
        assert outcome.response is not None
    else:
        assert not isinstance(outcome, Exception), outcome


def test_every_kind_strayed_somewhere() -> None:
    if not MADE:
        pytest.skip("run with the module's other tests")
    print(f"\n[drift property] deviations made: {dict(MADE)}")
    assert set(MADE) == set(KINDS), MADE
