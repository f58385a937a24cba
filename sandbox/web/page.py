"""The sandbox's web page: server-rendered HTML of the demo server, live updates, and the actions a
Discord client would send (commands, buttons, selects, modals, messages, reactions) as any demo user.

Every action goes through the fake Discord's user actions, so the bot receives exactly what the
wire-level tests send it; what Discord's client would refuse is refused here with its reason.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.services import Core
from sandbox.demo import DemoServer
from sandbox.fakediscord import CommandNotAvailable, InteractionRecord, Message
from sandbox.fakediscord.components import (
    BUTTON,
    CHECKBOX,
    CHECKBOX_GROUP,
    RADIO_GROUP,
    SELECTS,
    TEXT_INPUT,
    FieldValue,
    numbered,
    walk,
)
from sandbox.fakediscord.interactions import MODAL
from sandbox.web import markdown
from sandbox.web.texts import LANGUAGES, PageLanguage, texts
from sandbox.web.view import PageView, Viewer

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ANSWER_TIMEOUT_SECONDS = 10  # Discord's client gives up after about 3 s; the bot may be slower here
KEEPALIVE_SECONDS = 15

CoreGetter = Callable[[], Core | None]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class SandboxPage:
    def __init__(self, demo: DemoServer, core: CoreGetter) -> None:
        self.demo = demo
        self.view = PageView(demo)
        self._core = core
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters.update(md=self._markdown, color=_color, when=_iso)
        self.templates.globals.update(attachment_url=attachment_url, BUTTON=BUTTON, SELECTS=SELECTS)

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self._page),
            web.get("/live", self._live),
            web.get("/events", self._events),
            web.get("/attachments/{message}/{name}", self._file),
            web.static("/static", HERE / "static"),
            *(
                web.post(f"/act/{name}", _same_origin(handler))
                for name, handler in (
                    ("command", self._command),
                    ("autocomplete", self._autocomplete),
                    ("click", self._click),
                    ("modal", self._modal),
                    ("react", self._react),
                    ("say", self._say),
                    ("fast-forward", self._fast_forward),
                )
            ),
        ]

    # ── pages ───────────────────────────────────────────────────────────────────────────────────

    def _viewer(self, params: Any) -> Viewer:
        language: PageLanguage = "en" if params.get("lang") == "en" else "fr"
        return Viewer(self.view.user(params.get("as")), language, self.view.channel(params.get("channel")))

    async def _context(self, viewer: Viewer) -> dict[str, Any]:
        query = {"as": viewer.user.id, "channel": viewer.channel.id, "lang": viewer.language}
        return {
            "viewer": viewer,
            "view": self.view,
            "t": texts(viewer.language),
            "languages": LANGUAGES,
            "guild": self.demo.guild,
            "query": urlencode(query),
            "link": lambda **changes: "?" + urlencode({**query, **changes}),
            "version": self.demo.discord.version,
            "status": await self._status(),
        }

    async def _page(self, request: web.Request) -> web.Response:
        viewer = self._viewer(request.query)
        context = await self._context(viewer)
        context["commands"] = self.view.commands(viewer)
        return _html(self.templates.get_template("page.html").render(context))

    async def _live(self, request: web.Request) -> web.Response:
        """The parts of the page that change (channels, messages, status), for the live updates."""
        context = await self._context(self._viewer(request.query))
        return _html(self.templates.get_template("live.html").render(context))

    async def _status(self) -> dict[str, datetime | None] | None:
        core = self._core()
        if core is None or core.tallies is None:
            return None
        config = await core.posting.config(self.demo.guild.id)
        return {
            "clock": core.clock(),
            "post": core.posting.next_post(config),
            "digest": core.digests.next_digest(config),
        }

    async def _events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: the fake Discord's change counter, each time it moves."""
        headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)
        server = self.demo.discord
        with contextlib.suppress(ConnectionError):
            while not server.stopping:
                seen = server.version
                await response.write(f"data: {seen}\n\n".encode())
                if not await self._changed_since(seen):
                    await response.write(b": keep-alive\n\n")  # keeps proxies from closing it
        return response

    async def _changed_since(self, seen: int) -> bool:
        """Wait for the fake Discord's next change (True), or a while without one (False)."""
        server = self.demo.discord
        try:
            await server.wait_for(lambda: server.version != seen, timeout=KEEPALIVE_SECONDS, what="a change")
        except AssertionError:
            return False
        return True

    async def _file(self, request: web.Request) -> web.Response:
        """A message's attachment, at the address the fake Discord gave it."""
        key = request.match_info["message"]
        message = self.demo.world.messages.get(int(key)) if key.isdigit() else None
        name = request.match_info["name"]
        if message is None or name not in message.files:
            raise web.HTTPNotFound()
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return web.Response(body=message.files[name], content_type=kind)

    def _markdown(self, text: str | None) -> Markup:
        return markdown.render(text or "", self.view.name_of)

    # ── actions ─────────────────────────────────────────────────────────────────────────────────

    async def _command(self, request: web.Request) -> web.Response:
        form = await request.post()
        viewer = self._viewer(form)
        command = str(form.get("command", ""))
        return await self._act(viewer, lambda: self._slash(viewer, command, form))

    async def _slash(self, viewer: Viewer, command: str, form: Any) -> InteractionRecord:
        options = self._options(command, form)
        return await self.demo.discord.slash(
            viewer.user, viewer.channel, command, locale=viewer.language, **options
        )

    def _options(self, command: str, form: Any) -> dict[str, Any]:
        options: dict[str, Any] = {}
        for key, raw in form.items():
            if key.startswith("opt:") and str(raw).strip():
                name = key.removeprefix("opt:")
                try:
                    options[name] = self.view.option_value(command, name, str(raw).strip())
                except ValueError:
                    raise CommandNotAvailable(f"{name}: {raw!r} is not a number") from None
        return options

    async def _autocomplete(self, request: web.Request) -> web.Response:
        form = await request.post()
        viewer = self._viewer(form)
        command, focused = str(form.get("command", "")), str(form.get("focused", ""))
        try:
            options = self._options(command, form)
            record = await self.demo.discord.autocomplete(
                viewer.user, viewer.channel, command, focused=focused, locale=viewer.language, **options
            )
            answer = await record.response(ANSWER_TIMEOUT_SECONDS)
        except AssertionError:
            return web.json_response({"choices": []})
        return web.json_response({"choices": (answer.get("data") or {}).get("choices") or []})

    async def _click(self, request: web.Request) -> web.Response:
        form = await request.post()
        viewer = self._viewer(form)
        message = self._message(form)
        values = [str(value) for value in form.getall("values", [])]
        custom_id = str(form.get("custom_id", ""))
        component = next((c for c in walk(message.components) if c.get("custom_id") == custom_id), {})
        chosen = values if component.get("type") in SELECTS else None
        return await self._act(
            viewer,
            lambda: self.demo.discord.click(
                viewer.user, message, custom_id, locale=viewer.language, values=chosen
            ),
        )

    async def _modal(self, request: web.Request) -> web.Response:
        form = await request.post()
        viewer = self._viewer(form)
        opened = self.demo.discord.interactions.get(str(form.get("token", "")))
        if opened is None or opened.user.id != viewer.user.id:
            return _refused(viewer, "this form is not yours")
        values = self._modal_values(opened, form)
        return await self._act(viewer, lambda: self.demo.discord.submit_modal(viewer.user, opened, values))

    def _modal_values(self, opened: InteractionRecord, form: Any) -> dict[str, FieldValue]:
        """The form's fields as the modal's components take them (text, a choice, a list, a bool)."""
        values: dict[str, FieldValue] = {}
        modal = (opened.callback or {}).get("data") or {}
        for component in walk(modal.get("components") or []):
            custom_id = component.get("custom_id")
            if not custom_id:
                continue
            kind = component["type"]
            if kind == TEXT_INPUT:
                values[custom_id] = str(form.get(custom_id, ""))
            elif kind == RADIO_GROUP:
                values[custom_id] = str(form[custom_id]) if custom_id in form else None
            elif kind == CHECKBOX:
                values[custom_id] = custom_id in form
            elif kind in (*SELECTS, CHECKBOX_GROUP):
                values[custom_id] = [str(value) for value in form.getall(custom_id, [])]
        return values

    async def _react(self, request: web.Request) -> web.Response:
        form = await request.post()
        viewer = self._viewer(form)
        message = self._message(form)
        on = form.get("on", "1") == "1"
        emoji = str(form.get("emoji", ""))
        return await _as_client(viewer, self.demo.discord.react(viewer.user, message, emoji, on=on))

    async def _say(self, request: web.Request) -> web.Response:
        form = await request.post()
        viewer = self._viewer(form)
        content = str(form.get("content", ""))
        return await _as_client(viewer, self.demo.discord.say(viewer.user, viewer.channel, content))

    async def _fast_forward(self, request: web.Request) -> web.Response:
        form = await request.post()
        viewer = self._viewer(form)
        core = self._core()
        if core is None or core.tallies is None:
            return _error(texts(viewer.language)["bot_starting"])
        guild_id = self.demo.guild.id
        moved: object = (
            await core.fast_forward_digest(guild_id)
            if form.get("what") == "digest"
            else await core.fast_forward_case_study(guild_id)
        )
        await self.demo.discord.changed()  # the clock moved: the status shows it
        if moved is None:
            return _error(texts(viewer.language)["ff_none"])
        return web.json_response({})

    async def _act(self, viewer: Viewer, send: Callable[[], Awaitable[InteractionRecord]]) -> web.Response:
        """Send an interaction; answer with the modal the bot opened, or with why nothing happened."""
        try:
            record = await send()
        except AssertionError as refused:  # what Discord's client would not send
            return _refused(viewer, refused)
        try:
            answer = await record.response(ANSWER_TIMEOUT_SECONDS)
        except AssertionError:  # the bot did not answer in time
            return _error(texts(viewer.language)["no_answer"])
        if answer.get("type") == MODAL:
            return web.json_response({"modal": self._render_modal(viewer, record, answer.get("data") or {})})
        return web.json_response({})

    def _render_modal(self, viewer: Viewer, record: InteractionRecord, modal: dict[str, Any]) -> str:
        return self.templates.get_template("modal.html").render(
            modal=modal,
            components=numbered(modal.get("components") or []),
            token=record.token,
            viewer=viewer,
            t=texts(viewer.language),
        )

    def _message(self, form: Any) -> Message:
        key = str(form.get("message", ""))
        message = self.demo.world.messages.get(int(key)) if key.isdigit() else None
        if message is None:
            raise web.HTTPNotFound(text="this message is gone")
        return message


