"""Students in charge of what the group watches, through the real discord.py client and the fake
Discord: `/suggest` a feed, vote for it, a moderator approves it and the next feed cycle reads it;
duplicates count as votes; a topic's votes change the selection; bad links are explained."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.casestudy.select import Preferences
from bot.config.settings import Settings
from bot.db.models import Article, Feed
from bot.db.models import Suggestion as SuggestionRow
from sandbox.demo import DemoServer
from sandbox.fakediscord import InteractionRecord, Message
from sandbox.fakediscord.world import User
from tests.feedserver import FeedServer
from tests.wire.conftest import RunningBot, start_bot, wait_until_serving
from tests.wire.posting import rows, seed_articles, seed_group

EPHEMERAL = 1 << 6
DEFERRED, UPDATE_MESSAGE = 5, 7
FEEDS = Path(__file__).parents[1] / "data" / "feeds"
MODERATORS_DECIDE = (
    "C'est la modération qui tranche les suggestions. Votre avis compte avec le bouton « Moi aussi »."
)


@pytest.fixture
async def bot(demo: DemoServer, settings: Settings) -> AsyncIterator[RunningBot]:
    await seed_group(settings, demo.guild.id, demo.channel.id, slot_minutes_ago=-30)  # nothing due
    running = await start_bot(demo, settings)
    await wait_until_serving(running)
    try:
        yield running
    finally:
        await running.shutdown()


async def suggest(demo: DemoServer, student: User, **options: str) -> tuple[str, Message | None]:
    """Run `/suggest` as `student`: the private answer, and the card it posted (if any)."""
    before = set(demo.world.messages)
    interaction = await demo.discord.slash(student, demo.channel, "suggest", **options)
    text = await private_text(demo, interaction)
    cards = [
        message
        for message_id, message in demo.world.messages.items()
        if message_id not in before and not message.ephemeral and message.components
    ]
    return text, (cards[0] if cards else None)


async def private_text(demo: DemoServer, interaction: InteractionRecord) -> str:
    """The text of the bot's private answer, after "thinking…" or straight away."""
    response = await interaction.response(timeout=30)
    if response["type"] == DEFERRED:
        await demo.discord.wait_for(lambda: bool(interaction.followups), what="the answer", timeout=30)
        message = interaction.followups[-1]
        assert message.ephemeral
        return message.content
    assert response["data"]["flags"] & EPHEMERAL, "answers to one user are private"
    return str(response["data"]["content"])


async def click(demo: DemoServer, user: User, card: Message, custom_id: str) -> tuple[dict[str, Any], str]:
    """Press a card's button: the card's update (if any) and the private answer."""
    pressed = await demo.discord.click(user, card, custom_id)
    response = await pressed.response()
    if response["type"] == UPDATE_MESSAGE:
        await demo.discord.wait_for(lambda: bool(pressed.followups), what="the private answer")
        return response, pressed.followups[-1].content
    return response, str(response["data"]["content"])


def fields(card: Message) -> dict[str, str]:
    (embed,) = card.embeds
    return {field["name"]: field["value"] for field in embed["fields"]}


