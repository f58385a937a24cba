"""Localisation, checked on the code and on the real command tree.

- every catalogue key the code names (`t`, `text`, `UserProblem`, the name and choice helpers…)
  exists in both catalogues, and every key family built at run time (`stance.{…}`) is complete;
- every command, group, option and choice of every loaded extension has its name and description
  from the catalogues, in French and English, through the bot's own `CatalogueTranslator`;
- `cogs/` holds no user-facing text of its own: what users read comes from the catalogues;
- both catalogues are filled in, and French is not English pasted into fr.toml.
"""

from __future__ import annotations

import ast
import asyncio
import re
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import discord
import pytest
from discord import app_commands

from bot.i18n import LOCALES, Locale, catalogue
from tests.conftest import REPO

FRENCH, ENGLISH = catalogue("fr"), catalogue("en")

# ── the keys the code names ─────────────────────────────────────────────────────────────────────

# Function → (the module it comes from, the index of its key argument, the key the code's string
# becomes). It counts where the file imports it, called by its bare name.
KEY_FUNCTIONS: dict[str, tuple[str, int, str]] = {
    "t": ("bot.i18n", 0, "{}"),  # t(key, locale, …)
    "UserProblem": ("bot.errors", 0, "{}"),  # UserProblem(key, …): a private answer
    "text": ("cogs.translator", 0, "{}"),  # text(key): command descriptions, choice names
    "choice": ("cogs.translator", 0, "{}"),  # choice(key, value)
    "command_name": ("cogs.translator", 0, "names.command.{}"),  # command_name("veille setup")
    "option_name": ("cogs.translator", 0, "names.option.{}"),  # option_name("channel")
}


@dataclass(frozen=True, order=True)
class KeyUse:
    file: str
    line: int
    key: str
    prefix: bool  # an f-string's fixed start: some key must begin with it


def _assigned(scope: ast.AST, name: str) -> list[ast.expr]:
    """The values `name` is given in `scope` (a variable holding a key: `key = "a" if x else "b"`)."""
    values: list[ast.expr] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            values.append(value)
    return values


def _keys_of(expr: ast.expr, scope: ast.AST, depth: int = 0) -> Iterator[tuple[str, bool]]:
    """The catalogue keys an expression may hold, as (key, is_prefix)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        yield expr.value, False
    elif isinstance(expr, ast.JoinedStr):
        fixed = ""
        for part in expr.values:
            if not isinstance(part, ast.Constant):
                break
            fixed += str(part.value)
        if fixed:
            yield fixed, any(not isinstance(part, ast.Constant) for part in expr.values)
    elif isinstance(expr, ast.IfExp):
        yield from _keys_of(expr.body, scope, depth)
        yield from _keys_of(expr.orelse, scope, depth)
    elif isinstance(expr, ast.Name) and depth < 3:  # a variable: what the function assigns to it
        for value in _assigned(scope, expr.id):
            yield from _keys_of(value, scope, depth + 1)


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _imported(tree: ast.AST) -> set[str]:
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if KEY_FUNCTIONS.get(alias.name, ("",))[0] == node.module
    }


def key_uses(source: str, filename: str = "<snippet>") -> list[KeyUse]:
    """Every key passed to a key-taking function in `source`: a string, an f-string's fixed start,
    either branch of a conditional, or what a local variable is set to."""
    tree = ast.parse(source)
    functions = _imported(tree)
    scopes: dict[ast.AST, ast.AST] = {}  # a node → its innermost function (or the module)

    def enclose(node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            scopes[child] = scope
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            enclose(child, child if inner else scope)

    enclose(tree, tree)
    uses = set()
    for node, scope in scopes.items():
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in functions:
            continue
        _, index, template = KEY_FUNCTIONS[node.func.id]
        if len(node.args) > index:
            for key, prefix in _keys_of(node.args[index], scope):
                uses.add(KeyUse(filename, node.lineno, template.format(key), prefix))
    return sorted(uses)


def missing_keys(uses: list[KeyUse], *catalogues: dict[str, Any]) -> list[str]:
    problems = []
    for use in uses:
        for locale, keys in zip(LOCALES, catalogues, strict=True):
            found = any(k.startswith(use.key) for k in keys) if use.prefix else use.key in keys
            if not found:
                kind = "no key starts with" if use.prefix else "missing key"
                problems.append(f"{use.file}:{use.line}: {kind} {use.key!r} in {locale}.toml")
    return problems


def code_files() -> list[Path]:
    return sorted((REPO / "bot").rglob("*.py")) + sorted((REPO / "cogs").rglob("*.py"))


def all_key_uses() -> list[KeyUse]:
    uses = []
    for path in code_files():
        uses += key_uses(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    return uses


def test_every_key_the_code_names_is_in_both_catalogues() -> None:
    uses = all_key_uses()

    assert len(uses) > 150  # the scan does find the code's keys
    assert missing_keys(uses, FRENCH, ENGLISH) == []


def test_the_key_scan_catches_a_typo() -> None:
    snippet = """from bot.i18n import t
