"""Suggesting an article page and a page that announces its feed, on a real database and a local
web server: an approved article becomes a candidate of the group's next case study."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.casestudy.select import Preferences
from bot.config.settings import Settings
from bot.posting.config import SetupChange
from bot.services import Core, open_core
from bot.suggestions.model import Kind, Status
from tests.conftest import REPO, SHIPPED_FEEDS
from tests.feedserver import FeedServer

GUILD, STUDENT, MODERATOR = 5, 501, 900
ARTICLE = REPO / "tests" / "data" / "articles" / "fr-09-cv-video-retour-grande-distribution.html"
FEED = REPO / "tests" / "data" / "feeds" / "recrutement.xml"


@pytest.fixture
async def core(database_url: str, feed_server: FeedServer) -> AsyncIterator[Core]:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        feeds_file=SHIPPED_FEEDS,
        feeds_allow_private_addresses=True,
    )
    async with open_core(settings) as opened:
        await opened.posting.setup(GUILD, SetupChange(channel_id=50))
        yield opened


async def test_an_approved_article_is_a_candidate_of_the_next_case_study(
    core: Core, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/article", ARTICLE.read_bytes(), content_type="text/html; charset=utf-8")
    submitted = await core.suggestions.suggest_link(GUILD, STUDENT, url)
    suggestion = submitted.suggestion
    assert (suggestion.kind, suggestion.theme, suggestion.votes) == (Kind.ARTICLE, "video-cv", 1)

    before = await core.casestudies.next(Preferences(locale="fr"), GUILD, tries=0)
    assert all(entry.candidate.title != suggestion.title for entry in before.ranked)

    approved = await core.suggestions.approve(suggestion.id, MODERATOR)
    assert approved.status is Status.APPROVED
    after = await core.casestudies.next(Preferences(locale="fr"), GUILD, tries=0)
    (picked,) = [entry for entry in after.ranked if entry.candidate.title == suggestion.title]
    assert picked.parts["suggested"] == 0.3 and picked.parts["votes"] == 0.1
    # Another group did not approve it: not a candidate there.
    elsewhere = await core.casestudies.next(Preferences(locale="fr"), GUILD + 1, tries=0)
    assert all(entry.candidate.title != suggestion.title for entry in elsewhere.ranked)


async def test_a_page_that_announces_its_feed_suggests_the_feed(core: Core, feed_server: FeedServer) -> None:
    feed_url = feed_server.serve("/feed.xml", FEED.read_bytes())
    page = (
        f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed_url}"></head>'
        "<body><p>Accueil du blog.</p></body></html>"
    )
    home = feed_server.serve("/", page, content_type="text/html")
    suggestion = (await core.suggestions.suggest_link(GUILD, STUDENT, home)).suggestion
    assert (suggestion.kind, suggestion.url, suggestion.title) == (Kind.FEED, feed_url, "Carrières & Réseaux")
    # The feed's own link, suggested next, is the same suggestion: a vote.
    again = await core.suggestions.suggest_link(GUILD, STUDENT + 1, feed_url)
    assert again.duplicate and again.suggestion.id == suggestion.id and again.suggestion.votes == 2