async def test_suggest_vote_approve_and_the_feed_is_read_at_the_next_cycle(
    demo: DemoServer, settings: Settings, bot: RunningBot, pages: FeedServer
) -> None:
    alice, bilal, chloe = demo.students
    feed_url = pages.serve("/carrieres.xml", (FEEDS / "recrutement.xml").read_bytes())

    answer, card = await suggest(demo, alice, url=feed_url)

    assert (
        answer == f"💡 Merci ! Votre suggestion est publiée dans <#{demo.channel.id}> : les autres peuvent "
        "voter, et la modération décidera."
    )
    assert card is not None and card.channel_id == demo.channel.id
    (row,) = await rows(settings, SuggestionRow)
    assert (row.kind, row.title, row.status, row.user_id) == (
        "feed",
        "Carrières & Réseaux",
        "pending",
        alice.id,
    )
    assert card.embeds[0]["title"] == "📡 Flux proposé"
    assert "Carrières & Réseaux" in card.embeds[0]["description"]
    assert str(alice.id) not in str(card.embeds) and alice.username not in str(card.embeds), (
        "cards name nobody"
    )
    assert fields(card)["Voix"] == "1"
    vote, approve = f"veille:sg:vote:{row.id}", f"veille:sg:approve:{row.id}"

    update, said = await click(demo, bilal, card, vote)
    assert update["type"] == UPDATE_MESSAGE
    assert said == "👍 Votre vote est compté (2 voix)."
    assert fields(card)["Voix"] == "2"
    _, again = await click(demo, bilal, card, vote)
    assert again == "Vous avez déjà voté pour cette suggestion."

    # The same link again: no second card, a vote instead (the card shows it).
    duplicate, second_card = await suggest(demo, chloe, url=feed_url + "?utm_source=newsletter")
    assert second_card is None
    assert (
        duplicate
        == "C'était déjà proposé (« Carrières & Réseaux ») : votre vote est compté à la place (3 voix)."
    )
    await demo.discord.wait_for(lambda: fields(card)["Voix"] == "3", what="the card to show 3 votes")

    # Students cannot approve; the moderator can, with one click.
    _, refused = await click(demo, alice, card, approve)
    assert refused == MODERATORS_DECIDE
    assert (await rows(settings, SuggestionRow))[0].status == "pending"
    _, approved = await click(demo, demo.moderator, card, approve)
    assert (
        approved
        == "✅ Retenue : le flux « Carrières & Réseaux » rejoint la veille ; il sera lu au prochain passage."
    )
    assert fields(card)["État"] == "✅ retenue"
    assert [c["custom_id"] for row_ in card.components for c in row_["components"]] == [vote]

    (feed,) = [f for f in await rows(settings, Feed) if f.url.endswith("/carrieres.xml")]
    assert (feed.origin, feed.enabled, feed.name, feed.language) == (
        "suggested",
        True,
        "Carrières & Réseaux",
        "fr",
    )
    hits = pages.hits["/carrieres.xml"]
    report = await bot.core.refresh_feeds()  # the next cycle

    assert report is not None
    assert pages.hits["/carrieres.xml"] == hits + 1
    stored = [a for a in await rows(settings, Article) if a.feed_id == feed.id]
    assert len(stored) >= 2
    health = {h.url: h for h in await bot.core.feeds.health()}
    assert health[feed.url].origin == "suggested" and health[feed.url].last_status == 200


async def test_bad_links_and_topics_are_explained_and_nothing_is_stored(
    demo: DemoServer, settings: Settings, bot: RunningBot, pages: FeedServer
) -> None:
    alice = demo.students[0]
    pdf = pages.serve("/rapport.pdf", b"%PDF-1.7 not an article", content_type="application/pdf")
    missing = pages.url("/nulle-part.xml")
    cases = [
        (
            {"url": "ftp://example.org/feed"},
            "« ftp://example.org/feed » n'est pas une adresse web : donnez un lien qui commence par "
            "http:// ou https://.",
        ),
        (
            {"url": pdf},
            "Ce lien n'est ni un flux ni une page d'article lisible "
            "(the link is a PDF document, not a web page).",
        ),
        ({"url": missing}, "Ce lien n'a pas pu être lu : "),
        ({"topic": "CV"}, "Votre sujet est trop court : écrivez au moins 5 caractères."),
        ({}, "Donnez soit un lien (`lien`), soit un sujet (`sujet`) : l'un des deux."),
    ]
    for options, expected in cases:
        answer, card = await suggest(demo, alice, **options)
        assert answer.startswith(expected), (options, answer)
        assert card is None
    assert await rows(settings, SuggestionRow) == []


