"""Check 2 (generated code in sync): a spec edit without regeneration makes `--check` fail.

The positive case is tests/test_spec_and_generation.py::test_generated_files_are_up_to_date.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from repo_copy import copy_repo


def test_spec_edit_without_regeneration_fails_check(tmp_path: Path) -> None:
    copy_repo(tmp_path)
    swagger = tmp_path / "openapi" / "swagger.yaml"
    text = swagger.read_text(encoding="utf-8")
    # A new optional property on HostUrl, as an API change would bring.
    anchor = (
        "      hostURL:\n        type: string\n"
        "        description: The host URL that can be used to start a training\n"
    )
    assert text.count(anchor) == 1
    edited = text.replace(
        anchor,
        anchor + "      expiresIn:\n        type: integer\n        format: int32\n"
        "        description: Seconds until the host URL expires\n",
    )
    swagger.write_text(edited, encoding="utf-8")
    proc = subprocess.run(
        [str(tmp_path / "scripts" / "regenerate.sh"), "--check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # The diff names the stale files and the new property.
    assert "openapi/openapi3.yaml" in proc.stdout
    assert "expiresIn" in proc.stdout
    assert "host_url.py" in proc.stdout
    assert "facade/gototraining/_generated/models.py" in proc.stdout  # the facade's decoder too
    assert "generated files are out of date" in proc.stderr
