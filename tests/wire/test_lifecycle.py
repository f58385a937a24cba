"""`veille sync` and `veille run` as real processes against the fake Discord: start, serve, stop."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from sandbox.demo import DemoServer
from tests.conftest import SHIPPED_BANK, SHIPPED_FEEDS

VEILLE = str(Path(sys.executable).parent / "veille")


def bot_environment(demo: DemoServer, tmp_path: Path, **overrides: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DISCORD_TOKEN": demo.world.application.token,
        "DISCORD_API_BASE": demo.discord.api_base,
        "DISCORD_GATEWAY_URL": demo.discord.gateway_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "FEEDS_FILE": str(SHIPPED_FEEDS),
        "CASESTUDIES_FILE": str(SHIPPED_BANK),
        **overrides,
    }


async def veille(*args: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        VEILLE,
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, timeout: float = 30) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_sync_run_answer_and_stop_cleanly(demo: DemoServer, tmp_path: Path, stop_signal: int) -> None:
    env = bot_environment(demo, tmp_path)

    code, out, err = await finish(await veille("sync", "--guild", str(demo.guild.id), env=env, cwd=tmp_path))
    assert code == 0, err
    commands = (
        "/veille, /casestudy, /take, /moderation, /digest, "
        "/suggest, /suggestions, /privacy, /my-data, /forget-me"
    )
    assert out.strip() == f"server {demo.guild.id}: 10 command(s) published ({commands})"

    bot = await veille("run", env=env, cwd=tmp_path)
    session = await demo.discord.wait_until_ready(timeout=30)
    interaction = await demo.discord.slash(demo.students[0], demo.channel, "veille status")
    assert (await interaction.response(timeout=10))["data"]["embeds"][0]["title"] == "Veille — état du bot"

    bot.send_signal(stop_signal)
    code, _, err = await finish(bot)

    assert code == 0, err
    assert "shutting down" in err
    assert "scheduler stopped" in err
    assert err.rstrip().endswith("stopped cleanly")
    assert "Traceback" not in err
    # The bot closed the gateway itself rather than dying with it (1006). discord.py sends 1000, or
    # 4000 when its reader notices the close first; both are deliberate closes.
    assert session.ws.close_code in (1000, 4000)


async def test_a_rejected_token_is_one_line_and_exit_2(demo: DemoServer, tmp_path: Path) -> None:
    env = bot_environment(demo, tmp_path, DISCORD_TOKEN="not-the-token")

    code, _, err = await finish(await veille("run", env=env, cwd=tmp_path))

    assert code == 2
    assert err.strip().splitlines()[-1] == (
        "error: Discord rejected DISCORD_TOKEN (401 Unauthorized) — copy the token again from the "
        "Developer Portal (Bot → Reset Token) into .env"
    )
    assert "not-the-token" not in err
    assert "Traceback" not in err


async def test_an_unreachable_discord_is_one_line_and_exit_3(demo: DemoServer, tmp_path: Path) -> None:
    env = bot_environment(demo, tmp_path, DISCORD_API_BASE="http://127.0.0.1:9/api/v10")

    code, _, err = await finish(await veille("run", env=env, cwd=tmp_path))

    assert code == 3
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("error: cannot reach Discord at http://127.0.0.1:9/api/v10 (ClientConnectorError)")
    )
    assert "Traceback" not in err
