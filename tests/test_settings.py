"""Settings from `.env` and the environment, and the errors a person sees when one is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.settings import load_settings
from bot.errors import ConfigError


def write_env(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_work_without_any_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.env").settings

    assert settings.token is None
    assert settings.database.render_as_string() == "sqlite+aiosqlite:///data/veille.db"
    assert settings.feeds_file == Path("feeds.toml")
    assert (settings.default_locale, settings.default_timezone, settings.log_level) == (
        "fr",
        "Europe/Paris",
        "INFO",
    )
    assert settings.discord_api_base == "https://discord.com/api/v10"
    assert settings.uses_discord_defaults


def test_env_file_values_and_environment_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = write_env(tmp_path, "DISCORD_TOKEN=from-file\nLOG_LEVEL=debug\nDEFAULT_LOCALE=EN\n")
    monkeypatch.setenv("LOG_LEVEL", "warning")

    settings = load_settings(env).settings

    assert settings.token == "from-file"
    assert settings.log_level == "WARNING"  # the environment wins, case does not matter
    assert settings.default_locale == "en"


def test_a_blank_token_counts_as_missing(tmp_path: Path) -> None:
    assert load_settings(write_env(tmp_path, "DISCORD_TOKEN=   \n")).settings.token is None
    assert load_settings(write_env(tmp_path, "DISCORD_TOKEN=\n")).settings.token is None


def test_an_invalid_value_names_the_file_line_and_what_was_expected(tmp_path: Path) -> None:
    env = write_env(tmp_path, "# comment\nDISCORD_TOKEN=x\nLOG_LEVEL=verbose\n")

    with pytest.raises(ConfigError) as caught:
        load_settings(env)

    message = caught.value.one_line()
    assert f"{env} line 3, LOG_LEVEL" in message
    assert "'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'" in message
    assert "'VERBOSE'" in message
    assert caught.value.exit_code == 2


def test_an_invalid_value_from_the_environment_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Pariss")

    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "none.env")

    assert caught.value.one_line().startswith("environment variable DEFAULT_TIMEZONE: 'Europe/Pariss' is not")


def test_several_problems_are_all_listed(tmp_path: Path) -> None:
    env = write_env(tmp_path, "DEFAULT_LOCALE=de\nDISCORD_API_BASE=discord.com\n")

    with pytest.raises(ConfigError) as caught:
        load_settings(env)

    assert caught.value.what == "2 settings are invalid"
    assert any("DEFAULT_LOCALE: expected 'fr' or 'en', got 'de'" in d for d in caught.value.details)
    assert any("DISCORD_API_BASE: expected an URL starting with http://" in d for d in caught.value.details)


def test_an_unsupported_database_never_echoes_its_password(tmp_path: Path) -> None:
    env = write_env(tmp_path, "DATABASE_URL=mysql://bot:hunter2@db/veille\n")

    with pytest.raises(ConfigError) as caught:
        load_settings(env)

    assert "the 'mysql' database is not supported" in caught.value.one_line()
    assert "hunter2" not in caught.value.one_line()


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("postgres://u:p@h/db", "postgresql+asyncpg://u:***@h/db"),
        ("postgresql://u:p@h:5433/db", "postgresql+asyncpg://u:***@h:5433/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+asyncpg://u:***@h/db"),
        ("sqlite:///tmp/x.db", "sqlite+aiosqlite:///tmp/x.db"),
    ],
)
def test_database_urls_get_their_async_driver(tmp_path: Path, written: str, used: str) -> None:
    settings = load_settings(write_env(tmp_path, f"DATABASE_URL={written}\n")).settings

    assert settings.database.render_as_string(hide_password=True) == used


def test_the_summary_hides_the_token_and_the_database_password(tmp_path: Path) -> None:
    env = write_env(
        tmp_path, "DISCORD_TOKEN=secret-token-value\nDATABASE_URL=postgresql://bot:hunter2@db/veille\n"
    )

    summary = dict(load_settings(env).settings.summary())

    assert summary["DISCORD_TOKEN"] == "set (18 characters)"
    assert summary["DATABASE_URL"] == "postgresql+asyncpg://bot:***@db/veille"
    assert "secret-token-value" not in str(summary) and "hunter2" not in str(summary)


def test_unknown_keys_are_reported_with_a_suggestion(tmp_path: Path) -> None:
    env = write_env(tmp_path, "DISCORD_TOKN=abc\nPOSTGRES_PASSWORD=for-compose\nSOMETHING_ELSE=1\n")

    warnings = load_settings(env).warnings

    assert warnings == [
        f"{env} line 1: unknown setting DISCORD_TOKN (did you mean DISCORD_TOKEN?), ignored",
        f"{env} line 3: unknown setting SOMETHING_ELSE, ignored",
    ]


def test_env_example_documents_every_setting() -> None:
    from bot.config.settings import Settings
    from tests.conftest import REPO

    example = (REPO / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"\n{name.upper()}=" in example or f"\n# {name.upper()}=" in example, name
