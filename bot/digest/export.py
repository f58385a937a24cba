"""A digest as a file of its own, for a teacher to e-mail or put on an intranet: Markdown, a
standalone HTML page with the chart inside, an index of weeks, and a zip archive written atomically.
"""

from __future__ import annotations

import base64
import html
import os
import struct
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from bot.digest.markup import Html, Markdown, local_time
from bot.digest.model import Digest
from bot.digest.sections import digest_sections, title_of
from bot.digest.week import IsoWeek
from bot.i18n import Locale, t

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Characters a file name or path may keep as they are inside a link; the rest is percent-encoded
# so that a space or a parenthesis does not end the Markdown link early.
_PATH_SAFE = "/:._-~"

# One small style sheet, inline: the page must show the same with no network (an e-mail
# attachment, an intranet that blocks outside resources) and must print cleanly.
STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; background: #f3f4f6; color: #1f2328;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue",
    Arial, "DejaVu Sans", sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji";
  -webkit-text-size-adjust: 100%; text-size-adjust: 100%;
}
main, body > footer { max-width: 52rem; margin: 0 auto; padding: 1.25rem 1rem; }
main { overflow-wrap: anywhere; }
main > header, main > section {
  background: #fff; border: 1px solid #e3e6ea; border-radius: 12px;
  padding: 1.25rem 1.5rem; margin: 0 0 1rem;
}
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .75rem; }
h2 { font-size: 1.2rem; line-height: 1.3; margin: 0 0 .6rem; break-after: avoid; }
p { margin: .45rem 0; }
a { color: #0a58ca; text-underline-offset: 2px; }
h2 a { color: inherit; text-decoration-color: #9aa4b1; }
blockquote {
  margin: .8rem 0; padding: .6rem 1rem; background: #f6f8fa;
  border-left: 4px solid #b6bfca; border-radius: 0 8px 8px 0; break-inside: avoid;
}
/* The chart (white, 900 px wide) uses the card's whole width, padding included. */
figure { margin: .25rem -1.5rem 1rem; break-inside: avoid; }
img { display: block; max-width: 100%; height: auto; }
ul.weeks { list-style: none; margin: 0; padding: 0; }
ul.weeks li { padding: .7rem 0; border-top: 1px solid #e3e6ea; }
ul.weeks li:first-child { border-top: 0; }
ul.weeks a { font-weight: 600; }
ul.weeks span { display: block; color: #57606a; }
body > footer { color: #57606a; font-size: .875rem; padding-top: 0; }
body > footer p { margin: .2rem 0; }
@media (max-width: 32rem) {
  body { font-size: 15px; }
  main { padding: .75rem .5rem; }
  main > header, main > section { padding: 1rem; border-radius: 8px; }
  h1 { font-size: 1.35rem; }
  /* Shrunk to a phone's width the chart's words would be unreadable: it scrolls sideways. */
  figure { margin: .25rem -1rem 1rem; overflow-x: auto; }
  figure img { max-width: none; width: 600px; }
}
@media print {
  @page { margin: 1.5cm; }
  body { background: #fff; font-size: 11pt; }
  main, body > footer { max-width: none; padding: 0; }
  main > header, main > section { border: 0; border-bottom: 1px solid #d0d7de; border-radius: 0;
    padding: 0 0 .8rem; margin-bottom: .8rem; }
  a { color: inherit; }
  figure { margin: .25rem 0 1rem; overflow: visible; }
  figure img { max-width: 100%; width: auto; }
  h2 a[href]::after { content: " — " attr(href); font-size: .75em; font-weight: normal;
    color: #57606a; overflow-wrap: anywhere; }
}
"""


def to_markdown(digest: Digest, chart_path: str | None = None, *, exported_at: datetime | None = None) -> str:
    """The digest as a Markdown file; the chart is shown from `chart_path` when one is given
    (a file beside it, say), since Markdown cannot hold a picture itself."""
    markup = Markdown(chat=False)
    overview, *sections = digest_sections(digest, markup)
    parts = [f"# {overview.title}", *overview.blocks]
    for section in sections:
        parts.append(f"## {markup.link(section.title, section.url)}")
        if section.chart and chart_path:
            alt = markup.text(t("digest.chart_alt", digest.locale))
            parts.append(f"![{alt}]({quote(chart_path, safe=_PATH_SAFE)})")
        parts += section.blocks
    parts += ["---", *(f"*{markup.text(line)}*" for line in _footer(digest, exported_at))]
    # Every block is a paragraph of its own: a blank line between two quotes keeps them two quotes.
    return "\n\n".join(parts) + "\n"


def to_html(digest: Digest, chart_png: bytes | None, *, exported_at: datetime | None = None) -> str:
    """The digest as one self-contained HTML page (no script, no outside resource), with the
    chart embedded as a data: URI."""
    markup = Html()
    overview, *sections = digest_sections(digest, markup)
    # Section titles and blocks come marked up (what students and feeds wrote is escaped there);
    # only what is added here is escaped here.
    body = ["<main>", "<header>", f"<h1>{overview.title}</h1>", *overview.blocks, "</header>"]
    for section in sections:
        body.append(f'<section class="{html.escape(section.kind)}">')
        body.append(f"<h2>{markup.link(section.title, section.url)}</h2>")
        if section.chart and chart_png:
            body.append(_figure(chart_png, t("digest.chart_alt", digest.locale)))
        body += section.blocks
        body.append("</section>")
    body.append("</main>")
    body.append("<footer>")
    body += [f"<p>{html.escape(line)}</p>" for line in _footer(digest, exported_at)]
    body.append("</footer>")
    return _page(digest.locale, title_of(digest), body)


def index_html(entries: Sequence[tuple[str, str, str]], locale: Locale, title: str) -> str:
    """A page linking to each week's file; `entries` are (week like "2026-W48", file name, a
    one-line summary), shown newest first whatever their order."""
    ordered = sorted(entries, key=lambda entry: IsoWeek.parse(entry[0]), reverse=True)
    items = [
        f'<li><a href="{html.escape(quote(file_name, safe=_PATH_SAFE))}">{html.escape(week)}</a>'
        f"<span>{html.escape(summary)}</span></li>"
        for week, file_name, summary in ordered
    ]
    body = [
        "<main>",
        '<section class="index">',
        f"<h1>{html.escape(title)}</h1>",
        '<ul class="weeks">',
        *items,
        "</ul>",
        "</section>",
        "</main>",
    ]
    return _page(locale, title, body)


def write_archive(path: Path, files: Mapping[str, bytes | str]) -> None:
    """A zip of `files` (name → content; text is stored as UTF-8) at `path`, written whole."""

    def zip_into(raw: BinaryIO) -> None:
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(name, content)

    write_whole(path, zip_into)


def write_whole(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write `path` with `write`, replacing any file there only once the new one is complete: a
    crash leaves the old file or none, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary file sits in the same directory: os.replace is atomic only within one
    # file system.
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            write(raw)
            raw.flush()
            # On disk before the rename, or a power cut could leave a complete name on empty data.
            os.fsync(raw.fileno())
        # mkstemp makes the file private (0600); an export is meant to be shared.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a directory, and needs not."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _footer(digest: Digest, exported_at: datetime | None) -> list[str]:
    moment = exported_at or datetime.now(UTC)
    when = local_time(moment, digest.timezone, digest.locale)
    # The week's own label carries the year, which the digest's title leaves out.
    return [
        t("digest.export_footer", digest.locale, date=when),
        t("digest.footer", digest.locale, week=digest.week),
    ]


def _figure(png: bytes, alt: str) -> str:
    size = _png_size(png)
    dimensions = f' width="{size[0]}" height="{size[1]}"' if size else ""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}"'
        f"{dimensions}></figure>"
    )


def _png_size(png: bytes) -> tuple[int, int] | None:
    """A PNG's width and height from its header (they let the browser reserve the room)."""
    if len(png) < 24 or not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _page(locale: Locale, title: str, body: Sequence[str]) -> str:
    head = [
        "<!doctype html>",
        f'<html lang="{html.escape(locale)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="veille-bot">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"
