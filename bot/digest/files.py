"""`veille digest export`: a group's digests written as files a teacher can forward or publish
(one week as Markdown or HTML, or every week in a zip archive with an index page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from bot.config.feeds_file import load_feeds_file
from bot.config.settings import Settings
from bot.console import Console
from bot.db.engine import sessionmaker
from bot.digest.export import index_html, to_html, to_markdown, write_archive, write_whole
from bot.digest.reader import DigestReader, RenderedDigest
from bot.digest.sections import title_of
from bot.digest.week import IsoWeek
from bot.errors import UserProblem, VeilleError
from bot.i18n import Locale, t
from bot.services import open_database, theme_labels
from bot.store.digests import DigestStore
from bot.store.guilds import GuildStore

Format = Literal["md", "html"]


class ExportError(VeilleError):
    """What was asked cannot be exported (an unknown week, a group with nothing yet)."""

    exit_code = 2


@dataclass(frozen=True)
class ExportRequest:
    guild_id: int
    week: str | None  # None with `every`
    every: bool
    format: Format
    output: Path | None


async def _direct(function: Any, *args: Any) -> Any:
    return function(*args)  # a command line has no event loop to keep responsive


async def export_digests(settings: Settings, console: Console, request: ExportRequest) -> int:
    labels = theme_labels(load_feeds_file(settings.feeds_file))
    async with open_database(settings) as engine:
        sessions = sessionmaker(engine)
        guilds = GuildStore(sessions, settings.default_locale, settings.default_timezone)
        if (await guilds.get(request.guild_id)).channel_id is None:
            raise ExportError(
                f"server {request.guild_id} has no veille set up in this database",
                todo="check --guild (the server's id) and DATABASE_URL",
            )
        reader = DigestReader(guilds, DigestStore(sessions), labels, _direct, lambda: datetime.now(UTC))
        if request.every:
            written = await _export_all(reader, request)
        else:
            assert request.week is not None
            written = await _export_week(reader, request, _week(request.week))
    console.echo(f"wrote {written}")
    return 0


def _week(text: str) -> IsoWeek:
    try:
        return IsoWeek.parse(text)
    except UserProblem as problem:
        params: dict[str, Any] = dict(problem.params)
        raise ExportError(t(problem.key, "en", **params), where="--week") from None


async def _export_week(reader: DigestReader, request: ExportRequest, week: IsoWeek) -> Path:
    rendered = await reader.week(request.guild_id, week)
    stem = f"digest-{request.guild_id}-{week}"
    path = request.output or Path(f"{stem}.{request.format}")
    files = _files(rendered, stem, request.format)
    for name, content in files.items():
        target = path if name.endswith(f".{request.format}") else path.with_name(name)
        data = content.encode() if isinstance(content, str) else content
        write_whole(target, _writing(data))
    return path


async def _export_all(reader: DigestReader, request: ExportRequest) -> Path:
    weeks = await reader.weeks(request.guild_id)
    if not weeks:
        raise ExportError(f"server {request.guild_id} has no digest and no case study yet")
    files: dict[str, bytes | str] = {}
    entries = []
    locale: Locale = "fr"
    for week in weeks:
        rendered = await reader.week(request.guild_id, week)
        locale = rendered.digest.locale
        stem = f"{week}"
        files.update(_files(rendered, stem, request.format))
        p = rendered.digest.participation
        summary = (
            f"{t('digest.n_cases', locale, count=len(rendered.digest.case_studies))}, "
            f"{t('digest.n_takes', locale, count=p.takes)}"
        )
        entries.append((str(week), f"{stem}.{request.format}", title_of(rendered.digest), summary))
    title = t("digest.archive_title", locale)
    if request.format == "html":
        files["index.html"] = index_html([(w, f, f"{h} — {s}") for w, f, h, s in entries], locale, title)
    else:
        lines = [f"# {title}", ""] + [f"- [{h}]({f}) — {s}" for _, f, h, s in reversed(entries)]
        files["index.md"] = "\n".join(lines) + "\n"
    path = request.output or Path(f"digests-{request.guild_id}.zip")
    write_archive(path, files)
    return path


def _files(rendered: RenderedDigest, stem: str, format: Format) -> dict[str, bytes | str]:
    if format == "html":
        return {f"{stem}.html": to_html(rendered.digest, rendered.chart_png)}
    chart_name = f"{stem}.png" if rendered.chart_png else None
    files: dict[str, bytes | str] = {f"{stem}.md": to_markdown(rendered.digest, chart_name)}
    if rendered.chart_png and chart_name:
        files[chart_name] = rendered.chart_png
    return files


def _writing(data: bytes) -> Callable[[BinaryIO], None]:
    def write(raw: BinaryIO) -> None:
        raw.write(data)

    return write
