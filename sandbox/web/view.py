"""What the page shows one viewer: the channels, the messages they can see, the commands they are
offered, as plain data for the templates (read from the fake Discord's state, never changed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.demo import DemoServer
from sandbox.fakediscord import Channel, CommandNotAvailable, Message, User, World
from sandbox.fakediscord.interactions import (
    CHANNEL_OPTION,
    MENTIONABLE_OPTION,
    ROLE_OPTION,
    SUB_COMMAND,
    SUB_COMMAND_GROUP,
    USER_OPTION,
)
from sandbox.fakediscord.world import FORUM_CHANNEL, TEXT_CHANNEL
from sandbox.web.texts import PageLanguage

STRING, INTEGER, BOOLEAN, NUMBER, ATTACHMENT = 3, 4, 5, 10, 11


@dataclass(frozen=True)
class Viewer:
    user: User
    language: PageLanguage
    channel: Channel


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class OptionForm:
    name: str  # as published: what the form sends back
    label: str
    description: str
    kind: str  # "text", "integer", "number", "boolean", "select", "unsupported"
    required: bool
    autocomplete: bool
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class CommandForm:
    path: str  # "digest now": what the form sends back
    label: str  # "/briefing maintenant" in French
    description: str
    options: tuple[OptionForm, ...]


@dataclass
class ChannelEntry:
    channel: Channel
    threads: list[Channel] = field(default_factory=list)


def localized(entry: dict[str, Any], key: str, language: PageLanguage) -> str:
    """A command's name or description as a Discord client in `language` shows it."""
    return str((entry.get(f"{key}_localizations") or {}).get(language) or entry.get(key) or "")


