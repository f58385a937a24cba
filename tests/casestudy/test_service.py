"""The case-study maker end to end: stored articles (real database), pages on a local HTTP server,
extraction and building in the real worker pool."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.casestudy.bank import load_bank
from bot.casestudy.model import QUESTION_MAX, SUMMARY_MAX, CaseStudy, TextSource
from bot.casestudy.select import Preferences
from bot.casestudy.service import CaseStudyMaker
from bot.config.feeds_file import load_feeds_file
from bot.db.models import Guild
from bot.feeds.themes import ON_TOPIC_THRESHOLD
from bot.services import theme_keywords, theme_labels
from bot.store.casestudies import CaseStudyStore
from bot.store.posting import PostingStore
from bot.workers import WorkerPool
from tests.conftest import REPO, SHIPPED_FEEDS
from tests.feed_fixtures import Harness
from tests.feedserver import FeedServer

CONFIG = load_feeds_file(SHIPPED_FEEDS)
BANK = load_bank(REPO / "casestudies.toml", [theme.id for theme in CONFIG.themes])
PARAGRAPHS = [
    "Les recruteurs regardent désormais les CV vidéo avant même de lire une lettre de motivation.",
    "Selon une enquête publiée lundi, 45 % des recruteurs ont déjà reçu une candidature vidéo. "
    "Ils sont deux fois plus nombreux qu'il y a trois ans à la demander pour un premier entretien.",
    "Pour les jeunes diplômés, le CV vidéo est une occasion de montrer leur personnalité. "
    "Les écoles organisent des ateliers pour apprendre à tourner une vidéo de présentation.",
    "Mais le format inquiète aussi : certains candidats craignent d'être jugés sur leur apparence. "
    "Les spécialistes du recrutement conseillent de rester sobre et de parler de ses compétences.",
    "Le CV vidéo ne remplace pas le CV classique, rappellent les cabinets de recrutement interrogés.",
]


def article_page(title: str, paragraphs: list[str], lang: str = "fr") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='{lang}'><head><title>{title}</title></head><body>"
        "<nav><a href='/'>Accueil</a><a href='/emploi'>Emploi</a></nav>"
        "<div class='cookie-banner'>Nous utilisons des cookies pour mesurer l'audience. Accepter</div>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>© 2026 Le Blog de l'emploi. Tous droits réservés.</footer></body></html>"
    )


def feed(server: FeedServer, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{server.url(path)}</link><guid>{path}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 06:00:00 GMT</pubDate><description>{summary}</description></item>"
        for title, path, summary in items
    )
    return f"<rss version='2.0'><channel><title>Blog</title><language>fr</language>{entries}</channel></rss>"


@pytest.fixture
def maker(harness: Harness, pool: WorkerPool) -> CaseStudyMaker:
    return CaseStudyMaker(
        CaseStudyStore(harness.sessions),
        harness.fetcher,
        pool.run,
        theme_keywords(CONFIG),
        theme_labels(CONFIG),
        BANK,
        clock=lambda: harness.clock.now + timedelta(hours=4),
    )


async def load(harness: Harness, server: FeedServer, items: list[tuple[str, str, str]]) -> None:
    url = server.serve("/feed.xml", feed(server, items))
    await harness.add_feed(url, "Le Blog de l'emploi")
    report, _ = await harness.engine.check(await harness.to_check(url))
    assert report.error is None


async def test_the_best_article_becomes_a_complete_case_study(
    harness: Harness, feed_server: FeedServer, maker: CaseStudyMaker
) -> None:
    feed_server.serve(
        "/cv-video", article_page("Le CV vidéo séduit les recruteurs", PARAGRAPHS), content_type="text/html"
    )
    await load(
        harness,
        feed_server,
        [("Le CV vidéo séduit les recruteurs", "/cv-video", "Le CV vidéo progresse chez les recruteurs.")],
    )

    proposal = await maker.next(Preferences(locale="fr"))

    case = proposal.case_study
    assert isinstance(case, CaseStudy)
    assert case.text_source is TextSource.PAGE and case.fallback_reason is None
    assert case.theme == "video-cv"
    assert case.language == "fr" and case.locale == "fr"
    assert 3 <= len(case.summary) <= 4
    assert [s for s in case.summary if s not in " ".join(PARAGRAPHS)] == []
    assert len(case.summary_text) <= SUMMARY_MAX
    assert "CV vidéo" in case.key_terms and 1 <= len(case.key_terms) <= 5
    assert not {"recruteurs", "candidats", "vidéo", "CV"} & set(case.key_terms)
    assert len(case.questions) == 3 and all(len(q) <= QUESTION_MAX for q in case.questions)
    assert case.situation.startswith("Vous êtes")
    assert case.source_name == "Le Blog de l'emploi"
    assert case.reading_minutes == 1
    assert case.url == feed_server.url("/cv-video")
    assert case == (await maker.next(Preferences(locale="fr"))).case_study  # deterministic


async def test_an_unreadable_page_falls_back_to_the_feed_summary(
    harness: Harness, feed_server: FeedServer, maker: CaseStudyMaker
) -> None:
    feed_server.serve("/gone", "", status=404)
    summary = " ".join(PARAGRAPHS[1:3])
    await load(harness, feed_server, [("Le CV vidéo séduit les recruteurs", "/gone", summary)])

    case = (await maker.next(Preferences(locale="en"))).case_study

    assert case is not None
    assert case.text_source is TextSource.FEED
    assert case.fallback_reason == "not found (HTTP 404): moved or removed by the publisher"
    assert case.reading_minutes is None
    assert case.locale == "en" and case.language == "fr"
    assert all(q.endswith("?") and not q.endswith(" ?") for q in case.questions)  # English questions


async def test_an_article_in_another_language_is_passed_over_for_the_next(
    harness: Harness, feed_server: FeedServer, maker: CaseStudyMaker
) -> None:
    spanish = [
        "Los reclutadores usan LinkedIn para buscar candidatos y para publicar ofertas de empleo en la red.",
        "El CV en vídeo es una tendencia que los jóvenes usan cada vez más para presentar su candidatura.",
    ] * 8
    feed_server.serve("/es", article_page("El CV vídeo", spanish, lang="es"), content_type="text/html")
    feed_server.serve("/fr", article_page("Le CV vidéo", PARAGRAPHS), content_type="text/html")
    await load(
        harness,
        feed_server,
        [
            ("Le CV vidéo et les recruteurs : CV vidéo, pitch vidéo, candidature vidéo", "/es", "CV vidéo."),
            ("Le CV vidéo gagne du terrain", "/fr", "Le CV vidéo progresse."),
        ],
    )

    proposal = await maker.next(Preferences(locale="fr"))

    assert [a.article.url for a in proposal.attempts] == [feed_server.url("/es"), feed_server.url("/fr")]
    assert proposal.reasons == ["the article is in Spanish; case studies are in French or English"]
    assert proposal.case_study is not None and proposal.case_study.url == feed_server.url("/fr")


async def test_nothing_half_made_when_no_candidate_builds(
    harness: Harness, feed_server: FeedServer, maker: CaseStudyMaker
) -> None:
    feed_server.serve("/pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    await load(harness, feed_server, [("Le CV vidéo en PDF", "/pdf", "Un CV vidéo.")])

    proposal = await maker.next(Preferences(locale="fr"))

    assert proposal.case_study is None
    assert proposal.reasons == [
        "not enough whole sentences for a summary (the link is a PDF document, not a web page)"
    ]


async def test_a_page_given_by_url(feed_server: FeedServer, maker: CaseStudyMaker) -> None:
    url = feed_server.serve("/page", article_page("Le CV vidéo", PARAGRAPHS), content_type="text/html")
    login = feed_server.serve(
        "/login",
        "<html><body><form><input type='password'></form>Connectez-vous</body></html>",
        content_type="text/html",
    )
    walled = feed_server.redirect("/article-abonnes", login, status=302)

    made = await maker.from_url(url, Preferences(locale="fr"))
    refused = await maker.from_url(walled, Preferences(locale="fr"))

    assert made.case_study is not None and made.case_study.source_name == "127.0.0.1"
    assert made.case_study.title == "Le CV vidéo"
    assert refused.case_study is None
    assert refused.reasons == ["the link leads to a login page, and the feed gives no summary"]
    for bad in ("http://[abc", "ftp://files.example/a.pdf"):
        assert (await maker.from_url(bad, Preferences())).reasons == [
            f"{bad!r} is not a web address (http:// or https://)"
        ]


FOOTBALL = [
    "Le club a présenté mardi les plans de son nouveau stade, qui comptera quarante mille places.",
    "Les travaux doivent commencer au printemps et durer trois saisons, selon le président du club.",
    "Les supporters réclament des tribunes debout et des billets moins chers pour les familles.",
    "La ville participera au financement des accès, des parkings et de la nouvelle ligne de tramway.",
    "Le maire promet une consultation des riverains avant le dépôt du permis de construire.",
] * 2


async def test_the_page_decides_whether_an_article_is_on_topic(
    harness: Harness, feed_server: FeedServer, maker: CaseStudyMaker
) -> None:
    """A feed summary can promise a topic the page does not hold, and undersell one it does."""
    stadium = "Le nouveau stade du club"
    feed_server.serve("/stade", article_page(stadium, FOOTBALL), content_type="text/html")
    shops = "Ce que les enseignes changent"
    feed_server.serve("/filme", article_page(shops, PARAGRAPHS), content_type="text/html")
    promise = "Le club mise sur un CV vidéo de son projet : candidature vidéo et pitch vidéo pour la ville."
    undersold = "Trois enseignes changent leur façon de faire cette année."
    await load(harness, feed_server, [(stadium, "/stade", promise), (shops, "/filme", undersold)])
    scores = {article.title: article.theme_scores for article in await harness.stored()}
    assert max(scores[stadium].values()) >= ON_TOPIC_THRESHOLD > max(scores[shops].values())

    proposal = await maker.next(Preferences(locale="fr"))

    assert proposal.reasons == ["the article's text is about none of the themes"]
    assert proposal.case_study is not None and proposal.case_study.url == feed_server.url("/filme")
    assert proposal.case_study.theme == "video-cv"


async def test_a_group_is_not_given_the_same_role_play_again_soon(
    harness: Harness, feed_server: FeedServer, maker: CaseStudyMaker
) -> None:
    async with harness.sessions.begin() as session:
        session.add(Guild(id=7))
    variants = [[f"{p} (Édition {n}.)" if i == 0 else p for i, p in enumerate(PARAGRAPHS)] for n in range(8)]
    items = []
    for n, paragraphs in enumerate(variants):
        feed_server.serve(
            f"/cv-{n}", article_page(f"Le CV vidéo, épisode {n}", paragraphs), content_type="text/html"
        )
        items.append((f"Le CV vidéo, épisode {n}", f"/cv-{n}", "Le CV vidéo progresse chez les recruteurs."))
    await load(harness, feed_server, items)
    posting = PostingStore(harness.sessions)

    situations = []
    for _ in range(6):
        case = (await maker.next(Preferences(locale="fr"), guild_id=7)).case_study
        assert case is not None and case.templates
        situations.append(case.situation)
        await posting.queue_case_study(7, case, now=harness.clock.now)

    assert len(set(situations)) == 6  # the group is given role-plays it has not had first
    given = await CaseStudyStore(harness.sessions).templates_used(7)
    assert case is not None
    assert given[: len(case.templates)] == case.templates  # the latest first
