"""``gototraining recordings list|download``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

from ..context import UsageError
from ..output import console, err_console, key_only, plain, print_json, print_key, shown, when
from . import (
    JsonFlag,
    QuietFlag,
    ShowZone,
    TrainingArg,
    new_app,
    parse_key,
    parse_zone,
    shown_zone,
    state,
)

__all__ = ["app"]

app = new_app("Online recordings of a training: list them, download one.")

RecordingArg = Annotated[
    str,
    typer.Argument(
        metavar="RECORDING", help="Recording ID ('recordings list').", show_default=False
    ),
]


@app.command("list")
def list_(
    ctx: typer.Context, training: TrainingArg, time_zone: ShowZone = None, json: JsonFlag = False
) -> None:
    """The training's online recordings (none until a session was recorded)."""
    key = parse_key(training, "TRAINING")
    chosen = parse_zone(time_zone) if time_zone is not None else None
    with state(ctx).client() as client:
        found = client.recordings.list(key)
        tz = shown_zone(client, key, chosen) if found and not json else None
    if json:
        print_json(found)
        return
    table = Table(title=f"{len(found)} recording(s) of training {key}", title_justify="left")
    table.add_column("Recording ID", no_wrap=True)
    table.add_column("Name")
    table.add_column("When", no_wrap=True)
    for r in found:
        assert tz is not None
        table.add_row(plain(r.recording_id), plain(shown(r, "name")), when(r, tz))
    console().print(table)


@app.command()
def download(
    ctx: typer.Context,
    training: TrainingArg,
    recording: RecordingArg,
    to: Annotated[
        Path,
        typer.Option(
            "--to",
            "-o",
            metavar="PATH",
            help="A directory (the file is named recording-ID.mp4) or a file name; an "
            "existing file is replaced only once the download is complete.",
        ),
    ] = Path(),
    progress: Annotated[
        bool,
        typer.Option(
            "--progress/--no-progress", help="Progress bar (only ever shown on a terminal)."
        ),
    ] = True,
    url_only: Annotated[
        bool,
        typer.Option(
            "--url",
            help="Only print the file's (short-lived, self-authorizing) URL; download nothing.",
        ),
    ] = False,
    quiet: QuietFlag = False,
    json: JsonFlag = False,
) -> None:
    """Download a recording: the file goes to disk whole or not at all.

    Prints where it went: the path alone when stdout is not a terminal, or with --quiet.
    """
    key = parse_key(training, "TRAINING")
    recording_id = parse_key(recording, "RECORDING")
    if str(to) == "-":
        # '-' is stdout for the CLI's tables, but a recording only ever lands whole on disk
        raise UsageError(
            "--to -: a recording is written to a file, whole or not at all; to stream it, "
            "take the URL from --url"
        )
    if url_only:
        with state(ctx).client() as client:
            url = client.recordings.download_url(key, recording_id)
        if json:
            print_json({"training_key": key, "recording_id": recording_id, "url": url})
        else:
            console().print(plain(url))
        return
    out = err_console()
    bar = Progress(
        TextColumn("[bold]Downloading"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=out,
        # Only on a terminal: in pipes, CI logs and tests a bar is just noise.
        disable=not (progress and not json and out.is_terminal),
        transient=False,
    )
    task = bar.add_task("download", total=None)
    done = 0

    def advance(bytes_done: int, total: int | None) -> None:
        nonlocal done
        done = bytes_done
        bar.update(task, completed=bytes_done, total=total)

    with bar, state(ctx).client() as client:
        path = client.recordings.download(key, recording_id, to, progress=advance)
    if json:
        print_json(
            {"training_key": key, "recording_id": recording_id, "path": str(path), "bytes": done}
        )
    elif key_only(quiet):
        print_key(str(path))
    else:
        console().print(Text.assemble(f"Downloaded {done:,} bytes to ", plain(path)))
