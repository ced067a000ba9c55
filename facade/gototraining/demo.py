"""``make demo`` / ``python -m gototraining.demo``: the main job, end to end, no credentials.

Starts the embedded sandbox (``gototraining.sandbox.Sandbox``, in this process, on a
free loopback port) and runs a realistic scenario through the ``gototraining`` command line
(invoked in-process, exactly as the console script runs it) and the Python facade:

1. schedule a two-session training,
2. import 50 registrants from the bundled ``demo_data/people.csv``, then import again to show
   that a re-run registers nobody twice,
3. show the roster, cancel one registration, export the roster to CSV,
4. let the sandbox "hold" the training and show the attendance report.

Files land in ``./demo-output/`` (git-ignored) or ``--output-dir``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

__all__ = ["main"]

TRAINING_NAME = "Data Analysis with Python"
SESSIONS = ("2030-03-04T09:00/12:30", "2030-03-11T09:00/12:30")
TIME_ZONE = "Europe/Berlin"
CANCEL_EMAIL = "ada.lovelace@example.org"
# GoTo documents 10 requests/s, the CLI's default. The sandbox runs without a limit, so the
# demo allows 25/s to register 50 people in about two seconds instead of five.
DEMO_RATE_LIMIT = "25"


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration (restored after: tests run this in-process)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _Demo:
    def __init__(self, output_dir: Path) -> None:
        from rich.console import Console

        from gototraining.cli.output import PIPE_WIDTH

        self.out = Console(highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH)
        self.output_dir = output_dir
        self.step_no = 0

    def step(self, title: str) -> None:
        self.step_no += 1
        self.out.print()
        from rich.text import Text

        self.out.rule(Text(f"{self.step_no}. {title}", style="bold cyan"), align="left")

    def note(self, text: str) -> None:
        from rich.text import Text

        self.out.print(Text(text, style="dim"))  # paths and data: never markup

    def cli(self, *args: str, expect: int = 0) -> None:
        """Show and run one ``gototraining`` command in this process."""
        from gototraining.cli import main as cli_main

        shown = " ".join(shlex.quote(a) for a in args)
        self.out.print(f"$ gototraining {shown}", style="bold green", soft_wrap=True, markup=False)
        sys.stdout.flush()
        code = cli_main(list(args))
        if code != expect:
            raise SystemExit(f"demo: 'gototraining {shown}' exited with {code}, expected {expect}")


def run(output_dir: Path) -> None:
    """Run the scenario against a fresh in-process sandbox."""
    from gototraining import GoToTraining
    from gototraining.sandbox import Sandbox

    started = time.perf_counter()
    demo = _Demo(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    people = output_dir / "people.csv"
    results = output_dir / "people.results.csv"
    roster = output_dir / "roster.csv"
    with contextlib.suppress(FileNotFoundError):
        results.unlink()  # a fresh sandbox knows nobody: start the results afresh as well
    source = resources.files("gototraining") / "demo_data" / "people.csv"
    with resources.as_file(source) as path:
        shutil.copyfile(path, people)

    with Sandbox() as sb, contextlib.ExitStack() as stack:
        config_dir = stack.enter_context(_tempdir())
        stack.enter_context(
            _environment(
                {
                    # The CLI reads these like any user's shell would; the sandbox's token
                    # is a throwaway one, so nothing here is a real credential.
                    "GOTO_BASE_URL": sb.url,
                    "GOTO_ACCESS_TOKEN": sb.token,
                    "GOTO_ORGANIZER_KEY": sb.organizer_key,
                    "GOTO_CONFIG_DIR": str(config_dir),  # never touch the user's login
                }
            )
        )
        demo.out.print(
            f"[bold]GoToTraining demo[/bold] against the embedded sandbox at {sb.url}\n"
            "[dim]credentials come from GOTO_BASE_URL / GOTO_ACCESS_TOKEN / GOTO_ORGANIZER_KEY"
            " (sandbox values)[/dim]"
        )

        demo.step("Schedule a training with two sessions")
        demo.cli(
            "trainings",
            "create",
            "--name",
            TRAINING_NAME,
            "--time-zone",
            TIME_ZONE,
            "--session",
            SESSIONS[0],
            "--session",
            SESSIONS[1],
            "--description",
            "Two mornings of pandas, plotting and a small project.",
        )
        with GoToTraining(base_url=sb.url) as client:  # token + organizer key from the env
            key = next(t.training_key for t in client.trainings.list() if t.name == TRAINING_NAME)
        demo.note(f"facade: GoToTraining().trainings.list() finds {TRAINING_NAME!r} with key {key}")
        demo.cli("trainings", "show", key)

        demo.step(f"Import 50 registrants from {people}")
        demo.cli(
            "--rate-limit",
            DEMO_RATE_LIMIT,
            "registrants",
            "import",
            key,
            str(people),
            "--results",
            str(results),
        )
        demo.note("Running the same import again registers nobody twice:")
        demo.cli(
            "--rate-limit",
            DEMO_RATE_LIMIT,
            "registrants",
            "import",
            key,
            str(people),
            "--results",
            str(results),
        )

        demo.step("The roster")
        demo.cli("registrants", "list", key)

        demo.step("Cancel one registration")
        demo.cli("registrants", "cancel", key, "--email", CANCEL_EMAIL)

        demo.step("Export the roster to CSV")
        demo.cli("registrants", "export", key, "--csv", str(roster))
        lines = roster.read_text(encoding="utf-8").splitlines()
        demo.note(f"{roster}: {len(lines) - 1} rows; the header and the first two:")
        for line in lines[:3]:
            demo.out.print(f"  {line}", soft_wrap=True, markup=False)

        demo.step("The training takes place; attendance")
        summary = sb.complete_training(key)
        demo.note(
            f"sandbox: completed {len(summary['sessions'])} sessions "
            "(in real life GoTo records who joined and when)"
        )
        demo.cli("reports", "attendance", key)

    elapsed = time.perf_counter() - started
    demo.out.print()
    demo.out.rule("[bold]Done", align="left")
    demo.out.print(
        f"Finished in {elapsed:.1f} s. Files: {people}, {results}, {roster}\n"
        "Try it yourself: 'gototraining sandbox' in one terminal, the printed export lines "
        "in another, then 'gototraining --help'.",
        markup=False,
    )


@contextlib.contextmanager
def _tempdir() -> Iterator[Path]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gototraining-demo-") as name:
        yield Path(name)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m gototraining.demo``."""
    parser = argparse.ArgumentParser(prog="python -m gototraining.demo", description=__doc__)
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path("demo-output"),
        help="where the CSV files go (default ./demo-output)",
    )
    args = parser.parse_args(argv)
    try:
        import rich  # noqa: F401
        import typer  # noqa: F401

        from gototraining.sandbox import Sandbox  # noqa: F401
    except ImportError as exc:
        print(
            f"the demo needs the 'cli' and 'sandbox' extras: "
            f"pip install 'gototraining[cli,sandbox]' ({exc})",
            file=sys.stderr,
        )
        return 2
    run(args.output_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