class PageView:
    def __init__(self, demo: DemoServer) -> None:
        self.demo = demo

    @property
    def world(self) -> World:
        return self.demo.world

    # ── who, where ──────────────────────────────────────────────────────────────────────────────

    def user(self, user_id: str | None) -> User:
        people = {str(user.id): user for user in self.demo.people}
        return people.get(user_id or "", self.demo.moderator)

    def channel(self, channel_id: str | None) -> Channel:
        guild = self.demo.guild
        if channel_id and channel_id.isdigit() and int(channel_id) in guild.channels:
            return guild.channels[int(channel_id)]
        return self.demo.channel

    def is_moderator(self, user: User) -> bool:
        return user.id == self.demo.moderator.id

    def channels(self) -> list[ChannelEntry]:
        """Text channels and forums, each with its threads, newest thread first."""
        every = list(self.demo.guild.channels.values())
        entries = [ChannelEntry(c) for c in every if c.type in (TEXT_CHANNEL, FORUM_CHANNEL)]
        for entry in entries:
            threads = [c for c in every if c.is_thread and c.parent_id == entry.channel.id]
            entry.threads = sorted(threads, key=lambda thread: thread.id, reverse=True)
        return entries

    def parent_of(self, channel: Channel) -> Channel | None:
        return self.demo.guild.channels.get(channel.parent_id) if channel.parent_id else None

    # ── messages ────────────────────────────────────────────────────────────────────────────────

    def messages(self, viewer: Viewer) -> list[Message]:
        """What `viewer` sees in their channel, oldest first: everyone's messages and the ephemeral
        answers meant for them. A thread opens with the message it was started from, as Discord shows."""
        shown = [
            message
            for message in self.world.messages.values()
            if message.channel_id == viewer.channel.id and self.sees(viewer.user, message)
        ]
        starter = self.starter_of(viewer.channel)
        if starter is None:
            return sorted(shown, key=lambda m: m.id)
        # The starter lives in the parent channel, and so do the private answers to its buttons;
        # Discord shows those where the user clicked: here.
        shown.extend(self._private_answers(starter, viewer.user))
        return [starter, *sorted(shown, key=lambda m: m.id)]

    def _private_answers(self, message: Message, user: User) -> list[Message]:
        answers: list[Message] = []
        for record in self.demo.discord.interactions.values():
            if record.message is message and record.user.id == user.id:
                sent = [record.original, *record.followups] if record.original else record.followups
                answers.extend(m for m in sent if m.ephemeral and m.id in self.world.messages)
        return answers

    def starter_of(self, thread: Channel) -> Message | None:
        if not thread.is_thread:
            return None
        return next((m for m in self.world.messages.values() if m.thread is thread), None)

    def sees(self, user: User, message: Message) -> bool:
        recipient = self.demo.discord.recipient_of(message)
        return not message.ephemeral or (recipient is not None and recipient.id == user.id)

    def is_pending(self, message: Message) -> bool:
        """A deferred answer the bot has not filled in yet ("… is thinking")."""
        return not (message.content or message.embeds or message.attachments or message.components)

    def name_of(self, kind: str, key: int) -> str | None:
        """For mentions: a member's name, a channel's name or a role's name."""
        guild = self.demo.guild
        if kind == "#" and key in guild.channels:
            return guild.channels[key].name
        if kind == "&" and key in guild.roles:
            return guild.roles[key].name
        member = guild.members.get(key)
        return (member.user.global_name or member.user.username) if member else None

    # ── commands ────────────────────────────────────────────────────────────────────────────────

    def commands(self, viewer: Viewer) -> list[CommandForm]:
        """Every published command (subcommands apart) that Discord would offer `viewer` here."""
        guild = self.demo.guild
        forms: list[CommandForm] = []
        for command in self._published():
            if command.get("type", 1) != 1:
                continue
            try:
                self.demo.discord.offered(command["name"], viewer.user, guild, viewer.channel)
            except CommandNotAvailable:
                continue
            forms.extend(self._leaves(command, [command], viewer.language))
        return sorted(forms, key=lambda form: form.label)

    def _leaves(
        self, entry: dict[str, Any], trail: list[dict[str, Any]], language: PageLanguage
    ) -> list[CommandForm]:
        subs = [o for o in entry.get("options") or [] if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
        if subs:
            return [leaf for sub in subs for leaf in self._leaves(sub, [*trail, sub], language)]
        options = tuple(self._option(o, language) for o in entry.get("options") or [])
        return [
            CommandForm(
                path=" ".join(part["name"] for part in trail),
                label="/" + " ".join(localized(part, "name", language) for part in trail),
                description=localized(entry, "description", language),
                options=options,
            )
        ]

    def _option(self, option: dict[str, Any], language: PageLanguage) -> OptionForm:
        kind, choices = self._kind(option, language)
        return OptionForm(
            name=option["name"],
            label=localized(option, "name", language),
            description=localized(option, "description", language),
            kind=kind,
            required=bool(option.get("required")),
            autocomplete=bool(option.get("autocomplete")),
            choices=choices,
        )

    def _kind(self, option: dict[str, Any], language: PageLanguage) -> tuple[str, tuple[Choice, ...]]:
        guild = self.demo.guild
        kind = option["type"]
        if option.get("choices"):
            listed = tuple(Choice(str(c["value"]), localized(c, "name", language)) for c in option["choices"])
            return "select", listed
        if kind in (USER_OPTION, MENTIONABLE_OPTION):
            people = tuple(Choice(str(u.id), u.global_name or u.username) for u in self.demo.people)
            return "select", people
        if kind == CHANNEL_OPTION:
            allowed = option.get("channel_types")
            places = [c for c in guild.channels.values() if not allowed or c.type in allowed]
            return "select", tuple(Choice(str(c.id), f"#{c.name}") for c in places)
        if kind == ROLE_OPTION:
            roles = [r for r in guild.roles.values() if r.id != guild.id]
            return "select", tuple(Choice(str(r.id), f"@{r.name}") for r in roles)
        simple = {STRING: "text", INTEGER: "integer", NUMBER: "number", BOOLEAN: "boolean"}
        return simple.get(kind, "unsupported"), ()

    def option_value(self, command: str, name: str, raw: str) -> Any:
        """A form's text as the command's option wants it (an int for an integer…)."""
        entry = self._schema(command)
        option = next((o for o in entry.get("options") or [] if o["name"] == name), None)
        if option is None:
            return raw
        if option["type"] == INTEGER:
            return int(raw)
        if option["type"] == NUMBER:
            return float(raw)
        if option["type"] == BOOLEAN:
            return raw == "true"
        return raw

    def _schema(self, command: str) -> dict[str, Any]:
        path = command.split()
        entry: dict[str, Any] = next((c for c in self._published() if c["name"] == path[0]), {})
        for name in path[1:]:
            entry = next((o for o in entry.get("options") or [] if o["name"] == name), {})
        return entry

    def _published(self) -> list[dict[str, Any]]:
        """The commands published to the demo server, then the global ones."""
        commands = self.demo.discord.commands
        return commands.get(self.demo.guild.id, []) + commands.get(None, [])
