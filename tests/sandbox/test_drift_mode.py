"""The sandbox's drift mode: answers that stray from the spec, seeded and reproducible, per
operation, through every way of asking for it (``Sandbox(drift=...)``, a fault, the admin
endpoint, ``gototraining sandbox --drift``, the pytest marker). What the SDK makes of drifting
answers is tests/reliability/test_drift_property.py's subject."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from gototraining import DecodeError, DriftWarning
from gototraining.sandbox import Sandbox
from gototraining.sandbox.command import build_parser
from gototraining.sandbox.drift import KINDS, DriftConfig

START = datetime(2031, 5, 1, 9, tzinfo=UTC)

pytestmark = pytest.mark.filterwarnings("ignore::gototraining.DriftWarning")


def _session(sb: Sandbox) -> list[Any]:
    """A few calls; what the sandbox did to their answers."""
    with sb.client(strict=False) as client:
        key = client.trainings.create(
            name="Drift", times=[(START, START + timedelta(hours=1))], time_zone="UTC"
        )
        for n in range(3):
            client.registrants.register(key, email=f"p{n}@example.com", given_name="P", surname="Q")
        client.trainings.list()
        client.registrants.list(key)
    return sb.drifted


def test_the_same_seed_makes_the_same_answers() -> None:
    with Sandbox(drift=True, seed=5) as one, Sandbox(drift=True, seed=5) as two:
        first, second = _session(one), _session(two)
        assert first == second and len(first) > 5
        one.reset()
        assert one.drifted == [] and _session(one) == first  # reset: the streams start again
    with Sandbox(drift=True, seed=6) as other:
        assert _session(other) != first


def test_kinds_operations_and_rate_choose_what_strays() -> None:
    config = {"kinds": ["unknown_field"], "operations": ["getAllTrainings"], "rate": 1}
    with Sandbox(drift=config) as sb:
        made = _session(sb)
    assert made and {(d.operation, d.kind) for d in made} == {("getAllTrainings", "unknown field")}
    with Sandbox(drift={"kinds": ["missing"], "rate": 0.5}, seed=1) as sb:
        half = _session(sb)
    with Sandbox(drift="missing", seed=1) as sb:
        every = _session(sb)
    assert 0 < len(half) < len(every)


def test_a_fault_makes_single_answers_drift(gototraining_sandbox: Sandbox) -> None:
    sb = gototraining_sandbox
    fault = sb.faults.add("getAllTrainings", drift=["wrong type"], times=1)
    with sb.client(strict=True) as client:
        client.trainings.create(
            name="X", times=[(START, START + timedelta(hours=1))], time_zone="UTC"
        )
        with pytest.raises(DecodeError, match=r"\$\[0\]\.training(Key|Id): expected string"):
            client.trainings.list()
        assert client.trainings.list()[0].drift == ()  # times=1: the next answer is clean
    assert fault.hits == 1 and {(d.operation, d.kind) for d in sb.drifted} == {
        ("getAllTrainings", "wrong type")
    }
    assert sb.faults.list() == [fault] and fault.to_json()["drift"]["kinds"] == ["wrong type"]


def test_the_admin_endpoint_takes_drift(gototraining_sandbox: Sandbox) -> None:
    sb = gototraining_sandbox
    base = sb.url.rsplit("/G2T/rest", 1)[0]
    created = httpx.post(
        f"{base}/_sandbox/faults", json={"operation": "getAllTrainings", "drift": True}
    )
    assert created.status_code == 201 and created.json()["drift"]["kinds"] == list(KINDS)
    bad = httpx.post(f"{base}/_sandbox/faults", json={"drift": ["sideways"]})
    assert bad.status_code == 400 and "unknown kind 'sideways'" in bad.text


def test_sb_drift_can_be_changed_and_survives_reset() -> None:
    with Sandbox() as sb:
        assert sb.drift is None
        sb.drift = "padded"
        assert sb.drift == DriftConfig(kinds=("padded",))
        sb.reset()
        assert sb.drift == DriftConfig(kinds=("padded",))
        sb.drift = False
        assert sb.drift is None


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        (True, KINDS),
        ("all", KINDS),
        ("missing, unknown-enum", ("missing", "unknown enum")),
        (["wrong_type"], ("wrong type",)),
    ],
)
def test_drift_config_parses_what_people_write(value: object, kinds: tuple[str, ...]) -> None:
    config = DriftConfig.parse(value)
    assert config is not None and config.kinds == kinds


@pytest.mark.parametrize(
    "value", ["sideways", {"rate": 0}, {"rate": 2}, {"kinds": []}, {"seed": 1}, 3]
)
def test_drift_config_refuses_what_it_cannot_do(value: object) -> None:
    with pytest.raises(ValueError, match="drift"):
        DriftConfig.parse(value)


def test_the_command_takes_drift() -> None:
    args = build_parser().parse_args(["--drift", "--drift-rate", "0.5"])
    assert args.drift == "all" and args.drift_rate == 0.5
    assert build_parser().parse_args(["--drift", "null,padded"]).drift == "null,padded"
    assert build_parser().parse_args([]).drift is None


@pytest.mark.gototraining_sandbox(drift="unknown field")
def test_the_marker_makes_the_fixture_drift(
    gototraining_sandbox: Sandbox, gototraining_client: Any
) -> None:
    assert gototraining_sandbox.drift == DriftConfig(kinds=("unknown field",))
    assert gototraining_client.options.strict is False  # tolerant, as the app's own clients
    key = gototraining_client.trainings.create(
        name="X", times=[(START, START + timedelta(hours=1))], time_zone="UTC"
    )
    with pytest.warns(DriftWarning, match="unknown field"):
        [training] = gototraining_client.trainings.list()
    assert training.training_key == key and training.extra


def test_the_fixture_client_is_strict_without_drift(gototraining_client: Any) -> None:
    assert gototraining_client.options.strict is True


def test_drift_is_applied_after_the_spec_check(gototraining_sandbox: Sandbox) -> None:
    """A drifting answer is not a spec violation of the sandbox (the fixture would fail)."""
    sb = gototraining_sandbox
    sb.faults.add(None, drift=True)
    with sb.client(strict=False) as client:
        client.trainings.create(
            name="X", times=[(START, START + timedelta(hours=1))], time_zone="UTC"
        )
        client.trainings.list()
    assert sb.violations == [] and sb.drifted
    assert json.dumps([d._asdict() for d in sb.drifted])
