"""`veille preview`: the next case study, printed in the terminal the way Discord will show it.

No token needed. Candidates come from the database (the shipped feeds are read first if it has no
fresh article), from one page (`--url`), or from local feed files (`--feeds-dir`, offline demos:
read into a throw-away database).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich import box
from rich.console import Console as RichConsole
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.casestudy.model import CaseStudy
from bot.casestudy.select import Preferences
from bot.casestudy.service import Proposal
from bot.config.settings import Settings
from bot.console import Console
from bot.errors import ConfigError
from bot.feeds.parse import parse_feed
from bot.i18n import Locale, t
from bot.services import Core, open_core, theme_keywords

DEMO_FEEDS = Path(__file__).resolve().parent.parent / "examples" / "feeds"
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".json", ".rdf")
EXPLAINED = 10  # candidates shown by --explain
WIDTH = 150  # when printing to a file or a pipe
PANEL_WIDTH = 100
PARTS = ("relevance", "freshness", "rotation", "diversity", "language", "sources", "votes")


@dataclass(frozen=True)
class PreviewRequest:
    url: str | None = None
    theme: str | None = None
    language: str | None = None
    explain: bool = False
    feeds_dir: Path | None = None


async def preview(settings: Settings, console: Console, request: PreviewRequest) -> int:
    if settings.log_level == "INFO":
        logging.getLogger("bot").setLevel(logging.WARNING)  # the case study is the output here
    if request.feeds_dir is not None and not request.feeds_dir.is_dir():
        raise ConfigError("not a directory", where=str(request.feeds_dir), todo="give a folder of feed files")
    async with _core(settings, request) as core:
        if request.theme and core.feeds_file.theme(request.theme) is None:
            known = ", ".join(theme.id for theme in core.feeds_file.themes)
            raise ConfigError(f"unknown theme {request.theme!r}", todo=f"use one of: {known}")
        preferences = Preferences(
            locale=request.language or settings.default_locale, theme=request.theme, language=request.language
        )
        if request.url:
            proposal = await core.casestudies.from_url(request.url, preferences)
        else:
            if request.feeds_dir is not None:
                await _read_feed_files(core, request.feeds_dir)
            elif not await core.casestudies.has_candidates():
                console.echo("No fresh article stored yet: reading the feeds first…")
                await core.feed_engine.refresh(await core.feeds.enabled())
            proposal = await core.casestudies.next(preferences)
    labels = {theme.id: theme.label_in(preferences.locale) for theme in core.feeds_file.themes}
    return _print(
        console, proposal, labels, preferences.locale, explain=request.explain or proposal.case_study is None
    )


@asynccontextmanager
async def _core(settings: Settings, request: PreviewRequest) -> AsyncIterator[Core]:
    if request.feeds_dir is None:
        allow = settings.feeds_allow_private_addresses or request.url is not None  # the operator's own pick
        async with open_core(settings.model_copy(update={"feeds_allow_private_addresses": allow})) as core:
            yield core
        return
    with tempfile.TemporaryDirectory(prefix="veille-preview-") as folder:
        database = f"sqlite:///{Path(folder) / 'preview.db'}"
        async with open_core(settings.model_copy(update={"database_url": database})) as core:
            yield core


async def _read_feed_files(core: Core, folder: Path) -> None:
    """Store the entries of every feed file of `folder` as if a feed had been fetched."""
    themes = theme_keywords(core.feeds_file)
    now = datetime.now(UTC)
    newest = datetime.min.replace(tzinfo=UTC)
    for path in _feed_files(folder):
        url = path.resolve().as_uri()
        body = await asyncio.to_thread(path.read_bytes)
        parsed = await asyncio.to_thread(parse_feed, body, url, None, None, now, themes)
        if parsed.error or not parsed.entries:
            continue
        feed_id = await core.feeds.add_local(url, path.stem, parsed.language or "fr")
        await core.articles.ingest(feed_id, parsed.entries, now)
        newest = max([newest, *(entry.published_at or newest for entry in parsed.entries)])
    if datetime.min.replace(tzinfo=UTC) < newest < now:
        # Files saved long ago would all be too old to be chosen: judge them as of their own time.
        core.casestudies.set_clock(lambda: newest + timedelta(hours=1))


def _feed_files(folder: Path) -> list[Path]:
    """The feed files of a folder (a command-line tool may block: nothing else runs meanwhile)."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in FEED_SUFFIXES and p.is_file())