def show(locale, hidden, stance):
    t("status.title", locale)
    t("status.titel", locale)                         # a typo
    key = "moderation.hidden" if hidden else "moderation.shwon"
    t(key, locale)
    raise UserProblem("errors.nope")
    text(f"stance.{stance}")
    text(f"stanse.{stance}")
    command_name("veille sutep")
    markup.text("not a key at all")                   # someone else's text(): not ours
from bot.errors import UserProblem
from cogs.translator import command_name, text
"""
    assert missing_keys(key_uses(snippet), FRENCH, ENGLISH) == [
        f"<snippet>:{line}: {problem} in {locale}.toml"
        for line, problem in [
            (4, "missing key 'status.titel'"),
            (6, "missing key 'moderation.shwon'"),
            (7, "missing key 'errors.nope'"),
            (9, "no key starts with 'stanse.'"),
            (10, "missing key 'names.command.veille sutep'"),
        ]
        for locale in LOCALES
    ]


def _key_families() -> list[tuple[str, str]]:
    """Keys the code builds from a value at run time, with every value it can take."""
    from bot.digest.model import Trend
    from bot.i18n import LOCALES as locales
    from bot.posting.model import STANCES
    from bot.posting.publisher import AlertKind
    from bot.posting.schedule import WEEKDAYS
    from cogs.publisher import DIGEST_NEEDS, FORUM_NEEDS, TEXT_NEEDS

    families = [(f"stance.{stance}", "a stance's name") for stance in STANCES]
    families += [(f"tally.{stance}", "a stance's count") for stance in STANCES]
    families += [(f"days.{day}", "a weekday") for day in WEEKDAYS]
    families += [(f"setup.language_{locale}", "a group language") for locale in locales]
    families += [(f"casestudy.language_{locale}", "an article's language") for locale in locales]
    families += [(f"alerts.{kind.value}", "an alert") for kind in AlertKind]
    families += [(f"digest.trend.{trend.value}", "a theme's trend") for trend in Trend]
    families += [
        (f"permissions.{name}", "a permission the bot may lack")
        for name in {*TEXT_NEEDS, *FORUM_NEEDS, *DIGEST_NEEDS, *_permissions_named_in_cogs(), "unknown"}
    ]
    return sorted(families)


def _permissions_named_in_cogs() -> set[str]:
    """The permissions `cogs/` blames a failure on (`permission=…`, `_call(what, permission)`)."""
    names = set()
    for path in sorted((REPO / "cogs").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            candidates = [kw.value for kw in node.keywords if kw.arg == "permission"]
            if _callee(node) == "_call" and len(node.args) > 1:
                candidates.append(node.args[1])
            names |= {c.value for c in candidates if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return names


@pytest.mark.parametrize(("key", "what"), _key_families())
def test_keys_built_at_run_time_exist_for_every_value(key: str, what: str) -> None:
    for keys in (FRENCH, ENGLISH):
        assert key in keys or any(k.startswith(f"{key}.") for k in keys), f"{key} ({what})"


# ── the command tree ────────────────────────────────────────────────────────────────────────────

ENGLISH_LOCALES = ("en-US", "en-GB")


class _NoCore:
    """The command tree is built without the core: touching it here is a bug in this test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"building the command tree used the core ({name})")


