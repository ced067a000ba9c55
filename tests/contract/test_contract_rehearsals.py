"""Rehearsals: spec changes made on a temporary copy of the repository, end to end.

(a) an optional field added to a response schema reaches the facade's model with no other edit,
    and the API snapshot reports an addition;
(b) a field removed from a response schema makes the API snapshot check fail with BREAKING;
(c) a new GET operation: the files edited by hand are the spec, one line of
    ``openapi/facade.yaml``, the sandbox handler and the cassette test -- everything else
    (client, facade model and methods, sync and async, exports, coverage table, fault-matrix rows,
    decoding property test, cassette, API snapshot) follows from the generators and the markers.
    docs/adding-an-operation.md is the same recipe, step by step.
"""

from __future__ import annotations

from pathlib import Path

from repo_copy import changed, copy_repo, digests, run

SWAGGER = "openapi/swagger.yaml"


def edit(copy: Path, rel: str, anchor: str, new: str, *, before: bool = False) -> None:
    """Insert ``new`` after (or before) the one occurrence of ``anchor`` in ``rel``."""
    path = copy / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(anchor) == 1, f"{rel}: anchor {anchor!r} is not unique"
    path.write_text(
        text.replace(anchor, new + anchor if before else anchor + new), encoding="utf-8"
    )


def ok(proc: object) -> str:
    assert getattr(proc, "returncode", 1) == 0, (
        f"{getattr(proc, 'args', '')}\n"
        + str(getattr(proc, "stdout", ""))
        + str(getattr(proc, "stderr", ""))
    )
    return str(getattr(proc, "stdout", ""))


def regenerate(copy: Path) -> None:
    ok(run(copy, "scripts/regenerate.sh"))


REGISTRANT_ANCHOR = (
    "      confirmationUrl:\n        type: string\n"
    "        description: The URL where the confirmation for the registration can be found\n"
)


def test_rehearsal_a_new_optional_field_reaches_the_model(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path)
    edit(
        copy,
        SWAGGER,
        REGISTRANT_ANCHOR,
        "      phoneNumber:\n        type: string\n"
        "        description: The registrant's phone number\n",
    )
    regenerate(copy)
    probe = ok(
        run(
            copy,
            "python",
            "-c",
            "import attrs, gototraining as g\n"
            "body = {'registrantKey': '1', 'email': 'e@example.com', 'givenName': 'G',"
            " 'surname': 'S', 'status': 'APPROVED', 'registrationDate': '2030-01-01T00:00:00Z',"
            " 'joinUrl': 'j', 'confirmationUrl': 'c'}\n"
            "r = g._generated.models.decode_registrant({**body, 'phoneNumber': '+1 555 0100'})\n"
            "assert r.phone_number == '+1 555 0100' and not r.extra, r\n"
            "assert g._generated.models.decode_registrant(body).phone_number is None\n"
            "print(attrs.fields(g.Registrant).phone_number.default)\n"
            "print(g.Registrant.__doc__)\n",
        )
    )
    assert probe.startswith("None\n") and "phone_number: The registrant's phone number." in probe
    check = run(copy, "python", "-m", "scripts.contract.api_snapshot")
    assert check.returncode == 1  # the snapshot differs ...
    assert "+ added gototraining.Registrant.phone_number" in check.stdout
    assert "BREAKING" not in check.stdout  # ... by an addition: no CHANGELOG entry needed
    ok(run(copy, "python", "-m", "scripts.contract.api_snapshot", "--update"))


def test_rehearsal_b_a_removed_field_is_breaking(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path)
    swagger = copy / SWAGGER
    text = swagger.read_text(encoding="utf-8")
    required = "      - sessionKey\n      - trainingName\n"
    prop = "      trainingName:\n        type: string\n        description: The subject of the training\n"
    assert text.count(required) == 1 and text.count(prop) == 1
    swagger.write_text(
        text.replace(required, "      - sessionKey\n").replace(prop, ""), encoding="utf-8"
    )
    regenerate(copy)
    check = run(copy, "python", "-m", "scripts.contract.api_snapshot")
    assert check.returncode == 1
    assert "~ changed gototraining.Session" in check.stdout
    assert "BREAKING: field 'training_name' removed" in check.stdout
    changelog = copy / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## Unreleased\n\n", encoding="utf-8")
    refused = run(copy, "python", "-m", "scripts.contract.api_snapshot", "--update")
    assert refused.returncode == 1 and "not in CHANGELOG" in refused.stdout
    with changelog.open("a", encoding="utf-8") as f:
        f.write("- `Session`: field `training_name` removed (the API no longer sends it).\n")
    ok(run(copy, "python", "-m", "scripts.contract.api_snapshot", "--update"))


# -- (c) a new GET operation ---------------------------------------------------------------------

