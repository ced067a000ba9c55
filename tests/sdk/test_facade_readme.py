"""The README's Usage example runs as written (against a real loopback sandbox)."""

from __future__ import annotations

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_usage_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    text = README.read_text()
    section = text.split("## Usage", 1)[1].split("\n## ", 1)[0]
    [code, reports] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    exec(compile(code, "README.md#usage", "exec"), {"__name__": "readme"})  # noqa: S102 - our own README
    out = capsys.readouterr().out
    assert "Onboarding 2030-06-03 08:00:00+00:00" in out
    assert "already registered: 409" in out
    assert "ada@example.com APPROVED" in out
    # "Reports and recordings"
    exec(compile(reports, "README.md#reports", "exec"), {"__name__": "readme"})  # noqa: S102
    out = capsys.readouterr().out
    assert "attended: 4" in out
    assert re.search(r"s\d@example.com 0:00:00 0 part\(s\)", out)  # the non-attendee
    assert re.search(r"Python 101 - session 1 recording-\d+\.mp4 \d+ bytes", out)
