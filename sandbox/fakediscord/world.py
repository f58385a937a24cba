"""The fake Discord's state: users, guilds, roles, channels and messages, and their wire payloads.

Payloads follow Discord's API v10 documentation field by field, so that discord.py parses them the
way it parses Discord's own.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
MANAGE_ROLES = 1 << 28
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)

# Channel types (https://discord.com/developers/docs/resources/channel#channel-object-channel-types).
TEXT_CHANNEL = 0
ANNOUNCEMENT_CHANNEL = 5
ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD = 10, 11, 12
FORUM_CHANNEL = 15
THREAD_TYPES = (ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)

HAS_THREAD = 1 << 5  # message flag: a thread was started from this message

# The only values Discord accepts for a thread's auto_archive_duration, in minutes.
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)


class Snowflakes:
    """Discord-shaped ids: time-ordered and unique within the server."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def next(self) -> int:
        millis = int(datetime.now(UTC).timestamp() * 1000) - DISCORD_EPOCH_MS
        return (millis << 22) | (next(self._counter) & 0x3FFFFF)


def iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
        }


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    mentionable: bool = False
    color: int = 0
    hoist: bool = False
    # The bot a managed role belongs to (Discord's `tags.bot_id`).
    bot_id: int | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Member:
    user: User
    roles: list[int] = field(default_factory=list)
    joined_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    nick: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "user": self.user.payload(),
            "roles": [str(role) for role in self.roles],
            "joined_at": iso(self.joined_at),
            "nick": self.nick,
            "avatar": None,
            "premium_since": None,
            "communication_disabled_until": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
        }


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    type: int = TEXT_CHANNEL
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    owner_id: int | None = None  # threads
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    rate_limit_per_user: int = 0
    # Permission bits denied to everyone in this channel (a simple stand-in for overwrites).
    denied: int = 0
    # Forums: the tags posts may carry, each {id, name, moderated, emoji_id, emoji_name}.
    available_tags: list[dict[str, Any]] = field(default_factory=list)
    # Forum posts: ids of the forum's tags applied to this thread.
    applied_tags: list[int] = field(default_factory=list)
    # Threads: messages after the starter (Discord's message_count), and every message ever sent.
    message_count: int = 0
    total_message_sent: int = 0
    member_count: int = 0
    last_message_id: int | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    archive_timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def payload(self) -> dict[str, Any]:
        if self.is_thread:
            return self._thread_payload()
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "topic": self.topic,
            "nsfw": False,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
            "rate_limit_per_user": self.rate_limit_per_user,
            "default_auto_archive_duration": 1440,
            "permission_overwrites": self._overwrites(),
            "flags": 0,
        }
        if self.type == FORUM_CHANNEL:
            data.update(
                available_tags=[dict(tag) for tag in self.available_tags],
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
            )
        return data

    def _overwrites(self) -> list[dict[str, Any]]:
        # `denied` is an @everyone overwrite (its id is the guild's): discord.py computes the same
        # permissions from it as `Guild.permissions_of` does.
        if not self.denied:
            return []
        return [{"id": str(self.guild_id), "type": 0, "allow": "0", "deny": str(self.denied)}]

    def _thread_payload(self) -> dict[str, Any]:
        # A thread channel object carries no position, topic nor overwrites: it has its parent's.
        metadata: dict[str, Any] = {
            "archived": self.archived,
            "auto_archive_duration": self.auto_archive_duration,
            "archive_timestamp": iso(self.archive_timestamp),
            "locked": self.locked,
            "create_timestamp": iso(self.created_at),
        }
        if self.type == PRIVATE_THREAD:
            metadata["invitable"] = True
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "owner_id": str(self.owner_id) if self.owner_id else None,
            "name": self.name,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
            "rate_limit_per_user": self.rate_limit_per_user,
            "flags": 0,
            "message_count": self.message_count,
            "member_count": self.member_count,
            "total_message_sent": self.total_message_sent,
            "applied_tags": [str(tag) for tag in self.applied_tags],
            "thread_metadata": metadata,
        }

    def tag(self, name: str) -> dict[str, Any]:
        """The forum tag called `name` (a test helper)."""
        return next(tag for tag in self.available_tags if tag["name"] == name)


