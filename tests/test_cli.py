"""The `veille` command as an operator runs it: real processes, exit codes and what they print."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.db.engine import sessionmaker, write_transaction
from bot.db.models import Feed
from bot.services import open_database
from tests.conftest import SHIPPED_BANK, SHIPPED_FEEDS

VEILLE = str(Path(sys.executable).parent / "veille")


def veille(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ["PATH"],
        "HOME": str(cwd),
        "FEEDS_FILE": str(SHIPPED_FEEDS),
        "CASESTUDIES_FILE": str(SHIPPED_BANK),
    }
    return subprocess.run(
        [VEILLE, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["run"],
        ["sandbox"],
        ["sync"],
        ["db"],
        ["db", "upgrade"],
        ["config"],
        ["config", "check"],
        ["feeds"],
        ["feeds", "list"],
    ],
)
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = veille(*command, "--help", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: veille")


def test_config_check_prints_a_summary(tmp_path: Path) -> None:
    result = veille("config", "check", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "DISCORD_TOKEN        not set" in result.stdout
    assert f"{SHIPPED_FEEDS}: 23 feeds (23 enabled: 11 French, 12 English), 12 themes" in result.stdout
    assert "video-cv" in result.stdout
    assert "(will be created when the bot first starts)" in result.stdout
    assert result.stdout.rstrip().endswith("Configuration OK.")
    assert not (tmp_path / "data").exists()  # checking creates nothing


def test_config_check_points_at_a_typo_in_feeds_toml(tmp_path: Path) -> None:
    broken = tmp_path / "feeds.toml"
    broken.write_text(
        SHIPPED_FEEDS.read_text(encoding="utf-8").replace("interval_minutes = 30", "intervall = 30", 1)
    )

    result = veille("config", "check", cwd=tmp_path, env={"FEEDS_FILE": str(broken)})

    assert result.returncode == 2
    line = next(
        n for n, text in enumerate(broken.read_text().splitlines(), 1) if text.startswith("intervall")
    )
    assert (
        f"error: {broken} line {line}, feeds #1 'Blog du Modérateur' → intervall: unknown key; "
        "did you mean 'interval_minutes'?"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_setting_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=loud\n")

    result = veille("config", "check", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: .env line 1, LOG_LEVEL: expected 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL', "
        "got 'LOUD' "
        "— fix the value(s) in .env or the environment; .env.example documents each setting"
    ]


def test_run_without_a_token_fails_clearly(tmp_path: Path) -> None:
    result = veille("run", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: DISCORD_TOKEN is not set — put the bot token in .env "
        "(see the README, 'Create the Discord application')"
    )


def test_db_upgrade_then_feeds_list(tmp_path: Path) -> None:
    first = veille("db", "upgrade", cwd=tmp_path)
    again = veille("db", "upgrade", cwd=tmp_path)
    listing = veille("feeds", "list", cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert "upgraded from an empty database to revision 0004" in first.stdout
    assert "already up to date (revision 0004)" in again.stdout
    assert (tmp_path / "data" / "veille.db").exists()
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split("  ")[0:1] == ["NAME"]
    assert [cell.strip() for cell in lines[0].split("  ") if cell.strip()] == [
        "NAME", "FROM", "LANG", "CHECKED EVERY", "STATE", "LAST SUCCESS", "ITEMS", "ONE ITEM EVERY", "PROBLEM"
    ]  # fmt: skip
    blog = next(line for line in lines if line.startswith("Blog du Modérateur"))
    assert blog.split()[3:11] == ["feeds.toml", "fr", "30", "min", "never", "never", "0", "—"]
    assert lines[-1] == "23 feeds: 0 ok, 0 failing, 23 never fetched, 0 disabled"


def test_an_unreachable_database_is_exit_3_without_password(tmp_path: Path) -> None:
    url = "postgresql://veille:hunter2@127.0.0.1:9/veille"

    result = veille("db", "upgrade", cwd=tmp_path, env={"DATABASE_URL": url})

    assert result.returncode == 3
    assert result.stderr.startswith(
        "error: cannot connect to the database postgresql+asyncpg://veille:***@127.0.0.1:9/veille"
    )
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_approved_suggestions_are_listed_and_export_as_feeds_toml_entries(tmp_path: Path) -> None:
    assert veille("db", "upgrade", cwd=tmp_path).returncode == 0
    empty = veille("feeds", "export", cwd=tmp_path)
    assert empty.stdout.strip() == "# No approved suggestion to export."

    async def approve() -> None:
        settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'data' / 'veille.db'}")
        async with open_database(settings) as engine, write_transaction(sessionmaker(engine)) as session:
            session.add(
                Feed(
                    url="https://blog.example/feed.xml",
                    name='Le "Blog" des stages',
                    language="fr",
                    themes=["video-cv"],
                    origin="suggested",
                )
            )

    asyncio.run(approve())
    listing = veille("feeds", "list", cwd=tmp_path)
    (line,) = [line for line in listing.stdout.splitlines() if line.startswith('Le "Blog" des stages')]
    assert "suggestion" in line
    exported = veille("feeds", "export", "--output", "suggested.toml", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == "1 feed(s) written to suggested.toml"
    entries = tomllib.loads((tmp_path / "suggested.toml").read_text(encoding="utf-8"))["feeds"]
    assert entries == [
        {
            "name": 'Le "Blog" des stages',
            "url": "https://blog.example/feed.xml",
            "language": "fr",
            "themes": ["video-cv"],
            "interval_minutes": 60,
        }
    ]