async def test_the_daily_limit_stops_spam_but_votes_still_count(
    demo: DemoServer, settings: Settings, bot: RunningBot
) -> None:
    alice, bilal = demo.students[:2]
    for number in range(5):
        answer, card = await suggest(demo, alice, topic=f"Un sujet de discussion numéro {number}")
        assert card is not None, answer
    answer, card = await suggest(demo, alice, topic="Un sixième sujet de trop")
    assert (
        answer == "Vous avez déjà fait 5 suggestions ces dernières 24 heures : c'est la limite. "
        "Merci, revenez demain !"
    )
    assert card is None
    # Backing someone's suggestion is not a new one: the limit does not apply.
    answer, _ = await suggest(demo, alice, topic="Un sujet de discussion numéro 0")
    assert (
        answer == "C'était déjà proposé (« Un sujet de discussion numéro 0 »), et vous avez déjà voté pour."
    )
    answer, _ = await suggest(demo, bilal, topic="un sujet de DISCUSSION numéro 1 ")
    assert answer.startswith(
        "C'était déjà proposé (« Un sujet de discussion numéro 1 ») : votre vote est compté"
    )
    assert len(await rows(settings, SuggestionRow)) == 5


async def test_a_topic_vote_raises_its_theme_in_the_selection(
    demo: DemoServer, settings: Settings, bot: RunningBot, pages: FeedServer
) -> None:
    await seed_articles(settings, pages, count=2)  # fresh articles about video CVs
    alice, bilal = demo.students[:2]

    async def interest() -> tuple[float, float]:
        proposal = await bot.core.casestudies.next(Preferences(locale="fr"), demo.guild.id, tries=0)
        best = proposal.ranked[0]
        return best.parts["interest"], best.score

    before, score_before = await interest()
    answer, card = await suggest(demo, alice, topic="Le CV vidéo remplace-t-il la lettre de motivation ?")
    assert card is not None, answer
    (row,) = await rows(settings, SuggestionRow)
    assert row.theme == "video-cv"
    after_one, _ = await interest()
    await click(demo, bilal, card, f"veille:sg:vote:{row.id}")
    after_two, score_after = await interest()

    assert (before, after_one, after_two) == (0.0, 0.05, 0.1)
    assert score_after == pytest.approx(score_before + 0.1)
    assert fields(card)["Thème"] == "Le CV vidéo"


async def test_merge_moves_the_votes_and_a_vote_on_a_removed_suggestion_is_refused(
    demo: DemoServer, settings: Settings, bot: RunningBot
) -> None:
    alice, bilal, chloe = demo.students
    _, first = await suggest(demo, alice, topic="Les réseaux sociaux et le recrutement des stagiaires")
    _, second = await suggest(demo, bilal, topic="Comment les recruteurs regardent nos profils en ligne")
    assert first is not None and second is not None
    one, two = sorted(row.id for row in await rows(settings, SuggestionRow))

    merge = await demo.discord.click(demo.moderator, second, f"veille:sg:merge:{two}")
    chooser = await merge.response()
    assert chooser["data"]["content"] == "Fusionner cette suggestion avec laquelle ?"
    (menu,) = [
        message for message in demo.world.messages.values() if "veille:sg-merge" in str(message.components)
    ]
    picked = await demo.discord.click(demo.moderator, menu, "veille:sg-merge", values=[str(one)])
    done = await picked.response()
    assert done["data"]["content"].startswith("🔀 Fusionnée avec « Les réseaux sociaux")

    await demo.discord.wait_for(
        lambda: fields(first)["Voix"] == "2", what="the votes moved to the first card"
    )
    assert fields(second)["État"] == "🔀 fusionnée avec une autre suggestion"
    # A vote on the merged card goes to the one it joined.
    _, said = await click(demo, chloe, first, f"veille:sg:vote:{one}")
    assert said == "👍 Votre vote est compté (3 voix)."

    # Its author is forgotten (here without the cards being taken down, as when the bot lacks the
    # right): a vote on the removed suggestion is refused; the merged card takes no vote at all.
    await bot.core.privacy.forget(alice.id)
    _, said = await click(demo, chloe, first, f"veille:sg:vote:{one}")
    assert said == "Cette suggestion a été retirée : elle ne reçoit plus de votes."
    assert any(c.get("disabled") for row in second.components for c in row["components"])