@dataclass
class Translated:
    """What the translator was asked, by what it was asked for."""

    asked: list[tuple[str, app_commands.locale_str, str, str | None]] = field(default_factory=list)


class RecordingTranslator(app_commands.Translator):
    def __init__(self, real: app_commands.Translator, record: Translated) -> None:
        self.real = real
        self.record = record

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        result = await self.real.translate(string, locale, context)
        self.record.asked.append((context.location.name, string, locale.value, result))
        return result


@dataclass(frozen=True)
class Tree:
    payloads: list[dict[str, Any]]  # what `tree.sync()` would send, translated
    asked: list[tuple[str, app_commands.locale_str, str, str | None]]
    extensions: set[str]  # the extensions the bot loaded


@pytest.fixture(scope="module")
def tree() -> Tree:
    """The real bot's commands, from every extension it loads, translated by its own translator."""
    return asyncio.run(_translated_tree())


async def _translated_tree() -> Tree:
    from bot.services import Core
    from cogs.client import EXTENSIONS, VeilleBot
    from cogs.translator import CatalogueTranslator

    bot = VeilleBot(cast(Core, _NoCore()), background_jobs=False)
    await bot.setup_hook()  # the translator, the buttons, every extension; no core needed
    translator = bot.tree.translator
    assert isinstance(translator, CatalogueTranslator)
    record = Translated()
    recording = RecordingTranslator(translator, record)
    payloads = [
        await command.get_translated_payload(bot.tree, recording) for command in bot.tree.get_commands()
    ]
    assert set(bot.extensions) == set(EXTENSIONS)
    return Tree(payloads, record.asked, set(bot.extensions))