def _same_origin(handler: Handler) -> Handler:
    """Actions come from the page itself: another site open in the same browser cannot post them
    (its requests carry its own Origin)."""

    async def checked(request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            raise web.HTTPForbidden(text="the sandbox's actions come from its own page only")
        return await handler(request)

    return checked


def attachment_url(message: Message, url: str | None) -> str | None:
    """An embed's `attachment://name` as the page's address of that file."""
    if url and url.startswith("attachment://"):
        return f"/attachments/{message.id}/{url.removeprefix('attachment://')}"
    return url


def _color(value: int | None) -> str:
    return f"#{value:06x}" if value else "#4e5058"


def _iso(moment: datetime | str | None) -> str:
    return moment.isoformat() if isinstance(moment, datetime) else str(moment or "")


async def _as_client(viewer: Viewer, action: Awaitable[object]) -> web.Response:
    """Do what a Discord client does for `viewer` (a reaction, a message), or say why it would not."""
    try:
        await action
    except AssertionError as refused:
        return _refused(viewer, refused)
    return web.json_response({})


def _refused(viewer: Viewer, why: object) -> web.Response:
    return _error(f"{texts(viewer.language)['refused']} {why}")


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")


def _error(message: str) -> web.Response:
    return web.json_response({"error": message}, dumps=lambda data: json.dumps(data, ensure_ascii=False))
