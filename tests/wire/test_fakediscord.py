"""The fake Discord itself, over real HTTP and websockets: the routes, events and user actions the bot's
wire tests rely on must answer as Discord does, or those tests prove nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import aiohttp
import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket

from sandbox.demo import DemoServer
from sandbox.fakediscord import CommandNotAvailable, InteractionRecord, Message, Role
from sandbox.fakediscord.gateway import (
    GUILD_MEMBERS,
    GUILD_MESSAGE_REACTIONS,
    GUILD_MESSAGES,
    GUILDS,
    MESSAGE_CONTENT,
)
from sandbox.fakediscord.world import (
    ADD_REACTIONS,
    CREATE_PUBLIC_THREADS,
    FORUM_CHANNEL,
    MANAGE_CHANNELS,
    MANAGE_ROLES,
    MANAGE_THREADS,
    SEND_MESSAGES,
    Channel,
)

DEFAULT_INTENTS = GUILDS | GUILD_MESSAGES | GUILD_MESSAGE_REACTIONS
EPHEMERAL = 1 << 6


class Rest:
    """The bot's side of the REST API: plain HTTP with the bot's token."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    async def call(self, method: str, path: str, body: Any = None, **query: Any) -> tuple[int, Any]:
        params = {key: str(value) for key, value in query.items()}
        async with self.http.request(method, self.base + path, json=body, params=params) as response:
            text = await response.text()
            if text:
                assert response.headers["Content-Type"] == "application/json"
            return response.status, json.loads(text) if text else None

    async def ok(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        status, data = await self.call(method, path, body, **query)
        assert status in (200, 201, 204), (status, data)
        return data

    async def post(self, channel: Channel, content: str, **fields: Any) -> dict[str, Any]:
        return cast(
            dict[str, Any],
            await self.ok("POST", f"/channels/{channel.id}/messages", {"content": content, **fields}),
        )


class Listener:
    """A bare gateway connection: what a bot with `intents` receives."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def until(self, event: str, timeout: float = 5.0) -> tuple[dict[str, Any], list[str]]:
        """The next `event`, and the names of the events received before it."""
        before: list[str] = []
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.ws.receive_json()
                if frame["t"] == event:
                    return frame["d"], before
                before.append(frame["t"])


@pytest.fixture
async def rest(demo: DemoServer) -> AsyncIterator[Rest]:
    headers = {"Authorization": f"Bot {demo.world.application.token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        yield Rest(http, demo.discord.api_base)


@pytest.fixture
async def listen(demo: DemoServer) -> AsyncIterator[Callable[[int], Awaitable[Listener]]]:
    async with aiohttp.ClientSession() as http:

        async def connect(intents: int) -> Listener:
            ws = await http.ws_connect(demo.discord.gateway_url)
            await ws.receive_json()  # HELLO
            identify = {"token": demo.world.application.token, "intents": intents, "properties": {}}
            await ws.send_json({"op": 2, "d": identify})
            listener = Listener(ws)
            await listener.until("READY")
            return listener

        yield connect


def grant(demo: DemoServer, permissions: int, name: str = "bot extra") -> Role:
    """Give the bot a role with `permissions` (it becomes the bot's highest role)."""
    role = demo.world.add_role(demo.guild, name, permissions)
    demo.guild.members[demo.world.bot.id].roles.append(role.id)
    return role


def stored(demo: DemoServer, payload: dict[str, Any]) -> Message:
    return demo.world.messages[int(payload["id"])]


# ── threads ────────────────────────────────────────────────────────────────────────────────────


async def test_a_thread_from_a_message_takes_its_id_and_only_once(
    demo: DemoServer, rest: Rest, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    listener = await listen(DEFAULT_INTENTS)
    posted = await rest.post(demo.channel, "Nouvelle offre de stage")
    path = f"/channels/{demo.channel.id}/messages/{posted['id']}/threads"

    status, thread = await rest.call("POST", path, {"name": "Discussion", "auto_archive_duration": 60})

    assert status == 201
    assert thread["id"] == posted["id"]
    assert thread["type"] == 11
    assert thread["parent_id"] == str(demo.channel.id)
    assert thread["owner_id"] == str(demo.world.bot.id)
    assert thread["thread_metadata"]["auto_archive_duration"] == 60
    assert thread["thread_metadata"]["archived"] is False
    created, _ = await listener.until("THREAD_CREATE")
    assert created["id"] == posted["id"] and created["newly_created"] is True
    message = await rest.ok("GET", f"/channels/{demo.channel.id}/messages/{posted['id']}")
    assert message["thread"]["id"] == posted["id"]
    assert demo.world.thread_of(int(posted["id"])) is demo.guild.channels[int(posted["id"])]

    status, again = await rest.call("POST", path, {"name": "Encore", "auto_archive_duration": 60})

    assert (status, again["code"]) == (400, 160004)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "auto_archive_duration": 60}, "name"),
        ({"name": "x" * 101, "auto_archive_duration": 60}, "name"),
        ({"name": "ok", "auto_archive_duration": 30}, "auto_archive_duration"),
    ],
)
async def test_a_thread_needs_a_valid_name_and_duration(
    demo: DemoServer, rest: Rest, body: dict[str, Any], field: str
) -> None:
    posted = await rest.post(demo.channel, "Offre")

    status, error = await rest.call(
        "POST", f"/channels/{demo.channel.id}/messages/{posted['id']}/threads", body
    )

    assert (status, error["code"], error["message"]) == (400, 50035, "Invalid Form Body")
    assert list(error["errors"]) == [field]
    assert demo.world.thread_of(int(posted["id"])) is None