@dataclass
class Message:
    id: int
    channel_id: int
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    webhook_id: int | None = None
    guild_id: int | None = None
    edited_at: datetime | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    allowed_mentions: dict[str, Any] | None = None
    # Bytes of the files sent with the message, by attachment filename.
    files: dict[str, bytes] = field(default_factory=dict)
    # Who the message pinged, once `allowed_mentions` and permissions are applied (as Discord does).
    mentions: list[User] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    # Reactions: emoji ("✅", or "name:id" for a custom one) → who reacted, in order.
    reactions: dict[str, list[User]] = field(default_factory=dict)
    # The thread started from this message, if any.
    thread: Channel | None = None
    # The sender's de-duplication nonce: only in the answer to its creation and in MESSAGE_CREATE.
    nonce: str | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def thread_id(self) -> int | None:
        return self.thread.id if self.thread else None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at) if self.edited_at else None,
            "tts": False,
            "mention_everyone": self.mention_everyone,
            "mentions": [user.payload() for user in self.mentions],
            "mention_roles": [str(role) for role in self.mention_roles],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "reactions": [_reaction_payload(emoji, who) for emoji, who in self.reactions.items() if who],
            "pinned": False,
            "type": self.type,
            "flags": self.flags | (HAS_THREAD if self.thread else 0),
        }
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.thread is not None:
            data["thread"] = self.thread.payload()
        return data


def emoji_payload(emoji: str) -> dict[str, Any]:
    """A partial emoji object from the path form discord.py sends: "✅" or "name:id"."""
    name, _, emoji_id = emoji.partition(":")
    return {"id": emoji_id or None, "name": name}


def _reaction_payload(emoji: str, users: list[User]) -> dict[str, Any]:
    return {
        "count": len(users),
        "count_details": {"burst": 0, "normal": len(users)},
        # The fake's only bot user is the application's: the reader of every payload.
        "me": any(user.bot for user in users),
        "me_burst": False,
        "burst_colors": [],
        "emoji": emoji_payload(emoji),
    }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    locale: str = "fr"
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    def permissions_of(self, user_id: int, channel_id: int | None = None) -> int:
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members[user_id]
        value = self.roles[self.id].permissions
        for role_id in member.roles:
            value |= self.roles[role_id].permissions
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        channel = self.channels.get(channel_id) if channel_id else None
        while channel is not None:
            value &= ~channel.denied
            channel = self.channels.get(channel.parent_id) if channel.parent_id else None
        return value

    def payload(self) -> dict[str, Any]:
        members = [member.payload() for member in self.members.values()]
        channels = [ch.payload() for ch in self.channels.values() if not ch.is_thread]
        threads = [ch.payload() for ch in self.channels.values() if ch.is_thread and not ch.archived]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "features": [],
            "roles": [role.payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "large": False,
            "unavailable": False,
            # discord.py asks for member chunks unless every member is already here.
            "member_count": len(members),
            "members": members,
            "channels": channels,
            "threads": threads,
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": iso(datetime.now(UTC)),
        }


@dataclass
class Application:
    id: int
    name: str
    owner: User
    bot: User
    token: str
    # Privileged intents switched on in the (fake) Developer Portal.
    privileged_intents: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "bot": self.bot.payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "install_params": None,
            "integration_types_config": {},
        }


