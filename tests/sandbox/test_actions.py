"""The sandbox's page over HTTP, as its script uses it: the page each demo user sees, and the
actions (commands, buttons, modals, reactions, messages, fast-forward, attachments, live events)
answered by the real bot on the fake Discord.

One sandbox serves the whole module (a start takes seconds). A test that changes something acts
as its own student, or checks against what was there before; only the digest's test must come
before the fast-forward (file order), which could move the bot's clock into the next week.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio
import yarl
from discord.gateway import DiscordWebSocket

from sandbox.app import Sandbox
from sandbox.fakediscord import Channel, Message, User
from sandbox.fakediscord.components import walk
from tests.sandbox.conftest import running_sandbox
from tests.wire.posting import custom_ids, posts_in

pytestmark = pytest.mark.asyncio(loop_scope="module")

WAIT_SECONDS = 20
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", autouse=True)
def restore_discord_endpoints() -> Iterator[None]:
    """As tests/wire's fixture, once for the module: the shared bot uses the fake's endpoints
    until the sandbox stops."""
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, yarl.URL(str(gateway))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox(
    restore_discord_endpoints: None, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Sandbox]:
    folder: Path = tmp_path_factory.mktemp("sandbox")
    async with running_sandbox(folder) as box:
        yield box


# ── reading the page as a browser would ─────────────────────────────────────────────────────────


@dataclass
class Option:
    value: str
    selected: bool
    text: str = ""


@dataclass
class Control:
    tag: str
    attrs: dict[str, str | None]


class Parsed(HTMLParser):
    """A page's (or a modal's) form controls and the words it shows."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.selects: dict[str, list[Option]] = {}
        self.controls: list[Control] = []
        self.images: list[str] = []
        self.words: list[str] = []
        self.language: str | None = None
        self._select: str | None = None
        self._hidden = 0  # depth inside <script> or <style>
        self.feed(source)
        self.close()

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.words).split())

    def options(self, select: str) -> list[str]:
        return [option.text for option in self.selects[select]]

    def selected(self, select: str) -> list[Option]:
        return [option for option in self.selects[select] if option.selected]

    def named(self, tag: str, name: str) -> list[Control]:
        return [c for c in self.controls if c.tag == tag and c.attrs.get("name") == name]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.language = found.get("lang")
        elif tag in ("script", "style"):
            self._hidden += 1
        elif tag == "select":
            self._select = found.get("name") or found.get("id") or ""
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self.selects[self._select].append(Option(found.get("value") or "", "selected" in found))
        elif tag == "img":
            self.images.append(found.get("src") or "")
        if tag in ("input", "textarea", "button", "form", "select"):
            self.controls.append(Control(tag, found))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.words.append(data)
        if self._select is not None and self.selects[self._select]:
            option = self.selects[self._select][-1]
            option.text = " ".join(f"{option.text} {data}".split())


# ── the page's client ───────────────────────────────────────────────────────────────────────────