async def test_a_thread_needs_create_public_threads(demo: DemoServer, rest: Rest) -> None:
    posted = await rest.post(demo.channel, "Offre")
    demo.channel.denied = CREATE_PUBLIC_THREADS

    status, error = await rest.call(
        "POST",
        f"/channels/{demo.channel.id}/messages/{posted['id']}/threads",
        {"name": "Discussion", "auto_archive_duration": 1440},
    )

    assert (status, error) == (403, {"message": "Missing Permissions", "code": 50013})


async def test_a_forum_post_carries_its_tag_and_its_starter_message(
    demo: DemoServer, rest: Rest, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    forum = demo.world.add_channel(
        demo.guild, "offres", type=FORUM_CHANNEL, tags=["Recrutement", "Alternance"]
    )
    tag = forum.tag("Recrutement")["id"]
    listener = await listen(DEFAULT_INTENTS)
    body = {
        "name": "Stage développeur",
        "auto_archive_duration": 10080,
        "applied_tags": [tag],
        "message": {"content": "Une PME recrute", "embeds": [], "allowed_mentions": {"parse": []}},
    }

    status, post = await rest.call("POST", f"/channels/{forum.id}/threads", body)

    assert status == 201
    assert post["parent_id"] == str(forum.id)
    assert post["applied_tags"] == [tag]
    assert post["message"]["id"] == post["id"]
    assert post["message"]["channel_id"] == post["id"]
    assert [m.content for m in demo.world.channel_messages(int(post["id"]))] == ["Une PME recrute"]
    created, _ = await listener.until("THREAD_CREATE")
    assert created["id"] == post["id"]
    started, _ = await listener.until("MESSAGE_CREATE")
    assert started["id"] == post["id"]
    forum_payload = await rest.ok("GET", f"/channels/{forum.id}")
    assert [t["name"] for t in forum_payload["available_tags"]] == ["Recrutement", "Alternance"]

    status, error = await rest.call("POST", f"/channels/{forum.id}/threads", {**body, "applied_tags": ["1"]})

    assert (status, error["code"], list(error["errors"])) == (400, 50035, ["applied_tags"])


async def test_a_forum_post_with_a_file_arrives_as_multipart(demo: DemoServer, rest: Rest) -> None:
    forum = demo.world.add_channel(demo.guild, "offres", type=FORUM_CHANNEL, tags=["Recrutement"])
    form = aiohttp.FormData()
    payload = {"name": "Fiche", "auto_archive_duration": 1440, "message": {"content": "La fiche"}}
    form.add_field("payload_json", json.dumps(payload), content_type="application/json")
    form.add_field("files[0]", b"%PDF-1.7", filename="fiche.pdf", content_type="application/octet-stream")

    async with rest.http.post(f"{rest.base}/channels/{forum.id}/threads", data=form) as response:
        post = await response.json()

    assert response.status == 201
    starter = demo.world.messages[int(post["id"])]
    assert starter.files == {"fiche.pdf": b"%PDF-1.7"}
    assert post["message"]["attachments"][0]["filename"] == "fiche.pdf"


async def test_archived_threads_leave_the_active_list_and_refuse_edits(
    demo: DemoServer, rest: Rest, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    posted = await rest.post(demo.channel, "Offre")
    thread_id = posted["id"]
    await rest.ok("POST", f"/channels/{demo.channel.id}/messages/{thread_id}/threads", {"name": "Fil"})
    listener = await listen(DEFAULT_INTENTS)

    archived = await rest.ok("PATCH", f"/channels/{thread_id}", {"archived": True})

    assert archived["thread_metadata"]["archived"] is True
    updated, _ = await listener.until("THREAD_UPDATE")
    assert updated["thread_metadata"]["archived"] is True
    active = await rest.ok("GET", f"/guilds/{demo.guild.id}/threads/active")
    assert active == {"threads": [], "members": []}
    status, error = await rest.call("PATCH", f"/channels/{thread_id}", {"name": "Renommé"})
    assert (status, error["code"]) == (400, 50083)

    # Posting in an archived (not locked) thread reopens it, as on Discord.
    await rest.post(demo.guild.channels[int(thread_id)], "Relance")

    active = await rest.ok("GET", f"/guilds/{demo.guild.id}/threads/active")
    assert [t["id"] for t in active["threads"]] == [thread_id]
    assert active["threads"][0]["message_count"] == 1


async def test_someone_elses_thread_needs_manage_threads(demo: DemoServer, rest: Rest) -> None:
    thread = demo.world.add_thread(demo.channel, "Fil d'Alice", owner=demo.students[0])

    status, _ = await rest.call("PATCH", f"/channels/{thread.id}", {"locked": True})
    assert status == 403
    status, _ = await rest.call("DELETE", f"/channels/{thread.id}")
    assert status == 403

    grant(demo, MANAGE_THREADS)
    assert (await rest.ok("PATCH", f"/channels/{thread.id}", {"locked": True}))["thread_metadata"]["locked"]
    deleted = await rest.ok("DELETE", f"/channels/{thread.id}")

    assert deleted["id"] == str(thread.id)
    assert thread.id not in demo.guild.channels


async def test_forum_tags_are_edited_with_manage_channels(demo: DemoServer, rest: Rest) -> None:
    forum = demo.world.add_channel(demo.guild, "offres", type=FORUM_CHANNEL, tags=["Recrutement"])
    kept = forum.tag("Recrutement")
    tags = [kept, {"name": "Alternance", "moderated": False, "emoji_id": None, "emoji_name": None}]

    status, _ = await rest.call("PATCH", f"/channels/{forum.id}", {"available_tags": tags})
    assert status == 403

    grant(demo, MANAGE_CHANNELS)
    edited = await rest.ok("PATCH", f"/channels/{forum.id}", {"available_tags": tags})

    assert [tag["name"] for tag in edited["available_tags"]] == ["Recrutement", "Alternance"]
    assert edited["available_tags"][0]["id"] == kept["id"]
    assert edited["available_tags"][1]["id"].isdigit()


async def test_deleting_threads_and_channels(
    demo: DemoServer, rest: Rest, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    posted = await rest.post(demo.channel, "Offre")
    thread = await rest.ok(
        "POST", f"/channels/{demo.channel.id}/messages/{posted['id']}/threads", {"name": "Fil"}
    )
    await rest.post(demo.guild.channels[int(thread["id"])], "Dans le fil")
    listener = await listen(DEFAULT_INTENTS)
    grant(demo, MANAGE_THREADS)

    await rest.ok("DELETE", f"/channels/{thread['id']}")

    deleted, _ = await listener.until("THREAD_DELETE")
    assert deleted == {
        "id": thread["id"],
        "guild_id": str(demo.guild.id),
        "parent_id": str(demo.channel.id),
        "type": 11,
    }
    assert demo.world.channel_messages(int(thread["id"])) == []
    assert "thread" not in (await rest.ok("GET", f"/channels/{demo.channel.id}/messages/{posted['id']}"))

    await demo.discord.delete_channel(demo.channel)

    gone, _ = await listener.until("CHANNEL_DELETE")
    assert gone["id"] == str(demo.channel.id)
    status, error = await rest.call("POST", f"/channels/{demo.channel.id}/messages", {"content": "?"})
    assert (status, error["code"]) == (404, 10003)
    assert demo.world.channel_messages(demo.channel.id) == []


# ── history ────────────────────────────────────────────────────────────────────────────────────


async def test_history_is_newest_first_and_pages_like_discord(demo: DemoServer, rest: Rest) -> None:
    ids = [(await rest.post(demo.channel, f"n°{n}"))["id"] for n in range(5)]
    history = f"/channels/{demo.channel.id}/messages"

    assert [m["id"] for m in await rest.ok("GET", history)] == ids[::-1]
    assert [m["id"] for m in await rest.ok("GET", history, limit=2)] == [ids[4], ids[3]]
    assert [m["id"] for m in await rest.ok("GET", history, limit=2, before=ids[3])] == [ids[2], ids[1]]
    # After an id: the messages right after it, still newest first.
    assert [m["id"] for m in await rest.ok("GET", history, limit=2, after=ids[0])] == [ids[2], ids[1]]
    assert [m["id"] for m in await rest.ok("GET", history, limit=3, around=ids[2])] == [
        ids[3],
        ids[2],
        ids[1],
    ]
    status, error = await rest.call("GET", history, limit=101)
    assert (status, error["code"]) == (400, 50035)

    await rest.ok("DELETE", f"/channels/{demo.channel.id}/messages/{ids[4]}")

    assert [m["id"] for m in await rest.ok("GET", history, limit=1)] == [ids[3]]


async def test_ephemeral_answers_stay_out_of_history(demo: DemoServer, rest: Rest) -> None:
    await publish_command(demo, rest, {"name": "ping", "description": "Ping", "type": 1})
    interaction = await demo.discord.slash(demo.students[0], demo.channel, "ping")
    await answer(demo, interaction, {"type": 4, "data": {"content": "pong", "flags": EPHEMERAL}})

    assert await rest.ok("GET", f"/channels/{demo.channel.id}/messages") == []


# ── the global rate limit ──────────────────────────────────────────────────────────────────────


async def test_the_global_limit_answers_429_beyond_n_requests_a_second(demo: DemoServer, rest: Rest) -> None:
    demo.discord.global_limit = 3

    answers = await asyncio.gather(*(rest.http.get(f"{rest.base}/users/@me") for _ in range(5)))

    statuses = sorted(response.status for response in answers)
    assert statuses == [200, 200, 200, 429, 429]
    refused = next(response for response in answers if response.status == 429)
    body = await refused.json()
    assert body["message"] == "You are being rate limited."
    assert body["global"] is True
    assert 0 < body["retry_after"] <= 1
    assert refused.headers["X-RateLimit-Global"] == "true"
    assert refused.headers["X-RateLimit-Scope"] == "global"
    assert "Via" in refused.headers
    assert float(refused.headers["Retry-After"]) > 0
    assert demo.discord.rate_limited == 2
    assert demo.discord.peak_rate == 5
    for response in answers:
        response.release()


async def test_interaction_callbacks_escape_the_global_limit(demo: DemoServer, rest: Rest) -> None:
    await publish_command(demo, rest, {"name": "ping", "description": "Ping", "type": 1})
    demo.discord.global_limit = 1
    await rest.call("GET", "/users/@me")  # admitted, or refused behind the command sync: the window is full
    refused = demo.discord.rate_limited
    interaction = await demo.discord.slash(demo.students[0], demo.channel, "ping")

    await answer(demo, interaction, {"type": 4, "data": {"content": "pong"}})

    assert demo.discord.rate_limited == refused
    assert (await rest.call("GET", "/users/@me"))[0] == 429


async def test_discord_py_waits_out_the_global_limit(demo: DemoServer) -> None:
    """discord.py must read our 429 as Discord's global limit: wait `retry_after`, then retry."""
    demo.discord.global_limit = 2
    discord.http.Route.BASE = demo.discord.api_base
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(demo.world.application.token)
        route = discord.http.Route("GET", "/channels/{channel_id}", channel_id=demo.channel.id)

        channels = await asyncio.gather(*(http.request(route) for _ in range(4)))
    finally:
        await http.close()

    assert [channel["id"] for channel in channels] == [str(demo.channel.id)] * 4
    assert demo.discord.rate_limited >= 1
    assert [r.status for r in demo.discord.requests].count(200) == 5


async def test_a_held_answer_comes_after_discord_did_the_work(demo: DemoServer, rest: Rest) -> None:
    demo.discord.faults.inject("POST", rf"/channels/{demo.channel.id}/messages", 200, hold=30)

    sending = asyncio.create_task(
        rest.call("POST", f"/channels/{demo.channel.id}/messages", {"content": "Offre"})
    )
    await demo.discord.wait_for(lambda: demo.world.channel_messages(demo.channel.id), what="the message")

    assert not sending.done()  # the bot still waits for an answer Discord will not give in time
    sending.cancel()


async def test_an_enforced_nonce_answers_the_first_message_again(
    demo: DemoServer, rest: Rest, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    listener = await listen(DEFAULT_INTENTS)
    first = await rest.post(demo.channel, "Offre", nonce="cs-42", enforce_nonce=True)
    again = await rest.post(demo.channel, "Offre", nonce="cs-42", enforce_nonce=True)

    assert again["id"] == first["id"] and again["nonce"] == "cs-42"
    assert len(demo.world.channel_messages(demo.channel.id)) == 1
    created, _ = await listener.until("MESSAGE_CREATE")
    assert created["nonce"] == "cs-42"


# ── roles and members ──────────────────────────────────────────────────────────────────────────


async def test_roles_below_the_bot_are_given_and_taken(
    demo: DemoServer, rest: Rest, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    student = demo.students[0]
    status, _ = await rest.call("POST", f"/guilds/{demo.guild.id}/roles", {"name": "Veille"})
    assert status == 403
    grant(demo, MANAGE_ROLES)
    demo.world.application.privileged_intents = GUILD_MEMBERS
    listener = await listen(DEFAULT_INTENTS | GUILD_MEMBERS)

    role = await rest.ok("POST", f"/guilds/{demo.guild.id}/roles", {"name": "Veille", "mentionable": True})

    assert role["position"] == 1  # Discord adds a new role at the bottom
    created, _ = await listener.until("GUILD_ROLE_CREATE")
    assert created["role"]["id"] == role["id"]
    roles = await rest.ok("GET", f"/guilds/{demo.guild.id}/roles")
    assert role["id"] in [r["id"] for r in roles]

    path = f"/guilds/{demo.guild.id}/members/{student.id}/roles/{role['id']}"
    assert await rest.ok("PUT", path) is None
    update, _ = await listener.until("GUILD_MEMBER_UPDATE")
    assert update["guild_id"] == str(demo.guild.id)
    assert update["user"]["id"] == str(student.id)
    assert update["roles"] == [role["id"]]
    member = await rest.ok("GET", f"/guilds/{demo.guild.id}/members/{student.id}")
    assert member["roles"] == [role["id"]]

    await rest.ok("DELETE", path)

    assert demo.guild.members[student.id].roles == []


async def test_a_role_above_the_bots_is_refused(demo: DemoServer, rest: Rest) -> None:
    grant(demo, MANAGE_ROLES)
    staff = demo.world.add_role(demo.guild, "Staff", 0)  # added last: above the bot's roles

    status, error = await rest.call(
        "PUT", f"/guilds/{demo.guild.id}/members/{demo.students[0].id}/roles/{staff.id}"
    )

    assert (status, error["code"]) == (403, 50013)
    assert demo.guild.members[demo.students[0].id].roles == []


async def test_member_updates_need_the_members_intent(
    demo: DemoServer, rest: Rest, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    grant(demo, MANAGE_ROLES)
    role = await rest.ok("POST", f"/guilds/{demo.guild.id}/roles", {"name": "Veille"})
    listener = await listen(DEFAULT_INTENTS)

    await rest.ok("PUT", f"/guilds/{demo.guild.id}/members/{demo.students[0].id}/roles/{role['id']}")
    await rest.post(demo.channel, "après")

    _, before = await listener.until("MESSAGE_CREATE")
    assert "GUILD_MEMBER_UPDATE" not in before


async def test_role_mentions_follow_allowed_mentions(demo: DemoServer, rest: Rest) -> None:
    first = demo.world.add_role(demo.guild, "Dev", 0, mentionable=True)
    second = demo.world.add_role(demo.guild, "Réseau", 0, mentionable=True)
    locked = demo.world.add_role(demo.guild, "Profs", 0)  # not mentionable
    content = f"<@&{first.id}> <@&{second.id}> <@&{locked.id}>"

    only_first = await rest.post(
        demo.channel, content, allowed_mentions={"parse": [], "roles": [str(first.id)]}
    )
    nobody = await rest.post(demo.channel, content, allowed_mentions={"parse": []})
    default = await rest.post(demo.channel, content)

    assert only_first["mention_roles"] == [str(first.id)]
    assert nobody["mention_roles"] == []
    assert default["mention_roles"] == [str(first.id), str(second.id)]
    status, error = await rest.call(
        "POST",
        f"/channels/{demo.channel.id}/messages",
        {"content": content, "allowed_mentions": {"parse": ["roles"], "roles": [str(first.id)]}},
    )
    assert (status, error["code"]) == (400, 50035)


# ── reactions ──────────────────────────────────────────────────────────────────────────────────


async def test_the_bot_reacts_and_unreacts(
    demo: DemoServer, rest: Rest, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    posted = await rest.post(demo.channel, "Offre")
    listener = await listen(DEFAULT_INTENTS)
    path = f"/channels/{demo.channel.id}/messages/{posted['id']}/reactions/%E2%9C%85/@me"

    assert await rest.ok("PUT", path) is None

    added, _ = await listener.until("MESSAGE_REACTION_ADD")
    assert added["emoji"] == {"id": None, "name": "✅"}
    assert added["user_id"] == str(demo.world.bot.id)
    assert stored(demo, posted).reactions == {"✅": [demo.world.bot]}
    message = await rest.ok("GET", f"/channels/{demo.channel.id}/messages/{posted['id']}")
    assert message["reactions"][0]["count"] == 1 and message["reactions"][0]["me"] is True

    await rest.ok("DELETE", path)

    removed, _ = await listener.until("MESSAGE_REACTION_REMOVE")
    assert removed["emoji"]["name"] == "✅"
    assert stored(demo, posted).reactions == {}


async def test_a_new_reaction_needs_add_reactions(demo: DemoServer, rest: Rest) -> None:
    posted = await rest.post(demo.channel, "Offre")
    demo.channel.denied = ADD_REACTIONS

    status, error = await rest.call(
        "PUT", f"/channels/{demo.channel.id}/messages/{posted['id']}/reactions/👍/@me"
    )

    assert (status, error["code"]) == (403, 50013)


# ── acting as users ────────────────────────────────────────────────────────────────────────────


async def publish_command(demo: DemoServer, rest: Rest, *commands: dict[str, Any]) -> None:
    app = demo.world.application.id
    await rest.ok("PUT", f"/applications/{app}/guilds/{demo.guild.id}/commands", list(commands))


async def answer(demo: DemoServer, interaction: InteractionRecord, body: dict[str, Any]) -> dict[str, Any]:
    """The bot's interaction callback, sent over HTTP without a token as discord.py does."""
    url = f"{demo.discord.api_base}/interactions/{interaction.id}/{interaction.token}/callback"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json=body, params={"with_response": "true"}) as r,
    ):
        assert r.status == 200, await r.text()
        return cast(dict[str, Any], await r.json())


BUTTONS = [
    {
        "type": 1,
        "components": [
            {"type": 2, "style": 1, "label": "Je m'inscris", "custom_id": "join"},
            {"type": 2, "style": 5, "label": "Site", "url": "https://example.org"},
            {"type": 2, "style": 2, "label": "Complet", "custom_id": "full", "disabled": True},
        ],
    },
    {
        "type": 1,
        "components": [
            {
                "type": 3,
                "custom_id": "topic",
                "min_values": 1,
                "max_values": 1,
                "options": [{"label": "Réseau", "value": "net"}, {"label": "Dev", "value": "dev"}],
            }
        ],
    },
]


async def test_click_sends_a_component_interaction_on_the_message(
    demo: DemoServer, rest: Rest, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    posted = await rest.post(demo.channel, "Atelier jeudi", components=BUTTONS)
    message = stored(demo, posted)
    listener = await listen(DEFAULT_INTENTS)

    click = await demo.discord.click(demo.students[0], message, "join")

    sent, _ = await listener.until("INTERACTION_CREATE")
    assert sent["type"] == 3
    assert sent["data"] == {"custom_id": "join", "component_type": 2}
    assert sent["message"]["id"] == posted["id"]
    assert sent["channel_id"] == str(demo.channel.id)
    # Discord numbers the components it stores.
    assert [c["id"] for c in sent["message"]["components"][0]["components"]] == [2, 3, 4]

    await answer(demo, click, {"type": 7, "data": {"content": "Inscrit !", "components": []}})

    updated, _ = await listener.until("MESSAGE_UPDATE")
    assert updated["content"] == "Inscrit !" and message.components == []
    assert click.original is message


async def test_click_refuses_what_discords_client_would_not_send(demo: DemoServer, rest: Rest) -> None:
    message = stored(demo, await rest.post(demo.channel, "Atelier", components=BUTTONS))
    student = demo.students[0]

    for custom_id in ("full", "nope"):
        with pytest.raises(CommandNotAvailable):
            await demo.discord.click(student, message, custom_id)
    with pytest.raises(AssertionError, match="not among its options"):
        await demo.discord.click(student, message, "topic", values=["cuisine"])
    with pytest.raises(AssertionError, match="value"):
        await demo.discord.click(student, message, "topic", values=[])

    picked = await demo.discord.click(student, message, "topic", values=["dev"])

    assert picked.data == {"custom_id": "topic", "component_type": 3, "values": ["dev"]}


async def test_an_ephemeral_answer_is_clicked_only_by_its_user(demo: DemoServer, rest: Rest) -> None:
    await publish_command(demo, rest, {"name": "ping", "description": "Ping", "type": 1})
    interaction = await demo.discord.slash(demo.students[0], demo.channel, "ping")
    await answer(
        demo, interaction, {"type": 4, "data": {"content": "ok?", "flags": EPHEMERAL, "components": BUTTONS}}
    )
    assert interaction.original is not None

    click = await demo.discord.click(demo.students[0], interaction.original, "join")

    assert click.message is interaction.original
    with pytest.raises(AssertionError, match="ephemeral"):
        await demo.discord.click(demo.students[1], interaction.original, "join")


async def test_a_command_option_may_be_called_channel(demo: DemoServer, rest: Rest) -> None:
    option = {"name": "channel", "description": "Salon", "type": 7, "required": True}
    await publish_command(
        demo, rest, {"name": "setup", "description": "Régler", "type": 1, "options": [option]}
    )

    interaction = await demo.discord.slash(
        demo.moderator, demo.channel, "setup", channel=str(demo.channel.id)
    )

    assert interaction.data["options"] == [{"name": "channel", "type": 7, "value": str(demo.channel.id)}]
    # discord.py turns the option into a channel from `resolved`, as Discord sends it.
    resolved = interaction.data["resolved"]["channels"][str(demo.channel.id)]
    assert (resolved["name"], resolved["type"]) == ("veille", 0)
    assert int(resolved["permissions"]) == demo.guild.permissions_of(demo.moderator.id, demo.channel.id)


async def test_autocomplete_marks_the_focused_option(demo: DemoServer, rest: Rest) -> None:
    options = [
        {"name": "feed", "description": "Flux", "type": 3, "required": True, "autocomplete": True},
        {"name": "count", "description": "Combien", "type": 4},
    ]
    await publish_command(
        demo, rest, {"name": "follow", "description": "Suivre", "type": 1, "options": options}
    )

    typing = await demo.discord.autocomplete(
        demo.students[0], demo.channel, "follow", focused="feed", feed="cert"
    )

    assert typing.type == 4
    assert typing.data["options"] == [{"name": "feed", "type": 3, "value": "cert", "focused": True}]
    await answer(demo, typing, {"type": 8, "data": {"choices": [{"name": "CERT-FR", "value": "cert-fr"}]}})
    with pytest.raises(CommandNotAvailable):
        await demo.discord.autocomplete(demo.students[0], demo.channel, "follow", focused="count")


async def test_say_hides_content_from_bots_without_the_intent(
    demo: DemoServer, listen: Callable[[int], Awaitable[Listener]]
) -> None:
    demo.world.application.privileged_intents = MESSAGE_CONTENT
    blind = await listen(DEFAULT_INTENTS)
    reading = await listen(DEFAULT_INTENTS | MESSAGE_CONTENT)

    await demo.discord.say(demo.students[0], demo.channel, "bonjour à tous")
    await demo.discord.say(demo.students[0], demo.channel, f"<@{demo.world.bot.id}> tu es là ?")

    plain, _ = await blind.until("MESSAGE_CREATE")
    mention, _ = await blind.until("MESSAGE_CREATE")
    assert plain["content"] == "" and plain["author"]["id"] == str(demo.students[0].id)
    assert mention["content"].endswith("tu es là ?")
    assert mention["mentions"][0]["id"] == str(demo.world.bot.id)
    assert plain["member"]["roles"] == []
    assert (await reading.until("MESSAGE_CREATE"))[0]["content"] == "bonjour à tous"
    # The world keeps what was said, whoever may read it.
    assert demo.world.channel_messages(demo.channel.id)[0].content == "bonjour à tous"


async def test_say_is_refused_where_the_user_cannot_write(demo: DemoServer) -> None:
    demo.channel.denied = SEND_MESSAGES

    with pytest.raises(AssertionError, match="would not let"):
        await demo.discord.say(demo.students[0], demo.channel, "hello")


# ── modals ─────────────────────────────────────────────────────────────────────────────────────


def feedback_modal() -> discord.ui.Modal:
    modal = discord.ui.Modal(title="Ton avis", custom_id="feedback")
    options = [
        discord.RadioGroupOption(label="Utile", value="useful"),
        discord.RadioGroupOption(label="Bof", value="meh"),
    ]
    modal.add_item(
        discord.ui.Label(text="Note", component=discord.ui.RadioGroup(custom_id="rating", options=options))
    )
    why: discord.ui.TextInput[Any] = discord.ui.TextInput(custom_id="why", min_length=3, max_length=20)
    modal.add_item(discord.ui.Label(text="Pourquoi ?", component=why))
    modal.add_item(discord.ui.TextInput(label="Pseudo", custom_id="nick", required=False))
    return modal


async def open_modal(demo: DemoServer, rest: Rest, modal: discord.ui.Modal) -> InteractionRecord:
    await publish_command(demo, rest, {"name": "avis", "description": "Donner son avis", "type": 1})
    opened = await demo.discord.slash(demo.students[0], demo.channel, "avis")
    await answer(demo, opened, {"type": 9, "data": modal.to_dict()})
    return opened


async def test_submit_modal_speaks_discords_modal_submit(demo: DemoServer, rest: Rest) -> None:
    modal = feedback_modal()
    opened = await open_modal(demo, rest, modal)

    submitted = await demo.discord.submit_modal(
        demo.students[0], opened, {"rating": "useful", "why": "clair et court"}
    )

    assert submitted.type == 5
    assert submitted.message is None  # opened from a slash command, not from a message
    assert submitted.data == {
        "custom_id": "feedback",
        "components": [
            {
                "type": 18,
                "id": 1,
                "component": {"type": 21, "id": 2, "custom_id": "rating", "value": "useful"},
            },
            {
                "type": 18,
                "id": 3,
                "component": {"type": 4, "id": 4, "custom_id": "why", "value": "clair et court"},
            },
            {"type": 1, "id": 5, "components": [{"type": 4, "id": 6, "custom_id": "nick", "value": ""}]},
        ],
    }
    # discord.py reads the submission back into the modal's items, as it does for Discord's.
    modal._refresh(cast(Any, None), submitted.data["components"], {})
    rating, why = (cast(Any, child).component for child in modal.children[:2])
    assert (rating.value, why.value, cast(Any, modal.children[2]).value) == ("useful", "clair et court", "")


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        ({"why": "clair et court"}, "'rating' is required"),
        ({"rating": "useful"}, "'why' is required"),
        ({"rating": "useful", "why": "ok"}, "2 characters"),
        ({"rating": "useful", "why": "x" * 21}, "21 characters"),
        ({"rating": "great", "why": "clair et court"}, "not an option"),
    ],
)
async def test_submit_modal_refuses_what_discords_client_refuses(
    demo: DemoServer, rest: Rest, values: dict[str, str], refusal: str
) -> None:
    opened = await open_modal(demo, rest, feedback_modal())

    with pytest.raises(AssertionError, match=refusal):
        await demo.discord.submit_modal(demo.students[0], opened, values)

    # Without the client's checks the same values reach the bot, to test its own validation.
    sent = await demo.discord.submit_modal(demo.students[0], opened, values, client_checks=False)
    assert sent.type == 5


async def test_a_modal_is_submitted_once_by_its_user(demo: DemoServer, rest: Rest) -> None:
    opened = await open_modal(demo, rest, feedback_modal())
    values = {"rating": "meh", "why": "trop long"}

    with pytest.raises(AssertionError, match="only"):
        await demo.discord.submit_modal(demo.students[1], opened, values)
    await demo.discord.submit_modal(demo.students[0], opened, values)
    with pytest.raises(AssertionError, match="closed"):
        await demo.discord.submit_modal(demo.students[0], opened, values)


async def test_a_modal_opened_from_a_button_carries_the_message(demo: DemoServer, rest: Rest) -> None:
    message = stored(demo, await rest.post(demo.channel, "Atelier", components=BUTTONS))
    click = await demo.discord.click(demo.students[0], message, "join")
    await answer(demo, click, {"type": 9, "data": feedback_modal().to_dict()})

    submitted = await demo.discord.submit_modal(demo.students[0], click, {"rating": "useful", "why": "super"})

    assert submitted.message is message
    assert submitted.payload(0, 0, 0)["message"]["id"] == str(message.id)


# ── discord.py itself over the new routes ──────────────────────────────────────────────────────


async def test_discord_py_parses_threads_posts_roles_reactions_and_history(demo: DemoServer) -> None:
    world = demo.world
    forum = world.add_channel(demo.guild, "offres", type=FORUM_CHANNEL, tags=["Recrutement"])
    quiet = world.add_channel(demo.guild, "annonces")
    quiet.denied = SEND_MESSAGES
    grant(demo, MANAGE_ROLES | MANAGE_THREADS)
    discord.http.Route.BASE = demo.discord.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(demo.discord.gateway_url)
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    running = asyncio.create_task(client.start(world.application.token))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        # The fake's `denied` is an @everyone overwrite: discord.py computes the same permissions.
        announcements = client.get_channel(quiet.id)
        assert isinstance(announcements, discord.TextChannel)
        assert not announcements.permissions_for(announcements.guild.me).send_messages
        await exercise(client, demo, forum)
    finally:
        await client.close()
        await running


async def exercise(client: discord.Client, demo: DemoServer, forum_channel: Channel) -> None:
    channel = client.get_channel(demo.channel.id)
    forum = client.get_channel(forum_channel.id)
    assert isinstance(channel, discord.TextChannel) and isinstance(forum, discord.ForumChannel)
    assert [tag.name for tag in forum.available_tags] == ["Recrutement"]

    message = await channel.send("Nouvelle offre")
    thread = await message.create_thread(name="Discussion", auto_archive_duration=60)
    assert client.user is not None
    assert (thread.id, thread.parent_id, thread.owner_id) == (message.id, channel.id, client.user.id)
    await thread.send("Dans le fil")

    post = await forum.create_thread(
        name="Stage", content="Une PME recrute", applied_tags=[forum.available_tags[0]]
    )
    assert post.message.id == post.thread.id
    assert [tag.name for tag in post.thread.applied_tags] == ["Recrutement"]

    history = [m.content async for m in channel.history(limit=10)]
    assert history == ["Nouvelle offre"]
    fetched = await channel.fetch_message(message.id)
    assert fetched.thread is not None and fetched.thread.id == thread.id

    guild = channel.guild
    role = await guild.create_role(name="Veille", mentionable=True)
    member = await guild.fetch_member(demo.students[0].id)
    await member.add_roles(role)
    assert demo.guild.members[demo.students[0].id].roles == [role.id]
    ping = await channel.send(
        f"{role.mention} nouvelle offre", allowed_mentions=discord.AllowedMentions(roles=[role])
    )
    assert ping.raw_role_mentions == [role.id]

    await message.add_reaction("✅")
    assert demo.world.messages[message.id].reactions == {"✅": [demo.world.bot]}

    await thread.edit(archived=True)
    assert [t.id for t in await guild.active_threads()] == [post.thread.id]
    deleted = asyncio.create_task(client.wait_for("raw_thread_delete", timeout=5))
    await post.thread.delete()
    assert (await deleted).thread_id == post.thread.id
