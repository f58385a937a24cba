"""Parsing, theme scores and scheduling, without a network."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.casestudy.keyterms import TermStats
from bot.config.feeds_file import load_feeds_file
from bot.feeds import fastparse, schedule
from bot.feeds.parse import parse_feed
from bot.feeds.text import tokens
from bot.feeds.themes import CANDIDATE_THRESHOLD, ON_TOPIC_THRESHOLD, ThemeScorer, is_off_topic
from bot.services import theme_keywords
from tests.conftest import REPO, SHIPPED_FEEDS
from tests.feed_fixtures import DATA, data

THEMES = theme_keywords(load_feeds_file(SHIPPED_FEEDS))
SCORER = ThemeScorer(THEMES)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CORPUS = REPO.parent / "shared" / "corpus" / "feeds"


def scores(title: str, summary: str = "", language: str | None = None) -> dict[str, float]:
    return SCORER.score(tokens(title), tokens(summary), language)


def best(found: dict[str, float]) -> str:
    return max(found, key=lambda key: found[key])


@pytest.mark.parametrize(
    ("title", "theme"),
    [
        ("Les recruteurs et la marque employeur", "recruiters-social-media"),
        ("E-RÉPUTATION : protégez vos données personnelles", "e-reputation"),
        ("Entretien en visio : réussir son recrutement à distance", "remote-recruiting"),
        ("Video resumes are back", "video-cv"),
        ("Quitter les réseaux sociaux, une option ?", "social-necessity"),
        ("Doomscrolling and screen time among students", "digital-addiction"),
        ("Alumni networks help new grads find a first job", "network-after-graduation"),
    ],
)
def test_themes_are_found_across_accents_case_and_inflection(title: str, theme: str) -> None:
    found = scores(title)

    assert max(found, key=lambda key: found[key]) == theme


def test_titles_weigh_more_and_nothing_is_off_topic_by_accident() -> None:
    in_title = scores("Le CV vidéo", "Un article.")["video-cv"]
    in_summary = scores("Un article", "Il parle du CV vidéo.")["video-cv"]

    assert in_title > in_summary > CANDIDATE_THRESHOLD
    assert is_off_topic(
        scores("Recette de la tarte aux pommes", "Beurre, sucre et farine."), CANDIDATE_THRESHOLD
    )
    assert not is_off_topic(scores("Un article", "Il parle du CV vidéo."), CANDIDATE_THRESHOLD)


# Written as a journalist writes, with none of the video CV's keywords (checked below).
FILMED_APPLICATION = (
    "Trente secondes pour se préparer, une minute pour convaincre. Depuis septembre, les candidats aux "
    "postes de vendeur de l'enseigne répondent à trois questions face à leur webcam, sans personne en "
    "face. Les recruteurs regardent les enregistrements le soir et écartent certains profils en quelques "
    "secondes. Beaucoup de jeunes disent se sentir mal à l'aise à parler seuls devant l'objectif, et "
    "craignent que leur apparence ou leur accent jouent contre eux. L'enseigne assure qu'un tournage au "
    "smartphone suffit et qu'aucun montage n'est attendu."
)


def test_a_french_article_without_any_keyword_of_its_theme_finds_it() -> None:
    video_cv = next(theme for theme in THEMES if theme.id == "video-cv")
    assert SCORER._keyword_hits([], tokens(FILMED_APPLICATION), "fr").get(video_cv.id, 0) == 0

    found = scores("« Présentez-vous en une minute »", FILMED_APPLICATION, "fr")

    assert best(found) == "video-cv" and found["video-cv"] >= ON_TOPIC_THRESHOLD


def test_ai_in_recruiting_is_a_theme() -> None:
    found = scores(
        "Screening software now reads your application first",
        "The tool scores every application and only the top-ranked ones reach a person. Candidates now "
        "write cover letters with ChatGPT, and regulators call such systems high-risk.",
        "en",
    )
    assert best(found) == "ai-recruiting"


def test_a_word_every_stored_article_has_says_less() -> None:
    text = tokens("Les profils LinkedIn des cadres, les profils LinkedIn des jeunes, LinkedIn partout.")
    stored = TermStats.from_texts(
        [("fr", "LinkedIn et ses profils, encore LinkedIn.")] * 40 + [("fr", "Autre chose.")]
    )
    plain = SCORER.score([], text, "fr")["pro-networks"]
    weighed = SCORER.score([], text, "fr", stored.rarity)["pro-networks"]
    assert weighed < plain


def test_a_parse_is_deterministic() -> None:
    first = parse_feed(data("recrutement.xml"), "https://c.example/rss", None, "fr", NOW, THEMES)
    second = parse_feed(data("recrutement.xml"), "https://c.example/rss", None, "fr", NOW, THEMES)

    assert first == second
    assert first.ttl_minutes == 120
    assert first.language == "fr"


def test_json_that_is_not_a_feed() -> None:
    result = parse_feed(b'{"hello": "world"}', "https://x.example/", "application/json", "fr", NOW, THEMES)

    assert result.error == "JSON that is not a JSON Feed (https://jsonfeed.org)"


def test_garbage_is_not_a_feed() -> None:
    result = parse_feed(
        b"\x00\x01binary", "https://x.example/", "application/octet-stream", "fr", NOW, THEMES
    )

    assert result.error is not None
    assert result.error.startswith("not a readable RSS, Atom or JSON feed")


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is absent: the corpus check is skipped")
def test_the_whole_corpus_parses_and_the_fast_reader_agrees_with_feedparser() -> None:
    """feedparser reads every file without crashing; wherever the lxml reader accepts a file, it
    produces exactly the entries feedparser's path produces."""
    files = sorted(path for path in [*CORPUS.rglob("*"), *DATA.glob("*")] if path.is_file())
    readable = accepted = 0
    for path in files:
        body = path.read_bytes()
        slow = parse_feed(body, "https://example.org/feed.xml", None, "en", NOW, THEMES, fast=False)
        readable += not slow.error
        for entry in slow.entries:
            assert entry.title, path
            assert entry.published_at is None or entry.published_at <= NOW + timedelta(hours=1), path
        if fastparse.read(body, None) is None:
            continue
        accepted += 1
        fast = parse_feed(body, "https://example.org/feed.xml", None, "en", NOW, THEMES, fast=True)
        assert (fast.entries, fast.language, fast.ttl_minutes) == (
            slow.entries,
            slow.language,
            slow.ttl_minutes,
        ), path
        assert slow.warning is None, path  # the fast reader never takes a feed feedparser finds broken
    assert len(files) > 2000
    assert readable > 0.85 * len(files)
    assert accepted > 700  # the fast reader is not a no-op