class World:
    """Everything the fake Discord knows. Tests build it with the `add_*` helpers."""

    def __init__(self, token: str = "fake-bot-token") -> None:
        self.ids = Snowflakes()
        owner = User(self.ids.next(), "app-owner")
        bot = User(self.ids.next(), "veille-bot", global_name="Veille", bot=True)
        self.application = Application(self.ids.next(), "veille-bot", owner, bot, token)
        self.users: dict[int, User] = {owner.id: owner, bot.id: bot}
        self.guilds: dict[int, Guild] = {}
        self.messages: dict[int, Message] = {}

    @property
    def bot(self) -> User:
        return self.application.bot

    def add_user(self, username: str, global_name: str | None = None) -> User:
        user = User(self.ids.next(), username, global_name=global_name)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, locale: str = "fr") -> Guild:
        owner = self.add_user(f"{name.lower().replace(' ', '-')}-owner")
        guild = Guild(self.ids.next(), name, owner.id, locale=locale)
        guild.roles[guild.id] = Role(guild.id, "@everyone", EVERYONE_PERMISSIONS)
        guild.members[owner.id] = Member(owner)
        bot_role = self.add_role(guild, "veille-bot", EVERYONE_PERMISSIONS, managed=True)
        bot_role.bot_id = self.bot.id
        guild.members[self.bot.id] = Member(self.bot, roles=[bot_role.id])
        self.guilds[guild.id] = guild
        return guild

    def add_role(
        self, guild: Guild, name: str, permissions: int, *, managed: bool = False, mentionable: bool = False
    ) -> Role:
        """A role above every existing one (Discord's API adds new roles at the bottom instead)."""
        role = Role(
            self.ids.next(),
            name,
            permissions,
            position=len(guild.roles),
            managed=managed,
            mentionable=mentionable,
        )
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: Guild, user: User, roles: list[Role] | None = None) -> Member:
        member = Member(user, roles=[role.id for role in roles or []])
        guild.members[user.id] = member
        return member

    def add_channel(
        self,
        guild: Guild,
        name: str,
        *,
        type: int = TEXT_CHANNEL,
        parent: Channel | None = None,
        tags: list[str] | None = None,
    ) -> Channel:
        """A channel; `tags` names the available tags of a forum (type=FORUM_CHANNEL)."""
        channel = Channel(
            self.ids.next(),
            guild.id,
            name,
            type=type,
            position=len(guild.channels),
            parent_id=parent.id if parent else None,
        )
        channel.available_tags = [self.forum_tag(tag) for tag in tags or []]
        guild.channels[channel.id] = channel
        return channel

    def forum_tag(self, name: str, *, moderated: bool = False) -> dict[str, Any]:
        return {
            "id": str(self.ids.next()),
            "name": name,
            "moderated": moderated,
            "emoji_id": None,
            "emoji_name": None,
        }

    def add_thread(
        self,
        parent: Channel,
        name: str,
        *,
        owner: User,
        id: int | None = None,
        type: int = PUBLIC_THREAD,
        auto_archive_duration: int = 1440,
        rate_limit_per_user: int = 0,
        applied_tags: list[int] | None = None,
    ) -> Channel:
        """A thread in `parent`; started from a message, it has that message's id (as on Discord)."""
        thread = Channel(
            id if id is not None else self.ids.next(),
            parent.guild_id,
            name,
            type=type,
            parent_id=parent.id,
            owner_id=owner.id,
            auto_archive_duration=auto_archive_duration,
            rate_limit_per_user=rate_limit_per_user,
            applied_tags=list(applied_tags or []),
            member_count=1,  # its creator joins it
        )
        self.guilds[parent.guild_id].channels[thread.id] = thread
        if id is not None and id in self.messages:
            self.messages[id].thread = thread
        return thread

    def thread_of(self, message_id: int) -> Channel | None:
        """The thread started from message `message_id` (or the forum post it opens), if any."""
        located = self.channel(message_id)
        return located[1] if located and located[1].is_thread else None

    def remove_channel(self, channel: Channel) -> list[Channel]:
        """Delete a channel with its threads and all their messages; returns the channels removed."""
        guild = self.guilds[channel.guild_id]
        threads = [ch for ch in guild.channels.values() if ch.is_thread and ch.parent_id == channel.id]
        removed = [channel, *threads]
        gone = {ch.id for ch in removed}
        for ch in removed:
            del guild.channels[ch.id]
        for message in list(self.messages.values()):
            if message.channel_id in gone:
                del self.messages[message.id]
            elif message.thread is not None and message.thread.id in gone:
                message.thread = None
        return removed

    def channel(self, channel_id: int) -> tuple[Guild, Channel] | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild, guild.channels[channel_id]
        return None

    def channel_messages(self, channel_id: int) -> list[Message]:
        """What everyone sees in the channel (ephemeral answers are only their recipient's)."""
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.ephemeral]
