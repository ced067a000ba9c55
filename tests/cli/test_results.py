"""The results file of ``registrants import`` (``gototraining.cli.results``): complete and
consistent at every moment, a journal line per update, full rewrites amortised."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from gototraining.cli.csvio import csv_bytes
from gototraining.cli.outputs import Output, resolve_output
from gototraining.cli.results import ResultsFile, journal_path, load_results

HEADER = ("line", "email", "status")


def _rows(n: int) -> list[list[str]]:
    return [[str(i + 2), f"p{i}@example.com", "pending"] for i in range(n)]


def _table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_begin_writes_the_whole_table_and_updates_go_to_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsFile(resolve_output(str(path)), HEADER)
    writer.begin(_rows(16))
    assert [r["status"] for r in _table(path)] == ["pending"] * 16
    writer.update(3, ["5", "p3@example.com", "registered"])
    journal = journal_path(path).read_text(encoding="utf-8")
    assert journal == "line,email,status\n5,p3@example.com,registered\n"  # on disk at once
    now = load_results(path)
    assert now[3]["status"] == "registered" and sum(r["status"] == "pending" for r in now) == 15
    writer.close()
    assert not journal_path(path).exists()
    assert _table(path) == now


def test_full_rewrites_are_amortised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """However long the table, a full rewrite happens only every eighth of its rows: the
    number of rewrites does not grow with the number of updates per row."""
    path = tmp_path / "r.csv"
    tables: list[int] = []
    real = csv_bytes

    def counting(header: object, rows: list[object], **kw: object) -> bytes:
        tables.append(len(rows))
        return real(header, rows, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr("gototraining.cli.results.csv_bytes", counting)
    n = 800
    writer = ResultsFile(resolve_output(str(path)), HEADER)
    writer.begin(_rows(n))
    for i in range(n):
        writer.update(i, [str(i + 2), f"p{i}@example.com", "registered"])
        if i % 100 == 99:
            writer.wait_for_snapshot()  # (only to make the count below exact)
    writer.close()
    # begin + one snapshot per 100 updates + the final table
    assert tables == [n] * (1 + 8 + 1)
    assert writer.snapshots == 8 and writer.snapshot_error is None
    assert {r["status"] for r in _table(path)} == {"registered"}


def test_a_snapshot_is_consistent_and_complete(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsFile(resolve_output(str(path)), HEADER)
    writer.begin(_rows(8))
    writer.update(0, ["2", "p0@example.com", "registered"])  # 8 // 8 = 1: a snapshot
    writer.wait_for_snapshot()
    assert [r["status"] for r in _table(path)] == ["registered"] + ["pending"] * 7
    assert journal_path(path).exists()  # the journal keeps going until close()


def test_load_results_ignores_a_line_torn_by_a_kill(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("line,email,status\n2,a@example.com,pending\n3,b@example.com,pending\n")
    journal_path(path).write_text(
        "line,email,status\n3,b@example.com,registered\n2,a@example.com,regis"
    )
    assert [r["status"] for r in load_results(path)] == ["pending", "registered"]


def test_journal_cells_are_guarded_like_the_table(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsFile(resolve_output(str(path)), HEADER)
    writer.begin([["2", "=x@example.com", "pending"]])
    writer.update(0, ["2", "=x@example.com", "failed"])
    lines = list(csv.reader(io.StringIO(journal_path(path).read_text(encoding="utf-8"))))
    assert lines == [list(HEADER), ["2", "'=x@example.com", "failed"]]
    writer.close()
    assert _table(path) == [{"line": "2", "email": "'=x@example.com", "status": "failed"}]


def test_a_stream_gets_the_final_table_once(tmp_path: Path) -> None:
    sink = tmp_path / "sink"
    sink.write_text("")
    writer = ResultsFile(Output(str(sink), stream=sink), HEADER)  # as a FIFO resolves
    writer.begin(_rows(2))
    writer.update(1, ["3", "p1@example.com", "registered"])
    assert sink.read_text() == "" and not journal_path(sink).exists()
    writer.close()
    assert [r["status"] for r in _table(sink)] == ["pending", "registered"]
