"""What `veille feeds check` shows: a progress bar while feeds are checked, then one row per feed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from rich.console import Console as RichConsole
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.console import Console, duration_text
from bot.feeds.engine import CycleReport, FeedReport, Outcome

WIDE = 180  # when the output is a file or a pipe, keep each feed on one line


def _rich(console: Console) -> RichConsole:
    terminal = console.out.isatty()
    return RichConsole(file=console.out, width=None if terminal else WIDE, force_terminal=False)


@contextmanager
def progress_bar(console: Console, total: int) -> Iterator[Callable[[FeedReport], None]]:
    rich = _rich(console)
    with Progress(
        TextColumn("checking feeds"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=rich,
        transient=True,
        disable=not rich.is_terminal,
    ) as progress:
        task = progress.add_task("", total=total)

        def advance(report: FeedReport) -> None:
            progress.update(task, advance=1, description=report.name)

        yield advance


def print_check_report(console: Console, report: CycleReport, seconds: float) -> None:
    now = datetime.now(UTC)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("FEED", "RESULT", "HTTP", "ITEMS", "NEW", "NEWEST", "TIME"):
        table.add_column(
            column, no_wrap=True, justify="right" if column in ("ITEMS", "NEW", "TIME") else "left"
        )
    table.add_column("ERROR OR WARNING", overflow="fold")
    for feed in sorted(report.feeds, key=lambda f: f.name.casefold()):
        table.add_row(
            feed.name,
            "failed" if feed.outcome is Outcome.FAILED else "ok",
            str(feed.status or "—"),
            "—" if feed.items is None else str(feed.items),
            str(feed.ingest.new) if feed.ingest else "—",
            duration_text(now - feed.newest) if feed.newest else "—",
            f"{feed.duration:.1f} s",
            feed.error or feed.warning or "",
        )
    rich = _rich(console)
    rich.print(table)
    failed = sum(feed.outcome is Outcome.FAILED for feed in report.feeds)
    new = sum(feed.ingest.new for feed in report.feeds if feed.ingest)
    rich.print(
        f"\n{len(report.feeds)} feeds checked in {seconds:.1f} s: {len(report.feeds) - failed} ok, "
        f"{failed} failed, {new} new articles."
    )