def nodes(payloads: list[dict[str, Any]], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every command, group, subcommand and option, with a readable path (`/veille setup days`),
    and every choice (`/veille setup language=fr`)."""
    for payload in payloads:
        here = f"{path} {payload['name']}".strip()
        yield f"/{here}", payload
        for choice in payload.get("choices", []):
            yield f"/{here}={choice['value']}", choice
        yield from nodes(payload.get("options", []), here)


def test_the_tree_has_every_extension(tree: Tree) -> None:
    names = {payload["name"] for payload in tree.payloads}

    assert {"cogs.veille", "cogs.casestudy", "cogs.takes", "cogs.digest"} <= tree.extensions
    assert {"veille", "casestudy", "take", "moderation", "digest"} <= names


def test_every_name_and_description_is_localised_in_french_and_english(tree: Tree) -> None:
    problems = []
    for path, node in nodes(tree.payloads):
        texts = ["name", "description"] if "description" in node else ["name"]
        for text in texts:
            localised = node.get(f"{text}_localizations") or {}
            for locale in ("fr", *ENGLISH_LOCALES):
                if not localised.get(locale):
                    problems.append(f"{path}: no {locale} {text} (a plain string? use text()/command_name())")
            for locale in ENGLISH_LOCALES:
                if localised.get(locale) not in (None, node[text]):
                    problems.append(f"{path}: the {locale} {text} is not the code's ({localised[locale]!r})")

    assert problems == []


def test_every_command_text_carries_a_key_of_both_catalogues(tree: Tree) -> None:
    problems = set()
    for location, string_, locale, result in tree.asked:
        key = string_.extras.get("key")
        if key is None:
            problems.add(f"{location} {string_.message!r} has no catalogue key")
        elif key not in FRENCH or key not in ENGLISH:
            problems.add(f"{location} {string_.message!r}: {key!r} is not in both catalogues")
        elif locale == "fr" and result is None:
            problems.add(f"{location} {key!r} is not a text in fr.toml")

    assert len(tree.asked) > 100
    assert sorted(problems) == []


def valid_name(name: str) -> bool:
    """Discord's rule for a command or option name: `^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`,
    lowercase where a letter has a lowercase form (Deva and Thai marks are left out: we have none)."""
    return (
        1 <= len(name) <= 32
        and all(c in "-_" or unicodedata.category(c)[0] in "LN" for c in name)
        and name == name.lower()
    )


def test_french_names_are_valid_discord_names_and_distinct(tree: Tree) -> None:
    problems = []

    def check(payloads: list[dict[str, Any]], where: str) -> None:
        seen: dict[str, str] = {}  # Discord refuses two siblings of the same name
        for payload in payloads:  # commands, subcommands and options (choices are not named so)
            name = (payload.get("name_localizations") or {}).get("fr", payload["name"])
            if not valid_name(name):
                problems.append(f"{where}{payload['name']}: {name!r} is not a valid Discord name")
            if name in seen:
                problems.append(f"{where}: {payload['name']} and {seen[name]} are both {name!r} in French")
            seen[name] = payload["name"]
            check(payload.get("options", []), f"{where}{payload['name']} ")

    check(tree.payloads, "/")
    assert problems == []


def test_the_name_check_refuses_what_discord_refuses() -> None:
    assert valid_name("étude-de-cas") and valid_name("fuseau_horaire") and valid_name("rôle_modération")
    assert not valid_name("Étude") and not valid_name("étude de cas") and not valid_name("x" * 33)
    assert not valid_name("") and not valid_name("avis!")


def test_choices_show_catalogue_names_in_french_and_english(tree: Tree) -> None:
    choices = [(path, node) for path, node in nodes(tree.payloads) if "=" in path]

    assert choices  # /veille setup language, /veille notify state
    for path, choice in choices:
        localised = choice.get("name_localizations") or {}
        assert localised.get("fr"), path
        assert all(localised.get(locale) == choice["name"] for locale in ENGLISH_LOCALES), path


def _names_in(payloads: list[dict[str, Any]], locale: str) -> dict[str, dict[str, Any]]:
    return {(p.get("name_localizations") or {}).get(locale, p["name"]): p for p in payloads}


@pytest.mark.parametrize("locale", LOCALES)
def test_commands_named_in_the_catalogues_exist_in_their_language(tree: Tree, locale: Locale) -> None:
    """A text that says "`/veille setup channel:`" must name the command and option as a user of
    that language sees them in Discord (French users see the French names)."""
    tag = "fr" if locale == "fr" else "en-US"
    problems = []
    mentions = 0
    for key, value in catalogue(locale).items():
        for mention in re.findall(r"`/([^`]+)`", str(value)):
            mentions += 1
            words = mention.split()
            level = _names_in(tree.payloads, tag)
            for word in (w for w in words if ":" not in w):
                command = level.get(word)
                if command is None:
                    problems.append(f"{key}: /{mention}: no command {word!r} in {locale}")
                    break
                level = _names_in(command.get("options", []), tag)
            else:
                for option in (w.split(":")[0] for w in words if ":" in w):
                    if option not in level:
                        problems.append(f"{key}: /{mention}: no option {option!r} in {locale}")

    assert mentions > 5
    assert problems == []


# ── no user-facing text in cogs/ ────────────────────────────────────────────────────────────────

# A call's text arguments: whatever they hold is shown to users.
TEXT_KEYWORDS = {
    "label",
    "placeholder",
    "title",
    "description",
    "content",
    "text",
    "name",
    "group_name",
    "group_description",
    "footer",
}
FIELD_CALLS = {"add_field", "insert_field_at", "set_field_at"}  # their `value` too
MESSAGE_CALLS = {
    "reply",
    "send",
    "send_message",
    "edit_message",
    "edit_original_response",
    "edit",
    "Embed",
    "set_footer",
    "set_author",
}
LOGGERS = {"log", "logger", "logging"}

# The explicit exceptions: strings there are not a conversation with users.
ALLOWED_CALLS = {
    "DeliveryFailure": "the core's diagnostic of a failed Discord call: logged, kept as the pause reason",
    "_call": "names a Discord call in DeliveryFailure's diagnostic and in the logs",
    "ConfigError": "the operator's CLI error (English, like the whole CLI)",
    "ConnectError": "the operator's CLI error (English, like the whole CLI)",
    "create_task": "an asyncio task's name, seen in the logs",
}
ALLOWED_KEYWORDS = {
    "reason": "an audit-log note for the server's admins, like a log line (English)",
}
ALLOWED_FUNCTIONS = {
    "publish_commands": "`veille sync`'s report on the operator's console (English, like the CLI)",
}

WORD = r"[^\W\d_]{2,}"
PROSE = re.compile(rf"{WORD}\S*\s+[^\w\s]*{WORD}")  # two words of letters: a sentence, a label…
HAS_WORD = re.compile(WORD)


@dataclass(frozen=True)
class FoundText:
    where: str
    text: str
    why: str


def _literal_text(expr: ast.expr) -> str | None:
    """The text of a string, or an f-string's with `{}` for its placeholders; None for anything else."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        return "".join(str(p.value) if isinstance(p, ast.Constant) else "{}" for p in expr.values)
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.found: list[FoundText] = []

    def _report(self, node: ast.AST, text: str, why: str) -> None:
        where = f"{self.filename}:{getattr(node, 'lineno', 0)}"
        if not any(f.where == where and f.text == text for f in self.found):
            self.found.append(FoundText(where, text, why))

    def _visit_body(self, node: ast.AST) -> None:
        body = getattr(node, "body", [])
        for statement in body:
            is_string = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            if not (is_string and isinstance(statement.value.value, str)):  # docstrings, bare notes
                self.visit(statement)
        for name, value in ast.iter_fields(node):
            if name != "body":
                self._generic(value)

    def _generic(self, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    self.visit(item)
        elif isinstance(value, ast.AST):
            self.visit(value)

    def visit_Module(self, node: ast.Module) -> None:
        self._visit_body(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._visit_body(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name not in ALLOWED_FUNCTIONS:
            self._visit_body(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        if node.name not in ALLOWED_FUNCTIONS:
            self._visit_body(node)

    def visit_Call(self, node: ast.Call) -> None:
        callee = _callee(node)
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(receiver, ast.Name) and receiver.id in LOGGERS:
            return  # log lines are for the operator
        if callee in ALLOWED_CALLS:
            return
        self.visit(node.func)
        for index, arg in enumerate(node.args):
            if callee in KEY_FUNCTIONS and index == KEY_FUNCTIONS[callee][1]:
                continue  # a catalogue key (checked above), not a text
            text = _literal_text(arg)
            if callee in MESSAGE_CALLS and text is not None and HAS_WORD.search(text):
                self._report(arg, text, f"text given to {callee}()")
            self.visit(arg)
        for keyword in node.keywords:
            if keyword.arg in ALLOWED_KEYWORDS:
                continue
            text = _literal_text(keyword.value)
            shown = keyword.arg in TEXT_KEYWORDS or (keyword.arg == "value" and callee in FIELD_CALLS)
            if shown and text is not None and HAS_WORD.search(text):
                self._report(keyword.value, text, f"{keyword.arg}= of {callee}()")
            self.visit(keyword.value)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = _literal_text(node)
        if text and PROSE.search(text):
            self._report(node, text, "prose in the code")
        for part in node.values:
            if not isinstance(part, ast.Constant):
                self.visit(part)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and PROSE.search(node.value):
            self._report(node, node.value, "prose in the code")


def hard_coded_texts(source: str, filename: str = "<snippet>") -> list[FoundText]:
    scanner = _Scanner(filename)
    scanner.visit(ast.parse(source))
    return scanner.found


@pytest.mark.parametrize("path", sorted((REPO / "cogs").glob("*.py")), ids=lambda p: p.name)
def test_cogs_hold_no_user_facing_text(path: Path) -> None:
    found = hard_coded_texts(path.read_text(encoding="utf-8"), f"cogs/{path.name}")

    assert [f"{f.where}: {f.text!r} ({f.why})" for f in found] == []


def test_the_text_scan_catches_planted_texts() -> None:
    snippet = '''
"""A module docstring is documentation, not a text."""
import logging
log = logging.getLogger(__name__)

class Preview(ui.View):
    """A class docstring."""

    @ui.button(label="Post", style=discord.ButtonStyle.success)
    async def post(self, interaction, button):
        """A method docstring."""
        log.info("posted the case study %s for %s", 1, 2)
        await interaction.response.send_message("Done!")
        await interaction.followup.send(content=f"Posted in {channel}")
        await reply(interaction, t("preview.posted", locale, channel="the channel"))
        embed = discord.Embed(title="Case study")
        embed.add_field(name=t("casestudy.theme", locale), value="All themes")
        embed.set_footer(text=t("casestudy.footer", locale))
        message = "Something went wrong, sorry"
        choices = [app_commands.Choice(name="French", value="fr")]
        raise UserProblem("errors.moderators_only")

    async def fine(self, interaction):
        raise DeliveryFailure(FailureKind.REJECTED, "no channel to alert the moderators in")
        await role.edit(reason="veille-bot: students who want a ping")
        custom_id = f"veille:take:{case_study_id}"
        await interaction.response.send_message(f"<#{channel_id}>", ephemeral=True)
        mention = f"<t:{seconds}:F> (<t:{seconds}:R>)"
'''
    found = sorted((int(f.where.split(":")[1]), f.text) for f in hard_coded_texts(snippet))

    assert found == [
        (9, "Post"),
        (13, "Done!"),
        (14, "Posted in {}"),
        (15, "the channel"),
        (16, "Case study"),
        (17, "All themes"),
        (19, "Something went wrong, sorry"),
        (20, "French"),
    ]


# ── the catalogues' values ──────────────────────────────────────────────────────────────────────


def forms(value: object) -> list[str]:
    return [str(v) for v in value.values()] if isinstance(value, dict) else [str(value)]


@pytest.mark.parametrize("locale", LOCALES)
def test_no_catalogue_value_is_empty(locale: Locale) -> None:
    empty = [key for key, value in catalogue(locale).items() if any(not v.strip() for v in forms(value))]

    assert empty == []


def prose(value: str) -> bool:
    """A text with at least two words once placeholders are left out."""
    fixed = "".join(literal for literal, _, _, _ in string.Formatter().parse(value))
    return bool(PROSE.search(fixed))


# Prose that is the same in both languages, and why (none yet: names, emoji lines and
# placeholders-only texts are not prose, and "Source" is one word).
SAME_IN_BOTH: dict[str, str] = {}


def test_french_is_not_english_pasted_in_fr_toml() -> None:
    same = sorted(
        key
        for key, value in ENGLISH.items()
        if any(prose(v) for v in forms(value))
        and forms(FRENCH[key]) == forms(value)
        and key not in SAME_IN_BOTH
    )

    assert same == []


def test_the_same_in_both_list_is_not_stale() -> None:
    needed = [key for key, value in ENGLISH.items() if any(prose(v) for v in forms(value))]

    assert [
        key for key in SAME_IN_BOTH if key not in needed or forms(FRENCH[key]) != forms(ENGLISH[key])
    ] == []
