"""How a digest's words are marked up for where they go: chat markdown, a Markdown file, HTML.

The digest's sections are written once (`sections.py`) against this small interface; each target
escapes what students wrote in its own way, so that a take full of `**`, `@everyone` or `<b>`
shows as the student typed it and does nothing else.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.i18n import Locale, t
from bot.posting.schedule import WEEKDAYS

# Characters that start markdown in Discord and CommonMark; a backslash makes them literal.
_MARKDOWN = re.compile(r"([\\`*_~|\[\]<>#])")
_LINE_START = re.compile(r"^([-+])", re.MULTILINE)  # a list item
_MASS_MENTION = re.compile(r"@(everyone|here)")
SAFE_SCHEMES = ("http://", "https://")


def local_time(moment: datetime, timezone: str, locale: Locale) -> str:
    """`"mardi 01/12 12:30"` in the group's time zone (for files, which no client converts)."""
    local = moment.astimezone(ZoneInfo(timezone))
    return t(
        "digest.when",
        locale,
        day=t(f"days.{WEEKDAYS[local.weekday()]}", locale),
        date=local.strftime(t("digest.date_format", locale)),
        time=local.strftime("%H:%M"),
    )


def safe_url(url: str | None) -> str | None:
    """Only web links are linked (a `javascript:` URL in a feed stays plain text)."""
    if url and url.startswith(SAFE_SCHEMES) and not any(c.isspace() for c in url):
        return url
    return None


class Markup(Protocol):
    def text(self, words: str) -> str:
        """Text from outside (a title, a take) made inert."""
        ...

    def bold(self, marked: str) -> str: ...

    def link(self, marked_label: str, url: str | None) -> str: ...

    def line(self, marked: str) -> str:
        """One paragraph line."""
        ...

    def quote(self, marked: str) -> str:
        """A quoted take, on its own line."""
        ...

    def moment(self, moment: datetime, timezone: str, locale: Locale) -> str: ...

    def user(self, user_id: int, locale: Locale) -> str: ...


class Markdown:
    """Markdown for a file (`chat=False`) or for a chat message (`chat=True`: mentions are
    neutralised and times are shown in each reader's own time zone)."""

    def __init__(self, *, chat: bool) -> None:
        self.chat = chat

    def text(self, words: str) -> str:
        escaped = _LINE_START.sub(r"\\\1", _MARKDOWN.sub(r"\\\1", words))
        return _MASS_MENTION.sub("@\u200b\\1", escaped)

    def bold(self, marked: str) -> str:
        return f"**{marked}**"

    def link(self, marked_label: str, url: str | None) -> str:
        url = safe_url(url)
        if url is None:
            return marked_label
        return f"[{marked_label}]({url.replace('(', '%28').replace(')', '%29')})"

    def line(self, marked: str) -> str:
        return marked

    def quote(self, marked: str) -> str:
        return f"> {marked}"

    def moment(self, moment: datetime, timezone: str, locale: Locale) -> str:
        if self.chat:
            return f"<t:{int(moment.timestamp())}:F>"
        return local_time(moment, timezone, locale)

    def user(self, user_id: int, locale: Locale) -> str:
        if self.chat:
            return f"<@{user_id}>"  # shown as a name; the digest is sent with no mention allowed
        return t("digest.named_student", locale)


class Html:
    def text(self, words: str) -> str:
        return html.escape(words, quote=True)

    def bold(self, marked: str) -> str:
        return f"<strong>{marked}</strong>"

    def link(self, marked_label: str, url: str | None) -> str:
        url = safe_url(url)
        if url is None:
            return marked_label
        return f'<a href="{html.escape(url, quote=True)}">{marked_label}</a>'

    def line(self, marked: str) -> str:
        return f"<p>{marked}</p>"

    def quote(self, marked: str) -> str:
        return f"<blockquote>{marked}</blockquote>"

    def moment(self, moment: datetime, timezone: str, locale: Locale) -> str:
        return f'<time datetime="{moment.isoformat()}">{local_time(moment, timezone, locale)}</time>'

    def user(self, user_id: int, locale: Locale) -> str:
        return html.escape(t("digest.named_student", locale))