def test_the_fast_reader_declines_what_it_does_not_read_like_feedparser() -> None:
    cp1252 = b'<rss version="2.0"><channel><item><title>don&#146;t</title></item></channel></rss>'
    xhtml = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="xhtml">'
        b'<div xmlns="http://www.w3.org/1999/xhtml">x</div></title></entry></feed>'
    )
    two_titles = b'<rss version="2.0"><channel><item><title>a</title><title>b</title></item></channel></rss>'

    assert fastparse.read(data("recrutement.xml"), "application/rss+xml") is not None
    assert fastparse.read(data("recrutement.xml"), "text/xml; charset=iso-8859-1") is None
    assert fastparse.read(data("malformed.xml"), None) is None
    for body in (cp1252, xhtml, two_titles):
        assert fastparse.read(body, None) is None


def test_schedule_after_success_respects_hints_within_bounds() -> None:
    rng = random.Random(1)

    plain = schedule.after_success(NOW, 60, rng=rng) - NOW
    hinted = schedule.after_success(NOW, 60, feed_hint_minutes=180, rng=rng) - NOW
    cached = schedule.after_success(NOW, 60, max_age_seconds=7200, rng=rng) - NOW
    absurd = schedule.after_success(NOW, 60, feed_hint_minutes=60 * 24 * 30, rng=rng) - NOW
    shorter_hint = schedule.after_success(NOW, 60, feed_hint_minutes=10, rng=rng) - NOW

    assert timedelta(minutes=54) <= plain <= timedelta(minutes=66)
    assert timedelta(minutes=162) <= hinted <= timedelta(minutes=198)
    assert timedelta(minutes=108) <= cached <= timedelta(minutes=132)
    assert absurd <= timedelta(hours=24) * 1.1  # a hint never parks a feed for a month
    assert shorter_hint >= timedelta(minutes=54)  # a hint never makes us poll more often


def test_backoff_doubles_and_is_capped() -> None:
    rng = random.Random(2)
    waits = [schedule.after_failure(NOW, 30, failures, rng=rng) - NOW for failures in (1, 2, 3, 10)]

    assert timedelta(minutes=27) <= waits[0] <= timedelta(minutes=33)
    assert timedelta(minutes=54) <= waits[1] <= timedelta(minutes=66)
    assert timedelta(minutes=108) <= waits[2] <= timedelta(minutes=132)
    assert waits[3] <= timedelta(hours=24) * 1.1
    retry_after = schedule.after_failure(NOW, 30, 1, retry_after_seconds=86400 * 7, rng=rng) - NOW
    assert retry_after <= timedelta(hours=24) * 1.1


def test_new_feeds_spread_over_their_first_interval() -> None:
    rng = random.Random(3)
    firsts = {schedule.first_check(NOW, 60, rng) for _ in range(50)}

    assert len(firsts) == 50
    assert all(NOW <= moment <= NOW + timedelta(minutes=6) for moment in firsts)


def test_the_corpus_path_is_where_ci_puts_it() -> None:
    assert Path(REPO.parent / "shared").name == "shared"