def _print(
    console: Console, proposal: Proposal, labels: dict[str, str], locale: str, *, explain: bool
) -> int:
    rich = RichConsole(file=console.out, width=None if console.out.isatty() else WIDTH, highlight=False)
    if explain:
        rich.print(_ranking_table(proposal, labels))
        for attempt in proposal.attempts:
            outcome = "built" if isinstance(attempt.result, CaseStudy) else attempt.result.reason
            rich.print(Text(f"tried: {attempt.article.title or attempt.article.url} → {outcome}"))
    case = proposal.case_study
    if case is None:
        reasons = "; ".join(proposal.reasons) or "no fresh, on-topic article is stored"
        console.err.write(f"error: no case study could be made: {reasons}\n")
        return 1
    panel = render(case, labels.get(case.theme, case.theme), "en" if locale == "en" else "fr")
    panel.width = min(rich.width, PANEL_WIDTH)  # about as wide as an embed on a desktop client
    rich.print(panel)
    if case.fallback_reason:
        rich.print(Text(f"(page not used: {case.fallback_reason})", style="dim"))
    return 0


def render(case: CaseStudy, theme_label: str, locale: Locale) -> Panel:
    """The case study as its Discord embed shows it: title, summary, fields, source, footer."""
    body: list[Text | Table] = [Text(case.summary_text), Text()]
    facts = Table.grid(padding=(0, 3))
    facts.add_row(
        Text(t("casestudy.theme", locale), style="bold"), Text(t("casestudy.key_terms", locale), style="bold")
    )
    facts.add_row(Text(theme_label), Text(" · ".join(case.key_terms)))
    body += [facts, Text()]
    body.append(Text(t("casestudy.questions", locale), style="bold"))
    body += [Text(f"{n}. {question}") for n, question in enumerate(case.questions, start=1)]
    body += [Text(), Text(t("casestudy.situation", locale), style="bold"), Text(case.situation), Text()]
    source = [case.source_name]
    if case.published_at:
        source.append(case.published_at.strftime("%Y-%m-%d"))
    if case.reading_minutes:
        source.append(t("casestudy.reading", locale, count=case.reading_minutes))
    body += [Text(t("casestudy.source", locale), style="bold"), Text(" · ".join(source))]
    if case.url:
        body.append(Text(case.url, style="underline"))
    if case.fallback_reason:
        body.append(Text(t("casestudy.from_feed", locale), style="italic"))
    return Panel(
        Group(*body),
        title=Text(case.title, style="bold"),
        title_align="left",
        subtitle=Text(t("casestudy.footer", locale), style="dim"),
        subtitle_align="left",
        border_style="blue",
    )


def _ranking_table(proposal: Proposal, labels: dict[str, str]) -> Table:
    table = Table(title="Candidates, best first", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("#", "score", "relev.", "fresh", "rotat.", "divers.", "lang", "sources", "votes"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    table.add_column("theme", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("article", no_wrap=True, overflow="ellipsis", max_width=40)
    for index, entry in enumerate(proposal.ranked[:EXPLAINED], start=1):
        parts = entry.parts
        table.add_row(
            str(index),
            f"{entry.score:.2f}",
            *(
                f"{parts[key]:+.2f}"
                for key in ("relevance", "freshness", "rotation", "diversity", "language", "sources", "votes")
            ),
            entry.theme,
            f"{entry.candidate.title} ({entry.candidate.source_name})",
        )
    if not proposal.ranked:
        table.add_row(*([""] * 10), "no candidate")
    return table