class PageClient:
    """What the page's script sends: a GET of the page, and POSTs of form fields to /act/…"""

    def __init__(self, sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
        self.sandbox = sandbox
        self.demo = sandbox.demo
        self.http = http

    def url(self, path: str) -> str:
        return self.sandbox.address + path.lstrip("/")

    async def page(
        self, user: User, channel: Channel | None = None, lang: str = "fr", *, path: str = "/"
    ) -> Parsed:
        """The page (or, with `path="/live"`, the parts its live updates redraw) as `user` sees it."""
        params = {"as": str(user.id), "channel": str((channel or self.demo.channel).id), "lang": lang}
        async with self.http.get(self.url(path), params=params) as response:
            assert response.status == 200, await response.text()
            assert response.content_type == "text/html"
            return Parsed(await response.text())

    async def act(
        self, action: str, user: User, channel: Channel | None = None, lang: str = "fr", **fields: str
    ) -> dict[str, Any]:
        data = {"as": str(user.id), "channel": str((channel or self.demo.channel).id), "lang": lang, **fields}
        async with self.http.post(self.url(f"/act/{action}"), data=data) as response:
            assert response.status == 200, f"{action}: {response.status} {await response.text()}"
            answer: dict[str, Any] = await response.json()
            return answer

    async def first_case_study(self) -> Message:
        """The case study `open_the_group` posted, once its buttons are on it."""
        await self.demo.discord.wait_for(
            lambda: posts_in(self.demo.world, self.demo.channel), timeout=WAIT_SECONDS, what="the case study"
        )
        return posts_in(self.demo.world, self.demo.channel)[0]

    def take_button(self, post: Message) -> str:
        return next(custom_id for custom_id in custom_ids(post) if custom_id.startswith("veille:take:"))

    def case_study_id(self, post: Message) -> int:
        return int(self.take_button(post).rsplit(":", 1)[1])

    async def thread_of(self, post: Message) -> Channel:
        thread: Channel = await self.demo.discord.wait_for(
            lambda: self.demo.world.thread_of(post.id), timeout=WAIT_SECONDS, what="the case study's thread"
        )
        return thread

    async def tally_in(self, thread: Channel) -> Message:
        def tally() -> Message | None:
            return next(
                (m for m in self.demo.world.channel_messages(thread.id) if m.content.startswith("📊")), None
            )

        found: Message = await self.demo.discord.wait_for(
            tally, timeout=WAIT_SECONDS, what="the running count"
        )
        return found

    async def open_take_form(self, user: User, lang: str = "fr") -> tuple[str, Parsed]:
        """Click "Give my take" on the first case study: the modal's token and its form."""
        post = await self.first_case_study()
        answer = await self.act(
            "click", user, lang=lang, message=str(post.id), custom_id=self.take_button(post)
        )
        assert set(answer) == {"modal"}, answer
        form = Parsed(answer["modal"])
        tokens = [c.attrs.get("data-token") for c in form.controls if c.tag == "form"]
        assert len(tokens) == 1 and tokens[0], form.source
        return tokens[0], form

    async def give_take(self, user: User, stance: str, text: str) -> dict[str, Any]:
        token, _ = await self.open_take_form(user)
        return await self.act("modal", user, token=token, stance=stance, text=text)


@pytest_asyncio.fixture(loop_scope="module")
async def client(sandbox: Sandbox) -> AsyncIterator[PageClient]:
    async with aiohttp.ClientSession() as http:
        yield PageClient(sandbox, http)


# ── the page ────────────────────────────────────────────────────────────────────────────────────


async def test_each_demo_user_sees_the_case_study_as_themselves(client: PageClient) -> None:
    demo = client.demo
    title = (await client.first_case_study()).embeds[0]["title"]
    for person in demo.people:
        page = await client.page(person)

        assert page.language == "fr"
        assert "Bac à sable local : le vrai bot sur une copie de Discord" in page.text
        chosen = page.selected("as")
        assert [option.value for option in chosen] == [str(person.id)]
        role = "modération" if person is demo.moderator else "étudiant·e"
        assert chosen[0].text == f"{person.global_name or person.username} ({role})"
        assert title in page.text
        assert "Donner mon avis" in page.text
        # The answer to /veille setup was for Mme Martin's eyes only.
        assert ("Veille — réglages du groupe" in page.text) == (person is demo.moderator)


async def test_the_page_in_english(client: PageClient) -> None:
    demo = client.demo
    alice = demo.students[0]

    student = await client.page(alice, lang="en")
    moderator = await client.page(demo.moderator, lang="en")

    for page in (student, moderator):
        assert page.language == "en"
        assert "Local sandbox: the real bot on a stand-in for Discord" in page.text
        assert "Bac à sable" not in page.text
        assert [option.value for option in page.selected("lang")] == ["en"]
    assert {"/take", "/privacy", "/my-data", "/forget-me"} <= set(student.options("command"))
    assert {"/digest now", "/casestudy", "/take"} <= set(moderator.options("command"))
    assert not {"/avis", "/briefing maintenant"} & set(moderator.options("command"))
    assert "alice (student)" in [option.text for option in student.selected("as")]


async def test_a_student_is_not_offered_the_moderators_commands(client: PageClient) -> None:
    demo = client.demo
    alice = demo.students[0]

    student = set((await client.page(alice)).options("command"))
    moderator = set((await client.page(demo.moderator)).options("command"))

    assert {"/avis", "/confidentialité"} <= student
    assert {
        "/étude-de-cas",
        "/briefing maintenant",
        "/briefing semaine",
        "/modération supprimer",
    } <= moderator
    assert not {"/étude-de-cas", "/briefing maintenant", "/modération supprimer"} & student
    assert not {"/casestudy", "/digest now"} & set((await client.page(alice, lang="en")).options("command"))

    refused = await client.act("command", alice, command="digest now")
    assert "/digest" in refused.get("error", ""), refused
    assert refused["error"].startswith("Discord refuserait")
    assert "/casestudy" in (await client.act("command", alice, lang="en", command="casestudy")).get(
        "error", ""
    )


# ── a take through the modal ────────────────────────────────────────────────────────────────────


async def test_give_my_take_opens_the_bots_form(client: PageClient) -> None:
    _, form = await client.open_take_form(client.demo.students[1], lang="en")

    assert "Your take" in form.text
    stances = form.named("input", "stance")
    assert [control.attrs.get("value") for control in stances] == ["agree", "nuanced", "disagree"]
    assert all(control.attrs.get("type") == "radio" for control in stances)
    labels = [word.strip() for word in form.words if word.strip() in {"Agree", "Nuanced", "Disagree"}]
    assert labels == ["Agree", "Nuanced", "Disagree"]
    (text,) = form.named("textarea", "text")
    assert "required" in text.attrs and text.attrs.get("maxlength") == "1000"


async def test_an_empty_take_is_refused_and_a_written_one_is_stored(client: PageClient) -> None:
    demo, core = client.demo, client.sandbox.core
    alice, bilal = demo.students[0], demo.students[1]
    post = await client.first_case_study()
    case_id = client.case_study_id(post)
    thread = await client.thread_of(post)
    before = (await core.takes.tally(case_id)).counts
    token, _ = await client.open_take_form(alice)

    empty = await client.act("modal", alice, token=token, stance="agree", text="")
    assert empty.get("error", "").startswith("Discord refuserait"), empty
    assert await core.takes.current(case_id, alice.id) is None
    # Only who opened the form may send it.
    assert "error" in await client.act(
        "modal", bilal, token=token, stance="agree", text="Pas mon formulaire."
    )
    assert await core.takes.current(case_id, bilal.id) is None

    take = "D'accord : le réseau des anciens ouvre des portes."
    assert await client.act("modal", alice, token=token, stance="agree", text=take) == {}

    stored = await core.takes.current(case_id, alice.id)
    assert stored is not None and (stored.stance, stored.text) == ("agree", take)
    tally = await client.tally_in(thread)
    # Nobody else has given a take yet when the module runs in order: "📊 1 avis : 1 d'accord, …".
    agree, nuanced, against = (before.get(stance, 0) for stance in ("agree", "nuanced", "disagree"))
    total = agree + nuanced + against + 1
    count = f"📊 {total} avis : {agree + 1} d'accord, {nuanced} nuancé, {against} pas d'accord"
    await demo.discord.wait_for(
        lambda: tally.content == count, timeout=WAIT_SECONDS, what="the running count to show Alice's take"
    )
    # Alice sees the bot's answer in the thread; Bilal does not.
    receipt = "Merci ! Votre avis est enregistré (D'accord)."
    assert receipt in (await client.page(alice, thread)).text
    assert receipt not in (await client.page(bilal, thread)).text


# ── reactions and messages ───────────────────────────────────────────────────────────────────


async def test_a_reaction_is_added_then_taken_back(client: PageClient) -> None:
    chloe = client.demo.students[2]
    post = await client.first_case_study()

    assert await client.act("react", chloe, message=str(post.id), emoji="🔥", on="1") == {}
    assert [user.id for user in post.reactions.get("🔥", [])] == [chloe.id]
    assert "🔥 1" in (await client.page(chloe)).text

    assert await client.act("react", chloe, message=str(post.id), emoji="🔥", on="0") == {}
    assert post.reactions.get("🔥", []) == []
    assert "🔥 1" not in (await client.page(chloe)).text


async def test_a_message_said_in_the_thread_is_shown_as_typed(client: PageClient) -> None:
    demo = client.demo
    chloe, bilal = demo.students[2], demo.students[1]
    thread = await client.thread_of(await client.first_case_study())
    said = "Je suis **plutôt** d'accord <b>vraiment</b>"

    assert await client.act("say", chloe, thread, content=said) == {}

    mine = [m for m in demo.world.channel_messages(thread.id) if m.author.id == chloe.id]
    assert [m.content for m in mine] == [said]
    for page in (await client.page(bilal, thread), await client.page(bilal, thread, path="/live")):
        assert "Je suis plutôt d'accord <b>vraiment</b>" in page.text
        assert "<strong>plutôt</strong>" in page.source and "<b>vraiment</b>" not in page.source
    assert "error" in await client.act("say", chloe, thread, content="   ")


# ── the digest's chart, fast-forward ────────────────────────────────────────────────────────────


async def test_the_digests_chart_is_served_at_its_attachment_address(client: PageClient) -> None:
    """Before the fast-forward: moved to a Monday, the bot's clock would put the digest on the
    week before, without this week's take."""
    demo = client.demo
    # A take this week, so that the digest has a theme to chart.
    assert await client.give_take(demo.students[2], "nuanced", "Cela dépend du secteur et du poste.") == {}

    assert await client.act("command", demo.moderator, command="digest now") == {}

    def chart() -> tuple[Message, str] | None:
        for message in demo.world.channel_messages(demo.channel.id):
            names = [name for name in message.files if name.endswith(".png")]
            if names:
                return message, names[0]
        return None

    found: tuple[Message, str] = await demo.discord.wait_for(
        chart, timeout=WAIT_SECONDS, what="the digest's chart"
    )
    message, name = found
    address = f"/attachments/{message.id}/{name}"
    async with client.http.get(client.url(address)) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        picture = await response.read()
    assert picture.startswith(PNG_MAGIC) and picture == message.files[name]
    assert address in (await client.page(demo.moderator)).images

    for missing in (f"/attachments/{message.id}/nothing.png", f"/attachments/1/{name}"):
        async with client.http.get(client.url(missing)) as response:
            assert response.status == 404, missing


async def test_fast_forward_posts_the_next_case_study_and_moves_the_bots_clock(client: PageClient) -> None:
    demo, core = client.demo, client.sandbox.core
    first = await client.first_case_study()
    known = {post.id for post in posts_in(demo.world, demo.channel)}
    clock = core.clock()
    slot = core.posting.next_post(await core.posting.config(demo.guild.id))
    assert slot is not None and slot > clock

    assert await client.act("fast-forward", demo.moderator, what="casestudy") == {}

    def new_posts() -> list[Message]:
        return [post for post in posts_in(demo.world, demo.channel) if post.id not in known]

    await demo.discord.wait_for(new_posts, timeout=WAIT_SECONDS, what="the next case study")
    (newest,) = new_posts()
    assert newest.channel_id == demo.channel.id and newest.embeds and newest.embeds[0]["title"]
    assert newest.embeds[0]["title"] != first.embeds[0]["title"]
    assert core.clock() >= slot


async def test_typing_an_option_with_autocomplete_offers_the_bots_choices(client: PageClient) -> None:
    demo = client.demo

    typed = {"command": "casestudy", "focused": "theme", "opt:theme": "rése"}
    answer = await client.act("autocomplete", demo.moderator, demo.channel, "fr", **typed)

    names = [choice["name"] for choice in answer["choices"]]
    assert "Construire son réseau après le diplôme" in names
    assert all("rése" in name.lower() for name in names)


async def test_another_site_cannot_act_through_the_page(client: PageClient) -> None:
    demo = client.demo
    where = {"as": str(demo.moderator.id), "channel": str(demo.channel.id)}

    async def say(content: str, origin: str) -> int:
        data = {**where, "content": content}
        async with client.http.post(client.url("/act/say"), data=data, headers={"Origin": origin}) as answer:
            return answer.status

    assert await say("from another site", "http://evil.example") == 403
    assert await say("from the page", client.sandbox.address.rstrip("/")) == 200

    said = [m.content for m in demo.world.messages.values() if m.author.id == demo.moderator.id]
    assert "from the page" in said
    assert "from another site" not in said


async def test_an_attachment_address_that_is_not_a_message_id_is_not_found(client: PageClient) -> None:
    async with client.http.get(client.url("/attachments/not-a-message/chart.png")) as response:
        assert response.status == 404


async def test_events_stream_the_fake_discords_changes(client: PageClient) -> None:
    demo = client.demo

    async def next_event(response: aiohttp.ClientResponse) -> int:
        async with asyncio.timeout(WAIT_SECONDS):
            while True:
                line = (await response.content.readline()).decode()
                if line.startswith("data: "):
                    return int(line.removeprefix("data: "))

    async with client.http.get(client.url("/events")) as response:
        assert response.status == 200
        assert response.content_type == "text/event-stream"
        first = await next_event(response)
        assert 0 < first <= demo.discord.version

        assert await client.act("say", demo.students[1], content="Bonjour à toutes et à tous") == {}

        after = await next_event(response)
        assert after > first


async def test_a_moderator_posts_a_case_study_from_the_private_preview_of_casestudy(
    client: PageClient,
) -> None:
    demo = client.demo
    before = len(posts_in(demo.world, demo.channel))

    assert await client.act("command", demo.moderator, command="casestudy") == {}
    preview = await demo.discord.wait_for(
        lambda: next(
            (
                m
                for m in demo.world.messages.values()
                if m.ephemeral and m.components and "Aperçu" in m.content
            ),
            None,
        ),
        timeout=WAIT_SECONDS,
        what="the moderator's private preview",
    )
    page = await client.page(demo.moderator)
    assert "Aperçu (vous seul·e le voyez)" in page.text
    assert "Aperçu" not in (await client.page(demo.students[1])).text
    post = next(c["custom_id"] for c in walk(preview.components) if c.get("label") == "Publier")

    assert await client.act("click", demo.moderator, message=str(preview.id), custom_id=post) == {}
    await demo.discord.wait_for(
        lambda: len(posts_in(demo.world, demo.channel)) == before + 1,
        timeout=WAIT_SECONDS,
        what="the case study posted from the preview",
    )


async def test_digest_preview_is_shown_to_the_moderator_only(client: PageClient) -> None:
    demo = client.demo

    assert await client.act("command", demo.moderator, command="digest preview") == {}
    preview = await demo.discord.wait_for(
        lambda: next(
            (
                m
                for m in demo.world.messages.values()
                if m.ephemeral and m.embeds and "Briefing" in str(m.embeds[0].get("title"))
            ),
            None,
        ),
        timeout=WAIT_SECONDS,
        what="the digest's private preview",
    )

    shown = f'id="m{preview.id}"'
    assert shown in (await client.page(demo.moderator)).source
    assert shown not in (await client.page(demo.students[2])).source
