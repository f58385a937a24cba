"""Discord's markdown as the sandbox's page shows it: the subset the bot's messages use.

Everything is escaped first, then marked up, so that a student's `<b>` stays text. Mentions and
channel links are named from the fake Discord's state. Timestamps (`<t:…>`) become `<time>`
elements that the page's script writes in the reader's language and time zone, as Discord does.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime

from markupsafe import Markup

# Inline rules, applied in order to escaped text that holds no code span.
_INLINE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\*\*\*(.+?)\*\*\*", re.S), r"<strong><em>\1</em></strong>"),
    (re.compile(r"\*\*(.+?)\*\*", re.S), r"<strong>\1</strong>"),
    (re.compile(r"__(.+?)__", re.S), r"<u>\1</u>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)", re.S), r"<em>\1</em>"),
    (re.compile(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?!\w)", re.S), r"<em>\1</em>"),
    (re.compile(r"~~(.+?)~~", re.S), r"<s>\1</s>"),
    (re.compile(r"\|\|(.+?)\|\|", re.S), r'<span class="spoiler">\1</span>'),
]
_NO_PREVIEW_LINK = re.compile(r"&lt;(https?://[^\s<>]+?)&gt;")  # <https://…>: a link without its preview
_MASKED_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
# An address stops before what `_styled` set aside (NUL-delimited): never an anchor inside an href.
_BARE_LINK = re.compile(r'(?<!["=>])\b(https?://[^\s<\x00]+[^\s<\x00.,;:!?)\]"\'])')
_CODE_BLOCK = re.compile(r"```(?:[\w+-]*\n)?(.*?)```", re.S)
# An escaped character is matched first, so that its backtick never opens or closes a code span.
_CODE_SPAN = re.compile(r"\\[^\n]|`([^`\n]+)`")
# As in Discord, a backslash makes any character but a letter, a digit or a space literal.
_ESCAPED = re.compile(r"\\([^0-9A-Za-z\s])")
_KEPT = re.compile("\x00(\\d+)\x00")
_MENTION = re.compile(r"&lt;(@!?|@&amp;|#)(\d+)&gt;")
_TIMESTAMP = re.compile(r"&lt;t:(-?\d+)(?::([tTdDfFR]))?&gt;")
_HEADING = re.compile(r"^(#{1,3}) (.+)$")

Namer = Callable[[str, int], str | None]  # ("@", id) → a user's name, ("#", id) → a channel's…


def render(text: str, namer: Namer) -> Markup:
    """`text` (Discord markdown) as safe HTML."""
    text = text.replace("\x00", "")  # NUL marks what `_styled` sets aside
    blocks: list[str] = []
    position = 0
    for block in _CODE_BLOCK.finditer(text):
        blocks.append(_lines(text[position : block.start()], namer))
        blocks.append(f"<pre><code>{html.escape(block.group(1).strip(chr(10)))}</code></pre>")
        position = block.end()
    blocks.append(_lines(text[position:], namer))
    return Markup("".join(blocks))


def _lines(text: str, namer: Namer) -> str:
    """Headings, quotes, subtext and list items are per line; the rest is inline markup."""
    out: list[str] = []
    for line in text.split("\n"):
        if heading := _HEADING.match(line):
            level = len(heading.group(1))
            out.append(f'<span class="h{level}">{_inline(heading.group(2), namer)}</span>')
        elif line.startswith("> "):
            out.append(f"<span class=quote>{_inline(line[2:], namer)}</span>")
        elif line.startswith("-# "):
            out.append(f"<small>{_inline(line[3:], namer)}</small>")
        elif line.startswith(("- ", "• ", "* ")):
            out.append(f"<span class=item>• {_inline(line[2:], namer)}</span>")
        else:
            out.append(_inline(line, namer) + "<br>")
    return "".join(out).removesuffix("<br>")


def _inline(text: str, namer: Namer) -> str:
    parts: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(text):
        if span.group(1) is None:
            continue  # an escaped character: `_styled` shows it
        parts.append(_styled(text[position : span.start()], namer))
        parts.append(f"<code>{html.escape(span.group(1))}</code>")
        position = span.end()
    parts.append(_styled(text[position:], namer))
    return "".join(parts)


def _styled(text: str, namer: Namer) -> str:
    # Escaped characters are set aside, so that `\*` never starts an emphasis; so are links, so
    # that no emphasis reaches into an address (`/__init__/`) or an anchor's `target="_blank"`.
    kept: list[str] = []

    def keep(shown: str) -> str:
        kept.append(shown)
        return f"\x00{len(kept) - 1}\x00"

    def restore(match: re.Match[str]) -> str:
        return _KEPT.sub(restore, kept[int(match.group(1))])

    marked = html.escape(_ESCAPED.sub(lambda m: keep(html.escape(m.group(1))), text), quote=False)
    marked = _MASKED_LINK.sub(lambda m: keep(_anchor(m.group(2), _marks(m.group(1), namer))), marked)
    marked = _NO_PREVIEW_LINK.sub(lambda m: keep(_anchor(m.group(1), m.group(1))), marked)
    marked = _BARE_LINK.sub(lambda m: keep(_anchor(m.group(1), m.group(1))), marked)
    return _KEPT.sub(restore, _marks(marked, namer))


def _marks(marked: str, namer: Namer) -> str:
    """Emphasis, mentions and timestamps in escaped text."""
    for pattern, replacement in _INLINE:
        marked = pattern.sub(replacement, marked)
    marked = _MENTION.sub(lambda m: _mention(m, namer), marked)
    return _TIMESTAMP.sub(_timestamp, marked)


def _anchor(url: str, label: str) -> str:
    # The URL comes from escaped text: its "&" are "&amp;" already, as an attribute wants them.
    return f'<a href="{url.replace(chr(34), "%22")}" target="_blank" rel="noopener">{label}</a>'


def _mention(match: re.Match[str], namer: Namer) -> str:
    kind, key = match.group(1), int(match.group(2))
    sigil = "#" if kind == "#" else "@"
    name = namer("#" if kind == "#" else ("&" if "&" in kind else "@"), key)
    return f'<span class="mention">{sigil}{html.escape(name or str(key))}</span>'


def _timestamp(match: re.Match[str]) -> str:
    moment = datetime.fromtimestamp(int(match.group(1)), UTC)
    style = match.group(2) or "f"
    return f'<time datetime="{moment.isoformat()}" data-style="{style}">{moment:%Y-%m-%d %H:%M} UTC</time>'
