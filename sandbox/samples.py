"""The sample feeds of `examples/feeds`, served by the sandbox when the internet is out of reach.

The bot reads them over HTTP like any feed. They are dated as if just published (the files were
written weeks ago and would be too old to be chosen), and each item links to a small article page
served here too, so that a case study's source link opens something and the bot reads a real page.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from aiohttp import web

from bot.preview import DEMO_FEEDS

SAMPLES_PATH = "/samples"
# The newest sample is served as published this long ago; the others keep their spacing.
NEWEST_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class SampleArticle:
    key: str
    title: str
    text: str
    language: str


@dataclass(frozen=True)
class SampleFeed:
    name: str  # the file's stem: its address is /samples/<name>.xml
    title: str
    language: str
    source: bytes  # the file as written


class SampleFeeds:
    """The RSS 2.0 files of `folder`, as the sandbox serves them."""

    def __init__(self, folder: Path = DEMO_FEEDS, now: datetime | None = None) -> None:
        self.feeds: dict[str, SampleFeed] = {}
        self.articles: dict[str, SampleArticle] = {}
        newest = datetime.min.replace(tzinfo=UTC)
        for path in sorted(folder.glob("*.xml")):
            source = path.read_bytes()
            _, channel = _rss(source, path.name)
            language = (channel.findtext("language") or "fr")[:2]
            self.feeds[path.stem] = SampleFeed(
                path.stem, channel.findtext("title") or path.stem, language, source
            )
            for item in channel.iter("item"):
                key = _key(item)
                title = item.findtext("title") or key
                self.articles[key] = SampleArticle(key, title, item.findtext("description") or "", language)
                newest = max(newest, _published(item))
        self.shift = (now or datetime.now(UTC)) - NEWEST_AGE - newest
        self._served: dict[tuple[str, str], bytes] = {}

    def feeds_toml(self, base_url: str) -> str:
        """The `[[feeds]]` tables that follow these feeds (JSON strings are valid TOML strings)."""
        return "\n".join(
            f"[[feeds]]\nname = {_toml(feed.title)}\nurl = {_toml(feed_url(base_url, feed.name))}\n"
            f"language = {_toml(feed.language)}\n"
            for feed in self.feeds.values()
        )

    def served(self, name: str, base_url: str) -> bytes:
        """Feed `name` with its dates moved and its links to the sandbox's article pages (made
        once per address: the bot reads it every few minutes, on the event loop)."""
        key = (name, base_url)
        if key not in self._served:
            self._served[key] = self._render(name, base_url)
        return self._served[key]

    def _render(self, name: str, base_url: str) -> bytes:
        root, channel = _rss(self.feeds[name].source, name)
        for item in channel.iter("item"):
            _set(item, "pubDate", format_datetime(_published(item) + self.shift))
            _set(item, "link", article_url(base_url, _key(item)))
        served: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return served

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get(SAMPLES_PATH + "/{name}.xml", self._feed),
            web.get(SAMPLES_PATH + "/articles/{key}", self._article),
        ]

    async def _feed(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.feeds:
            raise web.HTTPNotFound()
        body = self.served(name, str(request.url.origin()))
        return web.Response(body=body, content_type="application/rss+xml", charset="utf-8")

    async def _article(self, request: web.Request) -> web.Response:
        article = self.articles.get(request.match_info["key"])
        if article is None:
            raise web.HTTPNotFound()
        return web.Response(text=article_page(article), content_type="text/html", charset="utf-8")


def feed_url(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}{SAMPLES_PATH}/{name}.xml"


def article_url(base_url: str, key: str) -> str:
    return f"{base_url.rstrip('/')}{SAMPLES_PATH}/articles/{key}"


def article_page(article: SampleArticle) -> str:
    title, text = html.escape(article.title), html.escape(article.text)
    return (
        f'<!doctype html>\n<html lang="{article.language}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body><main><article><h1>{title}</h1>\n"
        f"<p>{text}</p></article></main></body></html>\n"
    )


def without_feeds(feeds_toml: str) -> str:
    """The text of a feeds file without its `[[feeds]]` tables (its themes and defaults stay).

    A table runs from its header to the next header, so dropping each `[[feeds]]` block is exact
    for a file whose multi-line strings start no line with "[" (feeds.toml has none)."""
    kept: list[str] = []
    dropping = False
    for line in feeds_toml.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            dropping = stripped.startswith("[[feeds]]")
        if not dropping:
            kept.append(line)
    return "".join(kept)


def _rss(source: bytes, name: str) -> tuple[ET.Element, ET.Element]:
    """The document and its channel element."""
    root = ET.fromstring(source)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ValueError(f"{name}: not an RSS 2.0 feed")
    return root, channel


def _key(item: ET.Element) -> str:
    """The item's id, as the last part of its guid (or link): a name for its article page."""
    guid = item.findtext("guid") or item.findtext("link") or ""
    return guid.rstrip("/").rsplit("/", 1)[-1]


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _published(item: ET.Element) -> datetime:
    return parsedate_to_datetime(item.findtext("pubDate") or "").astimezone(UTC)


def _set(item: ET.Element, tag: str, text: str) -> None:
    element = item.find(tag)
    if element is None:
        element = ET.SubElement(item, tag)
    element.text = text
