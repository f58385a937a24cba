"""Interactions the fake Discord sends to the bot, and what the bot answered to each."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sandbox.fakediscord.world import Channel, Guild, Message, User

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5

# Callback types (https://discord.com/developers/docs/interactions/receiving-and-responding).
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
# Option types whose value is an id, resolved in the interaction's `data.resolved`.
USER_OPTION, CHANNEL_OPTION, ROLE_OPTION, MENTIONABLE_OPTION = 6, 7, 8, 9
ID_OPTIONS = (USER_OPTION, CHANNEL_OPTION, ROLE_OPTION, MENTIONABLE_OPTION)
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class CommandNotAvailable(AssertionError):
    """Discord would not offer this command to this user (not published, or no permission)."""


@dataclass
class InteractionRecord:
    """One interaction and everything the bot did with it."""

    id: int
    token: str
    type: int
    user: User
    guild: Guild | None
    channel: Channel
    data: dict[str, Any]
    locale: str
    # The message whose component was used (components; modals opened from a component).
    message: Message | None = None
    callback: dict[str, Any] | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    loop_time_sent: float = 0.0
    loop_time_answered: float | None = None
    # Discord closes a modal once it is submitted: a second submit needs the bot to open it again.
    modal_submitted: bool = False

    @property
    def callback_type(self) -> int | None:
        return self.callback["type"] if self.callback else None

    @property
    def latency(self) -> float | None:
        """Seconds between sending the interaction and the bot's first answer."""
        if self.loop_time_answered is None:
            return None
        return self.loop_time_answered - self.loop_time_sent

    async def response(self, timeout: float = 5.0) -> dict[str, Any]:
        """The body of the bot's interaction callback, once it arrives."""
        try:
            await asyncio.wait_for(self.answered.wait(), timeout)
        except TimeoutError:
            what = self.data.get("name") or self.data.get("custom_id")
            raise AssertionError(f"the bot did not answer interaction {what!r} within {timeout}s") from None
        assert self.callback is not None
        return self.callback

    def payload(self, application_id: int, permissions: int, bot_permissions: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "application_id": str(application_id),
            "type": self.type,
            "data": self.data,
            "token": self.token,
            "version": 1,
            "locale": self.locale,
            "channel_id": str(self.channel.id),
            "channel": self.channel.payload(),
            "app_permissions": str(bot_permissions),
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if self.message is not None:
            data["message"] = self.message.payload()
        if self.guild is not None:
            member = self.guild.members[self.user.id].payload()
            member["permissions"] = str(permissions)
            data.update(
                guild_id=str(self.guild.id),
                guild={"id": str(self.guild.id), "locale": self.guild.locale, "features": []},
                guild_locale=self.guild.locale,
                member=member,
                authorizing_integration_owners={"0": str(self.guild.id)},
                context=0,
            )
        else:
            data.update(user=self.user.payload(), authorizing_integration_owners={}, context=1)
        return data


def command_data(
    registered: dict[str, Any],
    path: list[str],
    options: dict[str, Any],
    guild: Guild | None,
    *,
    focused: str | None = None,
    invoker: User | None = None,
    channel: Channel | None = None,
) -> dict[str, Any]:
    """The `data` of a slash command interaction for `/name sub … option:value`, checked against
    the command as the bot published it (an unknown subcommand or option fails like a stale client).
    User, channel and role options take an id, and come with Discord's `resolved` objects (with
    permissions: a member's in `channel`, `invoker`'s in a chosen channel).

    With `focused`, the data of an autocomplete request while the user types that option: it carries
    `"focused": true`, and options still missing are fine."""
    schema = registered
    nested: list[dict[str, Any]] = []
    leaf_options = nested
    for name in path[1:]:
        sub = next((o for o in schema.get("options", []) if o["name"] == name), None)
        if sub is None or sub["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP):
            raise CommandNotAvailable(f"/{' '.join(path)}: {name!r} is not a published subcommand")
        entry: dict[str, Any] = {"name": name, "type": sub["type"], "options": []}
        leaf_options.append(entry)
        leaf_options = entry["options"]
        schema = sub
    known = {o["name"]: o for o in schema.get("options", []) if o["type"] not in (1, 2)}
    if focused is not None:
        if not known.get(focused, {}).get("autocomplete"):
            raise CommandNotAvailable(f"/{' '.join(path)}: option {focused!r} has no autocomplete")
        # What the user has typed so far: Discord sends it as a string, whatever the option's type.
        options = {**options, focused: str(options.get(focused, ""))}
    resolved: dict[str, dict[str, Any]] = {}
    for name, value in options.items():
        if name not in known:
            raise CommandNotAvailable(f"/{' '.join(path)} has no option {name!r}")
        if name != focused and known[name]["type"] in ID_OPTIONS:
            value = str(value)  # Discord sends ids as strings
            _resolve(resolved, known[name], int(value), guild, (invoker, channel))
        option = {"name": name, "type": known[name]["type"], "value": value}
        if name == focused:
            option["focused"] = True
        leaf_options.append(option)
    missing = [n for n, o in known.items() if o.get("required") and n not in options]
    if missing and focused is None:
        raise CommandNotAvailable(f"/{' '.join(path)} needs option(s) {', '.join(missing)}")
    data: dict[str, Any] = {
        "id": registered["id"],
        "name": registered["name"],
        "type": registered.get("type", 1),
        "options": nested,
    }
    if resolved:
        data["resolved"] = resolved
    if guild is not None and registered.get("guild_id"):
        data["guild_id"] = str(guild.id)
    return data


def _resolve(
    resolved: dict[str, dict[str, Any]],
    schema: dict[str, Any],
    key: int,
    guild: Guild | None,
    where: tuple[User | None, Channel | None],
) -> None:
    """Add the user, member, role or channel `key` to `resolved`, as Discord's client picked it."""
    kind = schema["type"]
    invoker, channel = where
    if guild is not None and kind in (USER_OPTION, MENTIONABLE_OPTION) and key in guild.members:
        member = guild.members[key]
        resolved.setdefault("users", {})[str(key)] = member.user.payload()
        partial = {field: value for field, value in member.payload().items() if field != "user"}
        partial["permissions"] = str(guild.permissions_of(key, channel.id if channel else None))
        resolved.setdefault("members", {})[str(key)] = partial
    elif guild is not None and kind in (ROLE_OPTION, MENTIONABLE_OPTION) and key in guild.roles:
        resolved.setdefault("roles", {})[str(key)] = guild.roles[key].payload()
    elif guild is not None and kind == CHANNEL_OPTION and key in guild.channels:
        target = guild.channels[key]
        allowed = schema.get("channel_types")
        if allowed and target.type not in allowed:
            raise CommandNotAvailable(
                f"option {schema['name']!r} does not offer #{target.name} (type {target.type})"
            )
        entry = target.payload()
        entry["permissions"] = str(guild.permissions_of(invoker.id, key) if invoker else 0)
        resolved.setdefault("channels", {})[str(key)] = entry
    else:
        raise CommandNotAvailable(f"option {schema['name']!r}: Discord's client offers nothing with id {key}")
