"""Acting as Discord users: slash commands, autocomplete, buttons and selects, modals, messages.

Each action fails like Discord's client would refuse it (a command never published, a disabled
button, a required modal field left empty…), so a test cannot do what no user could.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sandbox.fakediscord.components import (
    BUTTON,
    LINK_BUTTON,
    PREMIUM_BUTTON,
    SELECTS,
    FieldValue,
    check_choice,
    find,
    modal_submission,
)
from sandbox.fakediscord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    CommandNotAvailable,
    InteractionRecord,
    command_data,
)
from sandbox.fakediscord.world import (
    ADD_REACTIONS,
    FORUM_CHANNEL,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    Channel,
    Guild,
    Message,
    User,
    World,
)

if TYPE_CHECKING:
    from sandbox.fakediscord.channels import Channels
    from sandbox.fakediscord.messages import Messages
    from sandbox.fakediscord.reactions import Reactions
    from sandbox.fakediscord.threads import Threads


class UserActions:
    """Mixed into FakeDiscord, whose state it uses."""

    world: World
    commands: dict[int | None, list[dict[str, Any]]]  # guild id (None: global)
    interactions: dict[str, InteractionRecord]
    messages: Messages
    channels: Channels
    threads: Threads
    reactions: Reactions

    if TYPE_CHECKING:

        async def dispatch(self, event: str, data: Any) -> None: ...

        async def changed(self) -> None: ...

    # ── commands ────────────────────────────────────────────────────────────────────────────────

    async def slash(
        self,
        user: User,
        channel: Channel,
        command: str,
        /,
        *,
        locale: str = "fr",
        **options: Any,
    ) -> InteractionRecord:
        """Run `/command sub …` as `user` in `channel`, as the Discord client would.

        Fails like Discord's client when the bot never published the command or the user lacks the
        command's default permissions. The first three parameters are positional only, so that a
        command may have options called `user`, `channel` or `command`.
        """
        path = command.split()
        guild = self._guild_of(channel)
        registered = self.offered(path[0], user, guild, channel)
        data = command_data(registered, path, options, guild, invoker=user, channel=channel)
        return await self._send_interaction(APPLICATION_COMMAND, user, guild, channel, data, locale)

    async def autocomplete(
        self,
        user: User,
        channel: Channel,
        command: str,
        /,
        *,
        focused: str,
        locale: str = "fr",
        **options: Any,
    ) -> InteractionRecord:
        """What Discord sends while `user` types option `focused` of `/command sub …` (the text typed
        so far is `options[focused]`, "" if absent); the bot's choices are in `response()`."""
        path = command.split()
        guild = self._guild_of(channel)
        registered = self.offered(path[0], user, guild, channel)
        data = command_data(registered, path, options, guild, focused=focused, invoker=user, channel=channel)
        return await self._send_interaction(AUTOCOMPLETE, user, guild, channel, data, locale)

    def offered(self, name: str, user: User, guild: Guild | None, channel: Channel) -> dict[str, Any]:
        registered = self._published(name, guild)
        if guild is not None:
            required = int(registered.get("default_member_permissions") or 0)
            if required and guild.permissions_of(user.id, channel.id) & required != required:
                raise CommandNotAvailable(f"/{name} is hidden from {user.username}")
        return registered

    def _published(self, name: str, guild: Guild | None) -> dict[str, Any]:
        scopes = ([guild.id] if guild else []) + [None]
        for scope in scopes:
            for registered in self.commands.get(scope, []):
                if registered["name"] == name:
                    return registered
        raise CommandNotAvailable(f"/{name} was never published (run the bot's command sync)")

    # ── components and modals ───────────────────────────────────────────────────────────────────

    async def click(
        self,
        user: User,
        message: Message,
        custom_id: str,
        *,
        locale: str = "fr",
        values: list[str] | None = None,
    ) -> InteractionRecord:
        """Press the button `custom_id` of `message`, or pick `values` in its select menu."""
        if message.id not in self.world.messages:
            raise AssertionError(f"message {message.id} was deleted: nobody can use its components")
        recipient = self.recipient_of(message)
        if recipient is not None and recipient.id != user.id:
            raise AssertionError(
                f"{user.username} cannot see an ephemeral message meant for {recipient.username}"
            )
        component = find(message.components, custom_id)
        if component is None:
            raise CommandNotAvailable(f"message {message.id} has no component {custom_id!r}")
        if component.get("disabled"):
            raise CommandNotAvailable(f"{custom_id!r} is disabled: Discord's client would not send the click")
        kind = component["type"]
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if kind == BUTTON:
            if component.get("style") in (LINK_BUTTON, PREMIUM_BUTTON):
                raise CommandNotAvailable(f"{custom_id!r} is a link button: it sends the bot nothing")
            if values is not None:
                raise AssertionError(f"{custom_id!r} is a button: it takes no values")
        elif kind in SELECTS:
            check_choice(component, values or [], f"select {custom_id!r}")
            data["values"] = list(values or [])
        else:
            raise CommandNotAvailable(f"{custom_id!r} is a component of type {kind}: nothing to click")
        located = self.world.channel(message.channel_id)
        if located is None:
            raise AssertionError(f"the channel of message {message.id} was deleted")
        guild, channel = located
        if not guild.permissions_of(user.id, channel.id) & VIEW_CHANNEL:
            raise AssertionError(f"{user.username} cannot see #{channel.name}")
        return await self._send_interaction(
            MESSAGE_COMPONENT, user, guild, channel, data, locale, message=message
        )

    def recipient_of(self, message: Message) -> User | None:
        """Who sees an ephemeral message: the user of the interaction it answered."""
        if not message.ephemeral:
            return None
        for record in self.interactions.values():
            if record.original is message or any(m is message for m in record.followups):
                return record.user
        return None

    async def submit_modal(
        self,
        user: User,
        opened: InteractionRecord,
        values: Mapping[str, FieldValue],
        *,
        locale: str | None = None,
        client_checks: bool = True,
    ) -> InteractionRecord:
        """Fill in and submit the modal the bot opened in answer to `opened`.

        `values` is keyed by custom_id: text for a text input, a list for a select or checkbox group,
        the chosen value (or None) for a radio group, a bool for a checkbox. With `client_checks`,
        refuse what Discord's client refuses (a required field empty, a text too long or too short,
        a value not among the options); without, send `values` as they are, to test the bot's own
        checks.
        """
        callback = opened.callback
        if callback is None or callback.get("type") != MODAL:
            raise AssertionError(f"the bot answered with callback type {opened.callback_type}, not a modal")
        if user.id != opened.user.id:
            raise AssertionError(f"only {opened.user.username}, who opened it, sees this modal")
        if opened.modal_submitted:
            raise AssertionError(
                "Discord closed this modal when it was submitted: the bot must open it again"
            )
        modal = callback.get("data") or {}
        components = modal_submission(modal, values, client_checks=client_checks)
        opened.modal_submitted = True
        data = {"custom_id": modal["custom_id"], "components": components}
        # Discord includes the message only when the modal was opened from one of its components.
        message = opened.message if opened.type == MESSAGE_COMPONENT else None
        return await self._send_interaction(
            MODAL_SUBMIT, user, opened.guild, opened.channel, data, locale or opened.locale, message=message
        )

    async def _send_interaction(
        self,
        kind: int,
        user: User,
        guild: Guild | None,
        channel: Channel,
        data: dict[str, Any],
        locale: str,
        *,
        message: Message | None = None,
    ) -> InteractionRecord:
        record = InteractionRecord(
            id=self.world.ids.next(),
            token=secrets.token_urlsafe(24),
            type=kind,
            user=user,
            guild=guild,
            channel=channel,
            data=data,
            locale=locale,
            message=message,
        )
        self.interactions[record.token] = record
        permissions = guild.permissions_of(user.id, channel.id) if guild else 0
        bot_permissions = guild.permissions_of(self.world.bot.id, channel.id) if guild else 0
        record.loop_time_sent = asyncio.get_running_loop().time()
        await self.dispatch(
            "INTERACTION_CREATE", record.payload(self.world.application.id, permissions, bot_permissions)
        )
        return record

    # ── messages and channels ───────────────────────────────────────────────────────────────────

    async def say(self, user: User, channel: Channel, content: str) -> Message:
        """`user` posts `content` in `channel` (a text channel or a thread)."""
        guild = self._guild_of(channel)
        if guild is None:
            raise AssertionError(f"channel {channel.id} does not exist (any more)")
        if channel.type == FORUM_CHANNEL:
            raise AssertionError("nobody posts in a forum itself: post in one of its threads")
        needed = VIEW_CHANNEL | (SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES)
        if guild.permissions_of(user.id, channel.id) & needed != needed:
            raise AssertionError(f"Discord's client would not let {user.username} post in #{channel.name}")
        if not content.strip() or len(content) > 2000:
            raise AssertionError(f"Discord's client would refuse a message of {len(content)} characters")
        if channel.is_thread and channel.archived and channel.locked:
            raise AssertionError(f"#{channel.name} is locked: only moderators may post")
        await self.threads.reopen_for_post(channel)
        message = self.messages.create(channel, user, {"content": content}, {})
        await self.messages.publish(message)
        await self.changed()
        return message

    async def react(self, user: User, message: Message, emoji: str, *, on: bool = True) -> None:
        """`user` puts (or, with `on=False`, takes back) a unicode `emoji` reaction on `message`."""
        located = self.world.channel(message.channel_id)
        if located is None or message.id not in self.world.messages:
            raise AssertionError(f"message {message.id} is gone: nobody can react to it")
        guild, channel = located
        needed = VIEW_CHANNEL | (ADD_REACTIONS if on and not message.reactions.get(emoji) else 0)
        if guild.permissions_of(user.id, channel.id) & needed != needed:
            raise AssertionError(f"Discord's client would not let {user.username} react in #{channel.name}")
        if on:
            await self.reactions.add(guild, message, emoji, user)
        else:
            await self.reactions.remove(guild, message, emoji, user)
        await self.changed()

    async def delete_channel(self, channel: Channel) -> None:
        """Delete `channel` (and its threads and messages) as an admin would in Discord's app."""
        await self.channels.remove(channel)
        await self.changed()

    def _guild_of(self, channel: Channel) -> Guild | None:
        located = self.world.channel(channel.id)
        return located[0] if located else None
