"""The core's `Publisher` on Discord: case-study posts with their thread, counts, alerts.

Each step of a post is recorded in `Progress` as soon as it succeeds. A resumed post (the bot
stopped between a Discord call and its record) first looks for what it already posted, by the
case study's id carried in the buttons' custom ids, so nothing is posted twice.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
import discord

from bot.errors import UserProblem
from bot.i18n import t
from bot.pacing import Pacer
from bot.posting.publisher import (
    CaseStudyPost,
    DeliveryFailure,
    DigestPost,
    FailureKind,
    ModeratorAlert,
    PostedRef,
    Progress,
    TallyUpdate,
)
from cogs.digest_render import DigestMessage, chart_file, digest_messages, footer_of
from cogs.embeds import casestudy_embed, questions_text, tally_text, thread_name
from cogs.views import casestudy_view, take_view

if TYPE_CHECKING:
    from cogs.client import VeilleBot

log = logging.getLogger(__name__)

# Below Discord's global 50 requests/s, leaving room for the rest of the bot's calls.
REQUESTS_PER_SECOND = 40
BURST = 5
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: the discussion stays open until the next digest
HISTORY_SEARCHED = 50
UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, MISSING_ACCESS = 10003, 10008, 50001
THREAD_ALREADY_CREATED = 160004

TEXT_NEEDS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "read_message_history",
    "create_public_threads",
    "send_messages_in_threads",
)
FORUM_NEEDS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "read_message_history",
    "send_messages_in_threads",
)


# A digest opens no thread in a text channel, and it attaches its chart.
DIGEST_NEEDS = ("view_channel", "send_messages", "embed_links", "attach_files", "read_message_history")


def missing_permissions(
    channel: discord.abc.GuildChannel, me: discord.Member, *, digest: bool = False
) -> list[str]:
    """What the bot lacks to post case studies (or the digest) in `channel` (names as in
    `discord.Permissions`)."""
    forum = isinstance(channel, discord.ForumChannel)
    if digest:
        needs = DIGEST_NEEDS + (("send_messages_in_threads",) if forum else ())
    else:
        needs = FORUM_NEEDS if forum else TEXT_NEEDS
    granted = channel.permissions_for(me)
    return [name for name in needs if not getattr(granted, name)]


def check_postable(channel: discord.abc.GuildChannel, me: discord.Member, *, digest: bool = False) -> None:
    """`UserProblem` naming what is wrong with `channel` for case studies or the digest (checked
    at set-up)."""
    if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
        raise UserProblem("setup.bad_channel_type", channel=channel.mention)
    missing = missing_permissions(channel, me, digest=digest)
    if missing:
        raise UserProblem("setup.missing_permissions", channel=channel.mention, permissions=",".join(missing))


class DiscordPublisher:
    def __init__(self, bot: VeilleBot) -> None:
        self._bot = bot
        self._pacer = Pacer(REQUESTS_PER_SECOND, BURST)

    @contextlib.asynccontextmanager
    async def _call(self, what: str, permission: str | None = None) -> AsyncIterator[None]:
        """One paced Discord call; its failure sorted into the core's kinds."""
        await self._pacer.acquire()
        try:
            yield
        except discord.Forbidden as exc:
            raise DeliveryFailure(
                FailureKind.MISSING_PERMISSION,
                f"{what}: {exc.text or 'missing permissions'}",
                permission="view_channel" if exc.code == MISSING_ACCESS else permission,
            ) from exc
        except discord.NotFound as exc:
            kind = FailureKind.CHANNEL_GONE if exc.code in (UNKNOWN_CHANNEL, 0) else FailureKind.REJECTED
            raise DeliveryFailure(kind, f"{what}: {exc.text or 'not found'}") from exc
        except discord.DiscordServerError as exc:
            raise DeliveryFailure(FailureKind.TRANSIENT, f"{what}: Discord answered {exc.status}") from exc
        except discord.HTTPException as exc:
            if exc.status == 429:  # discord.py waited and retried already; still limited: later
                raise DeliveryFailure(FailureKind.TRANSIENT, f"{what}: rate limited") from exc
            raise DeliveryFailure(FailureKind.REJECTED, f"{what}: {exc.status} {exc.text}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryFailure(FailureKind.TRANSIENT, f"{what}: {type(exc).__name__}") from exc

    # ── case studies ────────────────────────────────────────────────────────────────────────────

    async def post_case_study(self, post: CaseStudyPost, progress: Progress) -> Mapping[str, Any]:
        channel = await self._postable_channel(post.channel_id)
        if isinstance(channel, discord.ForumChannel):
            thread = await self._forum_post(channel, post, progress)
        else:
            thread = await self._text_post(channel, post, progress)
        await self._discussion(thread, post, progress)
        return dict(progress.ids)

    async def _postable_channel(
        self, channel_id: int, *, digest: bool = False, with_chart: bool = True
    ) -> discord.TextChannel | discord.ForumChannel:
        """The channel to post in, or the failure that says why the bot cannot (it is gone, or a
        permission is missing: the chart's Attach Files only when there is a chart)."""
        channel = self._bot.get_channel(channel_id)
        if channel is None:
            async with self._call("reading the channel"):
                channel = await self._bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
            raise DeliveryFailure(
                FailureKind.CHANNEL_GONE, f"channel {channel_id} is not a text or forum channel"
            )
        missing = missing_permissions(channel, channel.guild.me, digest=digest)
        if not with_chart and "attach_files" in missing:
            missing.remove("attach_files")
        if missing:
            raise DeliveryFailure(
                FailureKind.MISSING_PERMISSION,
                f"missing {', '.join(missing)} in #{channel.name}",
                permission=missing[0],
            )
        return channel

    async def _text_post(
        self, channel: discord.TextChannel, post: CaseStudyPost, progress: Progress
    ) -> discord.Thread:
        message_id = progress.get("message_id")
        if message_id is None and progress.resumed:
            message_id = await self._find_in_history(channel, post.case_study_id)
            if message_id is not None:
                await progress.record(channel_id=channel.id, message_id=message_id)
        if message_id is None:
            async with self._call("posting the case study", "send_messages"):
                message = await channel.send(
                    content=self._ping(post),
                    embed=casestudy_embed(post.case, post.theme_label, post.locale),
                    view=casestudy_view(
                        post.case_study_id, post.case.url, post.locale, notify=post.ping_role_id is not None
                    ),
                    nonce=post.nonce,
                    allowed_mentions=self._mentions(post),
                )
            message_id = message.id
            await progress.record(channel_id=channel.id, message_id=message_id)
        thread_id = progress.get("thread_id")
        if thread_id is not None:
            return await self._thread(thread_id)
        partial = channel.get_partial_message(message_id)
        try:
            async with self._call("opening the discussion thread", "create_public_threads"):
                thread = await partial.create_thread(
                    name=thread_name(post.case.title), auto_archive_duration=THREAD_ARCHIVE_MINUTES
                )
        except DeliveryFailure as failure:
            cause = failure.__cause__
            if not (isinstance(cause, discord.HTTPException) and cause.code == THREAD_ALREADY_CREATED):
                raise
            thread = await self._thread(message_id)  # a thread started on a message has its id
        await progress.record(thread_id=thread.id)
        return thread

    async def _forum_post(
        self, forum: discord.ForumChannel, post: CaseStudyPost, progress: Progress
    ) -> discord.Thread:
        thread_id = progress.get("thread_id")
        if thread_id is None and progress.resumed:
            thread_id = await self._find_in_forum(forum, post.case_study_id)
            if thread_id is not None:
                await progress.record(channel_id=forum.id, message_id=thread_id, thread_id=thread_id)
        if thread_id is not None:
            return await self._thread(thread_id)
        tags = [tag for tag in forum.available_tags if tag.name.casefold() == post.theme_label.casefold()]
        async with self._call("opening the forum post", "send_messages"):
            created = await forum.create_thread(
                name=thread_name(post.case.title),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                content=self._ping(post),
                embed=casestudy_embed(post.case, post.theme_label, post.locale),
                view=casestudy_view(
                    post.case_study_id, post.case.url, post.locale, notify=post.ping_role_id is not None
                ),
                applied_tags=tags[:1],
                allowed_mentions=self._mentions(post),
            )
        thread: discord.Thread = created.thread
        await progress.record(channel_id=forum.id, message_id=created.message.id, thread_id=thread.id)
        return thread

    async def _discussion(self, thread: discord.Thread, post: CaseStudyPost, progress: Progress) -> None:
        """The questions as the thread's first message, then the running count of takes."""
        found: dict[str, int] = {}
        if progress.resumed and not (
            progress.get("questions_message_id") and progress.get("tally_message_id")
        ):
            found = await self._find_discussion(thread)
        if progress.get("questions_message_id") is None:
            message_id = found.get("questions_message_id")
            if message_id is None:
                async with self._call("posting the questions", "send_messages_in_threads"):
                    message = await thread.send(questions_text(post.case, post.locale))
                message_id = message.id
            await progress.record(questions_message_id=message_id)
        if progress.get("tally_message_id") is None:
            message_id = found.get("tally_message_id")
            if message_id is None:
                async with self._call("posting the count of takes", "send_messages_in_threads"):
                    message = await thread.send(
                        tally_text(None, post.locale), view=take_view(post.case_study_id, post.locale)
                    )
                message_id = message.id
            await progress.record(tally_message_id=message_id)

    async def _thread(self, thread_id: int) -> discord.Thread:
        cached = self._bot.get_channel(thread_id)
        if isinstance(cached, discord.Thread):
            return cached
        async with self._call("reading the discussion thread"):
            fetched = await self._bot.fetch_channel(thread_id)
        if not isinstance(fetched, discord.Thread):
            raise DeliveryFailure(FailureKind.REJECTED, f"{thread_id} is not a thread")
        return fetched

    # ── finding what an interrupted attempt posted ──────────────────────────────────────────────

    def _is_ours(self, message: discord.Message, case_study_id: int) -> bool:
        if self._bot.user is None or message.author.id != self._bot.user.id:
            return False
        wanted = f"veille:take:{case_study_id}"
        return any(
            getattr(child, "custom_id", None) == wanted
            for row in message.components
            for child in getattr(row, "children", [])
        )

    async def _find_in_history(self, channel: discord.TextChannel, case_study_id: int) -> int | None:
        async with self._call("reading the channel's recent messages", "read_message_history"):
            async for message in channel.history(limit=HISTORY_SEARCHED):
                if self._is_ours(message, case_study_id):
                    log.info("case study %s was already posted (message %s)", case_study_id, message.id)
                    return message.id
        return None

    async def _find_in_forum(self, forum: discord.ForumChannel, case_study_id: int) -> int | None:
        async with self._call("reading the forum's posts"):
            threads = await forum.guild.active_threads()
        for thread in threads:
            if thread.parent_id != forum.id or thread.owner_id != getattr(self._bot.user, "id", None):
                continue
            async with self._call("reading a forum post"):
                try:
                    starter = await thread.fetch_message(thread.id)
                except discord.NotFound:
                    continue
            if self._is_ours(starter, case_study_id):
                return thread.id
        return None

    async def _find_discussion(self, thread: discord.Thread) -> dict[str, int]:
        found: dict[str, int] = {}
        me = getattr(self._bot.user, "id", None)
        async with self._call("reading the thread", "read_message_history"):
            async for message in thread.history(limit=HISTORY_SEARCHED, oldest_first=True):
                if message.author.id != me or message.id == thread.id:
                    continue
                key = "tally_message_id" if message.components else "questions_message_id"
                found.setdefault(key, message.id)
        return found

    # ── digests ─────────────────────────────────────────────────────────────────────────────────

    async def post_digest(self, post: DigestPost, progress: Progress) -> Mapping[str, Any]:
        """The digest's messages in order, each recorded as sent; a resumed post first looks for
        the parts it already sent (by their footer) and sends only the rest."""
        messages = digest_messages(post.digest, post.chart_png is not None)
        channel = await self._postable_channel(
            post.channel_id, digest=True, with_chart=post.chart_png is not None
        )
        sent: list[int] = list(progress.get("message_ids") or [])
        if progress.resumed and len(sent) < len(messages):
            sent = await self._find_digest_parts(channel, post, len(messages), sent, progress)
        if isinstance(channel, discord.ForumChannel) and not sent:
            thread = await self._digest_forum_post(channel, post, messages[0])
            sent = [thread.id]
            await progress.record(channel_id=channel.id, thread_id=thread.id, message_ids=sent)
        thread_id = progress.get("thread_id")
        target = await self._thread(int(thread_id)) if thread_id else channel
        assert not isinstance(target, discord.ForumChannel)
        for part in range(len(sent), len(messages)):
            message = messages[part]
            async with self._call("posting the digest", "send_messages"):
                posted = await target.send(
                    embeds=message.embeds,
                    file=self._chart(post, message),
                    nonce=f"{post.nonce[:22]}-{part}",
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            sent.append(posted.id)
            await progress.record(channel_id=channel.id, message_ids=sent)
        return dict(progress.ids)

    async def _digest_forum_post(
        self, forum: discord.ForumChannel, post: DigestPost, first: DigestMessage
    ) -> discord.Thread:
        title = first.embeds[0].title or post.digest.week
        async with self._call("opening the digest's forum post", "send_messages"):
            created = await forum.create_thread(
                name=thread_name(title),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                embeds=first.embeds,
                file=self._chart(post, first),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        return created.thread

    async def _find_digest_parts(
        self,
        channel: discord.TextChannel | discord.ForumChannel,
        post: DigestPost,
        parts: int,
        sent: list[int],
        progress: Progress,
    ) -> list[int]:
        """The parts already sent, in order, found by their footers (they are the channel's
        latest messages from the bot)."""
        thread_id = progress.get("thread_id")
        if isinstance(channel, discord.ForumChannel) and thread_id is None:
            return sent
        where = await self._thread(int(thread_id)) if thread_id else channel
        assert not isinstance(where, discord.ForumChannel)
        wanted = {footer_of(post.digest, part, parts): part for part in range(1, parts + 1)}
        found: dict[int, int] = {}
        me = getattr(self._bot.user, "id", None)
        async with self._call("reading the channel's recent messages", "read_message_history"):
            async for message in where.history(limit=HISTORY_SEARCHED):
                if message.author.id != me or not message.embeds:
                    continue
                part = wanted.get(message.embeds[-1].footer.text or "")
                if part is not None:
                    found.setdefault(part, message.id)
        resumed = list(sent)
        while len(resumed) + 1 in found:
            resumed.append(found[len(resumed) + 1])
        if len(resumed) > len(sent):
            log.info("digest %s: %d part(s) were already posted", post.digest.week, len(resumed))
            await progress.record(channel_id=channel.id, message_ids=resumed)
        return resumed

    @staticmethod
    def _chart(post: DigestPost, message: DigestMessage) -> discord.File | Any:
        if message.with_chart and post.chart_png is not None:
            return chart_file(post.digest, post.chart_png)
        return discord.utils.MISSING

    # ── the rest of the port ────────────────────────────────────────────────────────────────────

    async def update_tally(self, update: TallyUpdate) -> None:
        message = self._bot.get_partial_messageable(update.channel_id).get_partial_message(update.message_id)
        async with self._call("updating the count of takes", "send_messages_in_threads"):
            await message.edit(content=tally_text(update.tally, update.locale))

    async def remove_case_study(self, ref: PostedRef) -> None:
        """Delete the thread (archive it when the bot may not delete threads), then the post."""
        if ref.thread_id is not None:
            try:
                async with self._call("deleting the discussion thread", "manage_threads"):
                    with contextlib.suppress(discord.NotFound):
                        await self._bot.http.delete_channel(ref.thread_id, reason="case study deleted")
            except DeliveryFailure as failure:
                if failure.kind is not FailureKind.MISSING_PERMISSION:
                    raise
                async with self._call("archiving the discussion thread"):
                    with contextlib.suppress(discord.NotFound):
                        await self._bot.http.edit_channel(ref.thread_id, archived=True)
        if ref.message_id is not None:  # in a forum the post went with its thread: NotFound then
            message = self._bot.get_partial_messageable(ref.channel_id).get_partial_message(ref.message_id)
            async with self._call("deleting the case study"):
                with contextlib.suppress(discord.NotFound):
                    await message.delete()

    async def alert_moderators(self, alert: ModeratorAlert) -> None:
        guild = self._bot.get_guild(alert.guild_id)
        if guild is None:
            raise DeliveryFailure(FailureKind.REJECTED, f"not in guild {alert.guild_id} any more")
        text = alert_text(alert)
        for channel in _alert_channels(guild, alert.alerts_channel_id):
            if channel.permissions_for(guild.me).send_messages:
                async with self._call("alerting the moderators"):
                    await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
                return
        owner = guild.owner or (await guild.fetch_member(guild.owner_id) if guild.owner_id else None)
        if owner is None:
            raise DeliveryFailure(FailureKind.REJECTED, "no channel to alert the moderators in")
        async with self._call("alerting the server's owner"):
            await owner.send(f"**{discord.utils.escape_markdown(guild.name)}** — {text}")

    @staticmethod
    def _ping(post: CaseStudyPost) -> str | None:
        return f"<@&{post.ping_role_id}>" if post.ping_role_id else None

    @staticmethod
    def _mentions(post: CaseStudyPost) -> discord.AllowedMentions:
        # The group's "veille" role is the only mention the bot ever sends.
        if post.ping_role_id:
            return discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(post.ping_role_id)]
            )
        return discord.AllowedMentions.none()


def _alert_channels(guild: discord.Guild, configured: int | None) -> list[discord.TextChannel]:
    channels = [guild.get_channel(configured) if configured else None, guild.system_channel]
    channels.append(guild.public_updates_channel)
    return [channel for channel in channels if isinstance(channel, discord.TextChannel)]


def alert_text(alert: ModeratorAlert) -> str:
    params = dict(alert.params)
    if "permission" in params:
        params["permission"] = t(f"permissions.{params['permission'] or 'unknown'}", alert.locale)
    channel_id = params.get("channel_id")
    params["channel"] = f"<#{channel_id}>" if channel_id else "?"
    params.setdefault("reasons", [])
    params["reasons"] = "; ".join(str(reason) for reason in params["reasons"]) or "—"
    for key in ("feed", "error", "detail"):
        if params.get(key) is not None:
            params[key] = discord.utils.escape_mentions(discord.utils.escape_markdown(str(params[key])))
    key = f"alerts.{alert.kind.value}"
    if alert.kind.value == "posting_paused":
        key += ".gone" if params.get("reason") == "channel_gone" else ".permission"
    return t(key, alert.locale, **params)
