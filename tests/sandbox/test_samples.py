"""The sample feeds of `examples/feeds` as the sandbox serves them: dated as if just published (their
spacing kept), each item linking to a small article page served beside them, and the `[[feeds]]`
tables that replace the shipped ones in the sandbox's feeds file."""

from __future__ import annotations

import html
import itertools
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.config.feeds_file import load_feeds_file
from bot.preview import DEMO_FEEDS
from sandbox.samples import NEWEST_AGE, SampleFeeds, without_feeds
from tests.conftest import SHIPPED_FEEDS

NOW = datetime(2030, 3, 14, 9, 30, tzinfo=UTC)  # far from the files' own dates (November 2026)
BASE = "http://127.0.0.1:8765"
SAMPLE_FILES = sorted(DEMO_FEEDS.glob("*.xml"))

# A feed whose words would break a page or a TOML string if they were pasted in as they are.
AWKWARD_TITLE = '<script>alert("x")</script> Tom & "Jerry" \\ l\'été'
AWKWARD_CHANNEL = 'Le "bon" flux \\ <b>'
AWKWARD_TEXT = "Un texte <i>avec</i> des balises & des esperluettes."
AWKWARD_FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>{html.escape(AWKWARD_CHANNEL)}</title>
  <language>fr-FR</language>
  <item>
    <title>{html.escape(AWKWARD_TITLE)}</title>
    <guid isPermaLink="false">https://example.org/posts/awkward-1/</guid>
    <pubDate>Fri, 01 Jan 2027 10:00:00 +0000</pubDate>
    <description>{html.escape(AWKWARD_TEXT)}</description>
  </item>
