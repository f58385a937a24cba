"""The feed engine end to end: a local HTTP server, the real fetcher, worker pool and database."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta

import pytest

from bot.feeds.engine import AlertKind, FeedAlert, FeedReport, Outcome
from bot.feeds.fetch import FetchLimits
from bot.feeds.themes import CANDIDATE_THRESHOLD
from bot.workers import WorkerPool
from tests.feed_fixtures import Harness, data, make_harness
from tests.feedserver import FeedServer

TTL = timedelta(minutes=120)


async def check(harness: Harness, url: str) -> tuple[FeedReport, FeedAlert | None]:
    return await harness.engine.check(await harness.to_check(url))


async def test_a_real_world_rss_feed_is_normalised(harness: Harness, feed_server: FeedServer) -> None:
    url = feed_server.serve("/rss", data("recrutement.xml"))
    await harness.add_feed(url, "Carrières")

    report, _ = await check(harness, url)

    assert report.outcome is Outcome.NEW
    assert report.items == 6  # the repeated guid is read once
    rows = {row.guid: row for row in await harness.stored()}
    first = rows["carrieres-42"]
    assert first.title == "Les recruteurs scrutent votre e-réputation sur LinkedIn"
    assert first.url == "https://carrieres.example/articles/e-reputation?id=42"  # no utm_*, no #fragment
    assert first.summary.startswith("Selon une étude, 70 % des recruteurs consultent")
    assert "track()" not in first.summary
    assert first.published_at == datetime(2026, 11, 16, 8, 30, tzinfo=UTC)
    assert first.language == "fr"
    assert first.theme_scores["recruiters-social-media"] > CANDIDATE_THRESHOLD
    assert first.theme_scores["e-reputation"] > CANDIDATE_THRESHOLD
    assert not first.off_topic
    assert rows["carrieres-43"].url == feed_server.url("/articles/cv-video")  # relative to the feed
    video = rows["carrieres-43"].theme_scores
    assert max(video, key=video.__getitem__) == "video-cv"
    untitled = rows["carrieres-44"]
    assert untitled.title.startswith("Une entrée sans titre ni date")
    assert untitled.published_at == harness.clock.now  # no date: first seen
    assert rows["carrieres-45"].published_at == harness.clock.now  # year 2100: clamped
    assert rows["carrieres-46"].off_topic  # the weather matches no theme
    no_link = next(row for row in rows.values() if row.guid is None)
    assert no_link.url is None
    assert no_link.summary == "Ni titre, ni lien, ni date, mais un texte à garder."
    feed = await harness.feed(url)
    assert feed.consecutive_failures == 0
    assert feed.items_seen == 6
    assert feed.next_check_at is not None
    # The feed's <ttl>120</ttl> lengthens the 60-minute interval (within ±10 % jitter).
    assert TTL * 0.9 <= feed.next_check_at - harness.clock.now <= TTL * 1.1


async def test_atom_and_json_feeds(harness: Harness, feed_server: FeedServer) -> None:
    atom = feed_server.serve("/atom", data("hiring.atom"), content_type="application/atom+xml")
    json_feed = feed_server.serve("/json", data("feed.json"), content_type="application/feed+json")
    await harness.add_feed(atom, "Hiring", language="en")
    await harness.add_feed(json_feed, "JSON", language="en")

    await check(harness, atom)
    await check(harness, json_feed)

    rows = {row.guid: row for row in await harness.stored()}
    assert rows["urn:hiring:1"].title == "Recruiters now screen candidates’ social media"
    assert rows["urn:hiring:1"].url == "https://hiring.example/2026/11/screening"
    assert rows["urn:hiring:1"].author == "Dana Smith"
    assert rows["json-1"].url == "https://json.example/remote-hiring"
    assert rows["json-1"].published_at == datetime(2026, 11, 17, 11, 0, tzinfo=UTC)
    assert rows["json-1"].theme_scores["remote-recruiting"] > 0.2


async def test_a_conditional_get_costs_a_304(harness: Harness, feed_server: FeedServer) -> None:
    url = feed_server.serve(
        "/etag", data("hiring.atom"), etag='"v1"', last_modified="Wed, 18 Nov 2026 10:00:00 GMT"
    )
    await harness.add_feed(url, language="en")

    await check(harness, url)
    report, _ = await check(harness, url)

    assert report.outcome is Outcome.NOT_MODIFIED
    assert report.status == 304
    headers = feed_server.request_headers[-1][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Wed, 18 Nov 2026 10:00:00 GMT"
    feed = await harness.feed(url)
    assert feed.etag == '"v1"'  # kept for the next time


async def test_the_same_body_without_validators_is_not_parsed_again(
    harness: Harness, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/plain", data("recrutement.xml"))
    await harness.add_feed(url)

    await check(harness, url)
    report, _ = await check(harness, url)

    assert report.outcome is Outcome.UNCHANGED
    assert report.items is None  # nothing was parsed


async def test_an_edited_entry_is_updated_never_duplicated(harness: Harness, feed_server: FeedServer) -> None:
    original = data("recrutement.xml")
    url = feed_server.serve("/edits", original)
    await harness.add_feed(url)
    await check(harness, url)

    edited = original.replace(b"scrutent votre", b"examinent de pr\xc3\xa8s votre").replace(
        b"Mon, 16 Nov 2026 09:30:00 +0100", b"Mon, 16 Nov 2026 11:00:00 +0100"
    )
    feed_server.serve("/edits", edited)
    report, _ = await check(harness, url)

    assert report.outcome is Outcome.UPDATED
    assert report.ingest is not None
    assert (report.ingest.new, report.ingest.updated) == (0, 1)
    rows = [row for row in await harness.stored() if row.guid == "carrieres-42"]
    assert len(rows) == 1
    assert rows[0].title == "Les recruteurs examinent de près votre e-réputation sur LinkedIn"
    assert rows[0].published_at == datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


async def test_an_entry_whose_guid_and_link_change_is_matched_by_its_text(
    harness: Harness, feed_server: FeedServer
) -> None:
    original = data("hiring.atom")
    url = feed_server.serve("/moved", original, content_type="application/atom+xml")
    await harness.add_feed(url, language="en")
    await check(harness, url)

    feed_server.serve(
        "/moved",
        original.replace(b"urn:hiring:1", b"urn:hiring:one").replace(b"/2026/11/screening", b"/screening"),
        content_type="application/atom+xml",
    )
    report, _ = await check(harness, url)

    assert report.ingest is not None
    assert report.ingest.new == 0
    assert len(await harness.stored()) == 1


async def test_one_story_from_several_feeds_is_grouped(harness: Harness, feed_server: FeedServer) -> None:
    story = """<rss version="2.0"><channel><title>{name}</title><link>https://{name}.example/</link>
    <item><title>{title}</title><link>https://{name}.example/a</link><guid>{name}-1</guid>
    <pubDate>Sun, 22 Nov 2026 10:00:00 GMT</pubDate><description>{text}</description></item>
    <item><title>Un tout autre sujet</title><link>https://{name}.example/b</link><guid>{name}-2</guid>
    <pubDate>Sun, 22 Nov 2026 11:00:00 GMT</pubDate><description>{other}</description></item>
    </channel></rss>"""
    first = feed_server.serve(
        "/one",
        story.format(
            name="one",
            title="LinkedIn lance le CV vidéo pour les candidatures simplifiées",
            text="Le réseau social professionnel LinkedIn permet désormais aux candidats d'ajouter une "
            "courte vidéo de présentation à leur candidature simplifiée, une première en Europe.",
            other="Les écoles de commerce ouvrent leurs réseaux d'anciens aux étudiants de première année.",
        ),
    )
    second = feed_server.serve(
        "/two",
        story.format(
            name="two",
            title="LinkedIn lance le CV vidéo dans les candidatures simplifiées",
            text="Le réseau professionnel LinkedIn permet désormais aux candidats d'ajouter une courte "
            "vidéo de présentation à leur candidature simplifiée, une première en Europe selon la firme.",
            other="Le télétravail progresse chez les cadres selon une enquête publiée ce matin.",
        ),
    )
    await harness.add_feed(first, "One")
    await harness.add_feed(second, "Two")

    await check(harness, first)
    report, _ = await check(harness, second)

    assert report.ingest is not None
    assert report.ingest.grouped == 1
    rows = {row.url: row for row in await harness.stored()}
    assert rows["https://two.example/a"].story == rows["https://one.example/a"].story
    assert rows["https://two.example/b"].story == rows["https://two.example/b"].id
    assert rows["https://one.example/b"].story != rows["https://two.example/b"].story


async def test_malformed_but_readable_xml_is_kept_with_a_warning(
    harness: Harness, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/broken", data("malformed.xml"))
    await harness.add_feed(url)

    report, _ = await check(harness, url)

    assert report.outcome is Outcome.NEW
    assert report.warning is not None
    assert report.warning.startswith("not well-formed, read anyway")
    assert (await harness.feed(url)).last_warning == report.warning
    (row,) = await harness.stored()
    assert row.title == "LinkedIn change son algorithme"


async def test_a_feed_without_encoding_declaration(harness: Harness, feed_server: FeedServer) -> None:
    url = feed_server.serve("/latin1", data("latin1-undeclared.xml"), content_type="text/xml")
    await harness.add_feed(url)

    report, _ = await check(harness, url)

    assert report.outcome is Outcome.NEW
    (row,) = await harness.stored()
    assert row.title == "Café et télétravail"


async def test_a_feed_whose_bytes_contradict_its_declared_encoding(
    harness: Harness, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/wrong-encoding", data("declared-utf8-but-latin1.xml"))
    await harness.add_feed(url)

    report, _ = await check(harness, url)

    assert report.outcome is Outcome.NEW
    assert report.warning is not None  # kept, and the feed's health says it is broken
    (row,) = await harness.stored()
    assert row.title == "Réseau professionnel et recruteurs"


async def test_a_web_page_says_so_and_suggests_its_feed(harness: Harness, feed_server: FeedServer) -> None:
    url = feed_server.serve("/page", data("page.html"), content_type="text/html; charset=utf-8")
    await harness.add_feed(url)

    report, _ = await check(harness, url)

    assert report.outcome is Outcome.FAILED
    assert (
        report.error
        == f"this is a web page, not a feed; the page announces a feed at {feed_server.url('/feed.xml')}"
    )
    assert (await harness.feed(url)).last_error == report.error


async def test_an_empty_answer(harness: Harness, feed_server: FeedServer) -> None:
    url = feed_server.serve("/empty", data("empty.xml"))
    await harness.add_feed(url)

    report, _ = await check(harness, url)

    assert report.error == "the server sent an empty response"


async def test_a_huge_body_and_a_gzip_bomb_are_refused(harness: Harness, feed_server: FeedServer) -> None:
    huge_body = data("huge-50mb.xml.gz")
    huge = feed_server.serve("/huge", huge_body)
    # Served as it is stored: 100 KB on the wire that would inflate to 100 MB.
    bomb = feed_server.serve("/bomb", data("bomb-100mb.gz"), headers={"Content-Encoding": "gzip"})
    await harness.add_feed(huge)
    await harness.add_feed(bomb)
    assert len(huge_body) > 50 * 1000 * 1000

    for url in (huge, bomb):
        report, _ = await check(harness, url)
        assert report.error == "the response is larger than 5 MB; refused"


async def test_redirects_permanent_and_looping(harness: Harness, feed_server: FeedServer) -> None:
    new_home = feed_server.serve("/new-home", data("hiring.atom"), content_type="application/atom+xml")
    moved = feed_server.redirect("/old-home", new_home, status=301)
    loop = feed_server.redirect("/loop", feed_server.url("/loop"), status=302)
    await harness.add_feed(moved, language="en")
    await harness.add_feed(loop)

    report, _ = await check(harness, moved)
    looping, _ = await check(harness, loop)

    assert report.outcome is Outcome.NEW
    feed = await harness.feed(moved)
    assert feed.fetch_url == new_home  # fetched there from now on; the configured URL stays
    second, _ = await check(harness, moved)
    assert second.url == new_home
    assert looping.error == "more than 5 redirects"


async def test_a_slow_loris_server_is_given_up(harness: Harness, feed_server: FeedServer) -> None:
    url = feed_server.serve("/slow", data("hiring.atom"), trickle=0.5)
    await harness.add_feed(url)

    report, _ = await check(harness, url)

    assert report.error == "no complete answer within 3 s"


async def test_http_errors_in_words_with_backoff_and_retry_after(
    harness: Harness, feed_server: FeedServer
) -> None:
    blocked = feed_server.serve("/blocked", "Forbidden", status=403)
    limited = feed_server.serve("/limited", "", status=429, headers={"Retry-After": "7200"})
    broken = feed_server.serve("/broken-server", "", status=500)
    for url in (blocked, limited, broken):
        await harness.add_feed(url)

    blocked_report, _ = await check(harness, blocked)
    await check(harness, limited)
    await check(harness, broken)
    await check(harness, broken)

    assert blocked_report.error == "the site blocks automated readers (HTTP 403)"
    now = harness.clock.now
    limited_feed = await harness.feed(limited)
    assert limited_feed.next_check_at is not None
    assert limited_feed.next_check_at - now >= timedelta(hours=2) * 0.9  # Retry-After honoured
    broken_feed = await harness.feed(broken)
    assert broken_feed.consecutive_failures == 2
    assert broken_feed.last_error == "the site's server failed (HTTP 500)"
    assert broken_feed.next_check_at is not None
    assert timedelta(minutes=108) <= broken_feed.next_check_at - now <= timedelta(minutes=132)  # 60 min × 2


async def test_gone_disables_the_feed(harness: Harness, feed_server: FeedServer) -> None:
    url = feed_server.serve("/gone", "", status=410)
    await harness.add_feed(url)

    await check(harness, url)

    feed = await harness.feed(url)
    assert not feed.enabled
    assert feed.disabled_reason is not None
    assert feed.disabled_reason.startswith("the publisher removed this feed (HTTP 410)")


async def test_dns_and_tls_failures(harness: Harness, feed_server: FeedServer) -> None:
    dns = "http://feed.does-not-exist.invalid/rss"
    tls = feed_server.url("/tls").replace("http://", "https://")  # TLS to a plain HTTP server
    await harness.add_feed(dns)
    await harness.add_feed(tls)

    dns_report, _ = await check(harness, dns)
    tls_report, _ = await check(harness, tls)

    assert dns_report.error is not None
    assert dns_report.error.startswith("DNS lookup failed for feed.does-not-exist.invalid")
    assert tls_report.error is not None
    assert tls_report.error.startswith("TLS error with 127.0.0.1")


async def test_a_feed_with_5000_entries_does_not_block_the_others(
    harness: Harness, feed_server: FeedServer
) -> None:
    big = feed_server.serve("/big", data("5000-entries.xml.gz"))
    slow = feed_server.serve("/slow-but-fine", data("hiring.atom"), delay=1.0)
    quick = feed_server.serve("/quick", data("malformed.xml"))
    for url in (big, slow, quick):
        await harness.add_feed(url)
    finished: list[str] = []

    report = await harness.engine.refresh(
        await harness.feeds.enabled(), progress=lambda r: finished.append(r.url)
    )

    assert {r.url: r.items for r in report.feeds} == {big: 5000, slow: 1, quick: 1}
    assert finished.index(quick) < finished.index(slow)
    assert len(await harness.stored(big)) == 5000


async def test_moderators_are_told_once_after_a_day_of_failures_and_on_recovery(
    harness: Harness, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/flaky", "", status=503)
    await harness.add_feed(url)

    alerts = []
    for hours in (0, 12, 25, 30):
        harness.clock.now = datetime(2026, 11, 23, 8, tzinfo=UTC) + timedelta(hours=hours)
        alerts.append((await check(harness, url))[1])
    feed_server.serve("/flaky", data("malformed.xml"))
    harness.clock.now += timedelta(hours=1)
    recovered = (await check(harness, url))[1]

    assert [a.kind if a else None for a in alerts] == [None, None, AlertKind.FAILING, None]
    assert alerts[2] is not None
    assert alerts[2].error == "the site is unavailable (HTTP 503)"
    assert recovered is not None
    assert recovered.kind is AlertKind.RECOVERED
    assert (await harness.feed(url)).failure_alerted_at is None


async def test_due_feeds_and_private_addresses(
    harness: Harness, feed_server: FeedServer, pool: WorkerPool, database_url: str
) -> None:
    url = feed_server.serve("/due", data("malformed.xml"))
    await harness.add_feed(url)
    assert [feed.url for feed in await harness.feeds.due(harness.clock.now)] == [url]
    await check(harness, url)
    assert await harness.feeds.due(harness.clock.now) == []  # not before its next check
    later = harness.clock.now + timedelta(hours=2)
    assert [feed.url for feed in await harness.feeds.due(later)] == [url]

    public_only = FetchLimits(allow_private=False)
    async for strict in make_harness(database_url, pool, public_only):
        loopback, _ = await strict.engine.check(await strict.to_check(url))
        await strict.add_feed("http://localhost:9/feed")
        named, _ = await strict.engine.check(await strict.to_check("http://localhost:9/feed"))
    assert loopback.error == "refused: 127.0.0.1 is not a public internet address"
    assert named.error == "refused: localhost resolves only to addresses outside the public internet"


async def test_pruning_keeps_what_a_case_study_uses(harness: Harness, feed_server: FeedServer) -> None:
    from bot.db.models import CaseStudy, Guild

    url = feed_server.serve("/prune", data("recrutement.xml"))
    await harness.add_feed(url)
    await check(harness, url)
    rows = await harness.stored()
    kept = next(row for row in rows if row.guid == "carrieres-42")
    async with harness.sessions.begin() as session:
        session.add(Guild(id=1))
        await session.flush()
        session.add(CaseStudy(guild_id=1, article_id=kept.id, theme="e-reputation", language="fr"))

    pruned = await harness.articles.prune(harness.clock.now + timedelta(days=1))

    assert pruned == len(rows) - 1
    assert [row.guid for row in await harness.stored()] == ["carrieres-42"]


@pytest.mark.allow_logged_errors
async def test_a_dead_worker_fails_one_feed_and_is_replaced(
    harness: Harness, feed_server: FeedServer
) -> None:
    first = feed_server.serve("/before", data("hiring.atom"), content_type="application/atom+xml")
    second = feed_server.serve("/after", data("malformed.xml"))
    await harness.add_feed(first, language="en")
    await harness.add_feed(second)
    await harness.engine._pool.start()  # the workers exist…
    for pid in harness.engine._pool.worker_pids():
        os.kill(pid, signal.SIGKILL)  # …and die, as under the out-of-memory killer

    broken, _ = await check(harness, first)
    recovered, _ = await check(harness, second)

    assert broken.error == "reading the feed failed (BrokenProcessPool)"
    assert recovered.outcome is Outcome.NEW