NEW_PATH = """\
  /organizers/{organizerKey}/trainings/{trainingKey}/registrantCount:
    parameters:
      - $ref: '#/parameters/organizerKey'
      - $ref: '#/parameters/trainingKey'
    get:
      tags:
        - registrants
      summary: Get Registrant Count
      description: The number of people registered for a training.
      operationId: getRegistrantCount
      responses:
        "200":
          description: OK
          schema:
            $ref: '#/definitions/RegistrantCount'
        "400": {$ref: '#/responses/BadRequest'}
        "401": {$ref: '#/responses/Unauthorized'}
        "403": {$ref: '#/responses/Forbidden'}
        "404": {$ref: '#/responses/NotFound'}
        "429": {$ref: '#/responses/TooManyRequests'}
        "500": {$ref: '#/responses/InternalServerError'}
        "502": {$ref: '#/responses/BadGateway'}
        "503": {$ref: '#/responses/ServiceUnavailable'}
        "504": {$ref: '#/responses/GatewayTimeout'}
"""
NEW_SCHEMA = """\
  RegistrantCount:
    type: object
    description: How many people are registered for a training.
    required:
      - trainingKey
      - count
    properties:
      trainingKey:
        type: string
        description: The training's key
      count:
        type: integer
        format: int32
        description: The number of registrants
"""
NEW_HANDLER = """\
def _get_registrant_count(s: Store, c: str, p: dict[str, str], b: Any) -> Result:
    registrants = s.get_registrants(_org(s, c, p), p["trainingKey"])
    return _ok(200, {"trainingKey": p["trainingKey"], "count": len(registrants)})


"""
NEW_TEST = """

def test_registrants_count(api: Api) -> None:
    api.client()
    key = create(api)
    api.run(
        lambda c: c.registrants.register(
            key, email="ada@example.com", given_name="Ada", surname="Lovelace"
        )
    )
    count = api.run(lambda c: c.registrants.count(key))
    assert (count.training_key, count.count) == (key, 1)
"""
HAND_EDITED = {
    SWAGGER,
    "openapi/facade.yaml",
    "facade/gototraining/sandbox/app.py",
    "tests/sdk/test_facade_cassettes.py",
}


def test_rehearsal_c_a_new_get_operation_needs_four_hand_edited_files(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path)
    before = digests(copy)

    # The hand edits: spec, mapping line, sandbox handler, cassette test.
    edit(copy, SWAGGER, "  /organizers/{organizerKey}/trainings/{trainingKey}/registrants/{registrantKey}:\n", NEW_PATH, before=True)  # fmt: skip
    edit(copy, SWAGGER, "  Session:\n    type: object\n", NEW_SCHEMA, before=True)
    edit(copy, "openapi/facade.yaml", "  getRegistrant:\n", "  getRegistrantCount: registrants.count\n", before=True)  # fmt: skip
    app = "facade/gototraining/sandbox/app.py"
    edit(copy, app, "HANDLERS: dict[str, Handler] = {\n", NEW_HANDLER, before=True)
    edit(copy, app, '    "getRegistrant": _get_registrant,\n', '    "getRegistrantCount": _get_registrant_count,\n')  # fmt: skip
    with (copy / "tests/sdk/test_facade_cassettes.py").open("a", encoding="utf-8") as f:
        f.write(NEW_TEST)
    hand = changed(before, digests(copy))
    assert hand == HAND_EDITED

    # The commands: regenerate, record the new cassette (sandbox), update the API snapshot.
    regenerate(copy)
    ok(
        run(
            copy, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/sdk/test_facade_cassettes.py::test_registrants_count",
            env={"GOTO_RECORD": "1"},
        )
    )  # fmt: skip
    snapshot = ok(run(copy, "python", "-m", "scripts.contract.api_snapshot", "--update"))
    assert "+ added gototraining.RegistrantCount" in snapshot
    assert "+ added gototraining.resources.Registrants.count" in snapshot
    assert "+ added gototraining.resources.AsyncRegistrants.count" in snapshot
    assert "BREAKING" not in snapshot

    generated = changed(before, digests(copy)) - hand
    assert generated == {
        "openapi/openapi3.yaml",
        "generated/gototraining_api/openapi.yaml",
        "generated/gototraining_api/api/registrants/get_registrant_count.py",
        "generated/gototraining_api/models/__init__.py",
        "generated/gototraining_api/models/registrant_count.py",
        "facade/gototraining/_generated/models.py",
        "facade/gototraining/_generated/requests.py",
        "facade/gototraining/resources/registrants.py",
        "tests/cassettes/test_facade_cassettes/test_registrants_count.yaml",
        "api/gototraining.api.json",
    }
    print(
        f"\nhand-edited ({len(hand)}): {sorted(hand)}\ngenerated ({len(generated)}): {sorted(generated)}"
    )

    # Everything that must follow from the spec and the markers does (replay: no network).
    ok(
        run(
            copy, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/sdk/test_facade_cassettes.py::test_registrants_count",
            "tests/sdk/test_facade_surface.py",
            "tests/contract/test_contract_coverage.py",
            "tests/contract/test_contract_sandbox_fuzz.py::test_sandbox_conforms_to_the_spec",
            "tests/contract/test_contract_api_snapshot.py::test_real_facade_matches_committed_snapshot",
        )
    )  # fmt: skip
    decoding = ok(
        run(
            copy, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/reliability/test_spec_decoding.py", "-k", "getRegistrantCount",
        )
    )  # fmt: skip
    assert "3 passed" in decoding  # valid bodies, mutations, arbitrary JSON
    matrix = ok(
        run(
            copy, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/reliability/test_fault_matrix.py", "-k", "registrants and count",
        )
    )  # fmt: skip
    assert "28 passed" in matrix  # (10 faults + 4 hostile answers) x sync/async: rows nobody wrote
    probe = ok(
        run(
            copy,
            "python",
            "-c",
            "import gototraining as g; from gototraining._operation import OPERATION_ATTR\n"
            "assert 'RegistrantCount' in g.__all__\n"
            "print(getattr(g.resources.AsyncRegistrants.count, OPERATION_ATTR))",
        )
    )
    assert probe.strip() == "getRegistrantCount"
    ok(run(copy, "scripts/regenerate.sh", "--check"))
    changed_python = [p for p in (hand | generated) if p.endswith(".py")]
    ok(run(copy, "python", "-m", "ruff", "check", *changed_python))
    ok(run(copy, "python", "-m", "ruff", "format", "--check", *changed_python))