</channel></rss>
"""


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    link: str
    published: datetime


def items_of(rss: bytes) -> list[Item]:
    channel = ET.fromstring(rss).find("channel")
    assert channel is not None
    found = []
    for item in channel.iter("item"):
        guid = item.findtext("guid") or ""
        found.append(
            Item(
                key=guid.rstrip("/").rsplit("/", 1)[-1],
                title=item.findtext("title") or "",
                link=item.findtext("link") or "",
                published=parsedate_to_datetime(item.findtext("pubDate") or ""),
            )
        )
    return found


def channel_text(path: Path, tag: str) -> str:
    channel = ET.fromstring(path.read_bytes()).find("channel")
    assert channel is not None
    return channel.findtext(tag) or ""


@pytest.fixture(scope="module")
def samples() -> SampleFeeds:
    return SampleFeeds(DEMO_FEEDS, now=NOW)


class SampleServer:
    """The sample routes on 127.0.0.1, as the sandbox serves them beside its page."""

    def __init__(self, samples: SampleFeeds) -> None:
        self.samples = samples
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.add_routes(self.samples.routes())
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@asynccontextmanager
async def serving(samples: SampleFeeds) -> AsyncIterator[tuple[SampleServer, aiohttp.ClientSession]]:
    server = SampleServer(samples)
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield server, http
    finally:
        await server.stop()


@pytest.fixture
async def served(samples: SampleFeeds) -> AsyncIterator[tuple[SampleServer, aiohttp.ClientSession]]:
    async with serving(samples) as pair:
        yield pair


def test_the_samples_are_the_example_files() -> None:
    assert [path.name for path in SAMPLE_FILES] == ["veille-en.xml", "veille-fr.xml"]
    assert all(len(items_of(path.read_bytes())) >= 5 for path in SAMPLE_FILES)


def test_the_newest_item_is_served_as_published_an_hour_before_now(samples: SampleFeeds) -> None:
    served = [item.published for path in SAMPLE_FILES for item in items_of(samples.served(path.stem, BASE))]

    assert timedelta(hours=1) == NEWEST_AGE
    assert max(served) == NOW - timedelta(hours=1)
    # The files were written for November 2026: served, every item is older than `now` but recent.
    assert all(NOW - timedelta(days=30) < published < NOW for published in served)


def test_the_spacing_between_items_is_kept(samples: SampleFeeds) -> None:
    originals = {item.key: item.published for path in SAMPLE_FILES for item in items_of(path.read_bytes())}
    served = {
        item.key: item.published
        for path in SAMPLE_FILES
        for item in items_of(samples.served(path.stem, BASE))
    }

    assert served.keys() == originals.keys()
    # One shift for all items of all files: each gap between two items is the one written.
    shifts = {served[key] - originals[key] for key in originals}
    assert len(shifts) == 1
    ordered = sorted(originals, key=originals.__getitem__)
    gaps = [originals[b] - originals[a] for a, b in itertools.pairwise(ordered)]
    assert [served[b] - served[a] for a, b in itertools.pairwise(ordered)] == gaps
    assert sorted(served, key=served.__getitem__) == ordered


def test_every_link_points_to_the_sandboxs_article_page(samples: SampleFeeds) -> None:
    for path in SAMPLE_FILES:
        written = items_of(path.read_bytes())
        served = items_of(samples.served(path.stem, BASE + "/"))

        assert [item.key for item in served] == [item.key for item in written]
        assert [item.title for item in served] == [item.title for item in written]
        assert [item.link for item in served] == [f"{BASE}/samples/articles/{item.key}" for item in written]
        assert all(not item.link.startswith("https://demo.veille-bot.invalid") for item in served)


async def test_the_feeds_and_their_article_pages_over_http(
    served: tuple[SampleServer, aiohttp.ClientSession],
) -> None:
    server, http = served
    titles_with_quotes = 0
    for path in SAMPLE_FILES:
        async with http.get(f"{server.base}/samples/{path.name}") as response:
            assert response.status == 200
            assert response.content_type == "application/rss+xml"
            feed = await response.read()
        items = items_of(feed)
        assert [item.title for item in items] == [item.title for item in items_of(path.read_bytes())]
        language = channel_text(path, "language")[:2]
        for item in items:
            assert item.link == f"{server.base}/samples/articles/{item.key}"
            async with http.get(item.link) as response:
                assert response.status == 200, item.link
                assert response.content_type == "text/html"
                page = await response.text()
            assert f'<html lang="{language}">' in page
            assert f"<h1>{html.escape(item.title)}</h1>" in page
            assert f"<title>{html.escape(item.title)}</title>" in page
            if "'" in item.title:
                titles_with_quotes += 1
                assert "&#x27;" in page and f"<h1>{item.title}</h1>" not in page
    assert titles_with_quotes > 0, "no title of the samples puts the page's escaping to the test"

    for missing in ("/samples/articles/no-such-article", "/samples/no-such-feed.xml"):
        async with http.get(server.base + missing) as response:
            assert response.status == 404, missing


async def test_a_feeds_words_are_escaped_in_its_article_page(tmp_path: Path) -> None:
    (tmp_path / "awkward.xml").write_text(AWKWARD_FEED, encoding="utf-8")
    samples = SampleFeeds(tmp_path, now=NOW)

    async with (
        serving(samples) as (server, http),
        http.get(f"{server.base}/samples/articles/awkward-1") as response,
    ):
        assert response.status == 200
        page = await response.text()

    assert "<script>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tom &amp; &quot;Jerry&quot;" in page
    assert "Un texte &lt;i&gt;avec&lt;/i&gt; des balises &amp; des esperluettes." in page
    assert '<html lang="fr">' in page


def test_feeds_toml_lists_each_sample_feed(samples: SampleFeeds) -> None:
    listed = tomllib.loads(samples.feeds_toml(BASE))

    assert list(listed) == ["feeds"]
    assert listed["feeds"] == [
        {
            "name": channel_text(path, "title"),
            "url": f"{BASE}/samples/{path.stem}.xml",
            "language": channel_text(path, "language")[:2],
        }
        for path in SAMPLE_FILES
    ]
    assert {feed["language"] for feed in listed["feeds"]} == {"fr", "en"}


def test_feeds_toml_keeps_quotes_and_backslashes_of_a_title(tmp_path: Path) -> None:
    (tmp_path / "awkward.xml").write_text(AWKWARD_FEED, encoding="utf-8")

    listed = tomllib.loads(SampleFeeds(tmp_path, now=NOW).feeds_toml(BASE + "/"))

    assert listed["feeds"] == [
        {"name": AWKWARD_CHANNEL, "url": f"{BASE}/samples/awkward.xml", "language": "fr"}
    ]


def test_without_feeds_keeps_the_themes_and_defaults_of_the_shipped_file() -> None:
    shipped_text = SHIPPED_FEEDS.read_text(encoding="utf-8")
    shipped = tomllib.loads(shipped_text)
    assert shipped["feeds"] and shipped["themes"] and shipped["defaults"]

    kept = tomllib.loads(without_feeds(shipped_text))

    assert "feeds" not in kept
    assert kept == {key: value for key, value in shipped.items() if key != "feeds"}
    assert kept["themes"] == shipped["themes"] and kept["defaults"] == shipped["defaults"]


def test_the_sandboxs_feeds_file_loads_with_the_sample_feeds_only(
    samples: SampleFeeds, tmp_path: Path
) -> None:
    """The file the sandbox writes: the shipped themes and defaults, then the sample feeds."""
    shipped_text = SHIPPED_FEEDS.read_text(encoding="utf-8")
    path = tmp_path / "sandbox-feeds.toml"
    path.write_text(f"{without_feeds(shipped_text).rstrip()}\n\n{samples.feeds_toml(BASE)}", encoding="utf-8")

    loaded = load_feeds_file(path)

    shipped = load_feeds_file(SHIPPED_FEEDS)
    assert loaded.themes == shipped.themes
    assert loaded.defaults == shipped.defaults
    assert [(feed.name, feed.url, feed.language) for feed in loaded.feeds] == [
        ("Veille demo (EN)", f"{BASE}/samples/veille-en.xml", "en"),
        ("Veille démo (FR)", f"{BASE}/samples/veille-fr.xml", "fr"),
    ]
