"""The README says what the code does: its two commands, its settings, its invite URL."""

from __future__ import annotations

import re

from bot.config.settings import Settings
from cogs.client import INVITE_PERMISSIONS, invite_url
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_exactly_make_run_and_make_test() -> None:
    section = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)

    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make run", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")

    assert "\nmake test\n" in ci
    for lint in ("ruff check .", "ruff format --check .", "mypy"):
        assert lint in ci


def test_the_invite_url_asks_for_exactly_the_documented_permissions() -> None:
    documented = re.search(r"permissions=(\d+)", README)

    assert documented is not None
    assert int(documented.group(1)) == INVITE_PERMISSIONS.value
    assert "scope=bot+applications.commands" in invite_url(1)
    assert f"permissions={INVITE_PERMISSIONS.value}" in invite_url(1)
    granted = {name for name, value in INVITE_PERMISSIONS if value}
    assert granted == {
        "read_messages",  # discord.py's name for View Channels
        "send_messages",
        "send_messages_in_threads",
        "create_public_threads",
        "embed_links",
        "attach_files",
        "add_reactions",
        "read_message_history",
    }


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"| `{name.upper()}` |" in README, name
