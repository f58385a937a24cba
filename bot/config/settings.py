"""Process settings read from the environment and `.env`, with errors that say where a value came from."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL

from bot.db.url import DatabaseUrlError, parse_database_url
from bot.errors import ConfigError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
Locale = Literal["fr", "en"]
SandboxFeeds = Literal["auto", "shipped", "samples"]

DEFAULT_DATABASE_URL = "sqlite:///data/veille.db"
DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"

# Keys that may sit in `.env` for docker compose rather than for the bot itself.
_COMPOSE_KEYS = {"POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB", "COMPOSE_PROJECT_NAME"}


class Settings(BaseSettings):
    """Everything the process needs that is not in `feeds.toml`. `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    discord_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    feeds_file: Path = Path("feeds.toml")
    casestudies_file: Path = Path("casestudies.toml")
    log_level: LogLevel = "INFO"
    default_locale: Locale = "fr"
    default_timezone: str = "Europe/Paris"
    article_retention_days: int = Field(default=90, ge=7, le=3650)
    digest_grace_hours: int = Field(default=48, ge=0, le=24 * 7)
    # Students' takes, votes and suggestions older than this are deleted by a daily job.
    data_retention_months: int = Field(default=12, ge=1, le=120)
    suggestions_per_day: int = Field(default=5, ge=1, le=100)
    feeds_allow_private_addresses: bool = False
    discord_api_base: str = Field(default=DISCORD_API_BASE)
    discord_gateway_url: str = Field(default=DISCORD_GATEWAY_URL)
    # The local sandbox (`make run` with no token): its port on 127.0.0.1, where its feeds come
    # from, and its own SQLite file, recreated at each start.
    sandbox_port: int = Field(default=8765, ge=0, le=65535)
    sandbox_feeds: SandboxFeeds = "auto"
    sandbox_database: Path = Path("data/sandbox.db")

    @field_validator("log_level", "default_locale", "sandbox_feeds", mode="before")
    @classmethod
    def _case_insensitive(cls, value: Any, info: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = value.strip()
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known IANA time zone (for example Europe/Paris)") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        try:
            parse_database_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("discord_api_base", "discord_gateway_url")
    @classmethod
    def _absolute_url(cls, value: str, info: Any) -> str:
        schemes = ("http://", "https://") if info.field_name == "discord_api_base" else ("ws://", "wss://")
        if not value.startswith(schemes):
            raise ValueError(f"expected an URL starting with {' or '.join(schemes)}")
        return value.rstrip("/") if info.field_name == "discord_api_base" else value

    @property
    def token(self) -> str | None:
        """The bot token, or None when it is missing or blank."""
        if self.discord_token is None:
            return None
        return self.discord_token.get_secret_value().strip() or None

    def require_token(self) -> str:
        if self.token is None:
            raise ConfigError(
                "DISCORD_TOKEN is not set",
                todo="put the bot token in .env (see the README, 'Create the Discord application')",
            )
        return self.token

    @property
    def database(self) -> URL:
        """The database URL with the async driver chosen for its dialect."""
        return parse_database_url(self.database_url)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.default_timezone)

    @property
    def uses_discord_defaults(self) -> bool:
        return (self.discord_api_base, self.discord_gateway_url) == (
            DISCORD_API_BASE,
            DISCORD_GATEWAY_URL,
        )

    def summary(self) -> list[tuple[str, str]]:
        """Each setting and its value as it is safe to print: no token, no database password."""
        token = self.token
        return [
            ("DISCORD_TOKEN", f"set ({len(token)} characters)" if token else "not set"),
            ("DATABASE_URL", self.database.render_as_string(hide_password=True)),
            ("FEEDS_FILE", str(self.feeds_file)),
            ("CASESTUDIES_FILE", str(self.casestudies_file)),
            ("LOG_LEVEL", self.log_level),
            ("DEFAULT_LOCALE", self.default_locale),
            ("DEFAULT_TIMEZONE", self.default_timezone),
            ("ARTICLE_RETENTION_DAYS", str(self.article_retention_days)),
            ("DIGEST_GRACE_HOURS", str(self.digest_grace_hours)),
            ("DATA_RETENTION_MONTHS", str(self.data_retention_months)),
            ("SUGGESTIONS_PER_DAY", str(self.suggestions_per_day)),
            ("FEEDS_ALLOW_PRIVATE_ADDRESSES", "yes" if self.feeds_allow_private_addresses else "no"),
            ("DISCORD_API_BASE", self.discord_api_base),
            ("DISCORD_GATEWAY_URL", self.discord_gateway_url),
            ("SANDBOX_PORT", str(self.sandbox_port)),
            ("SANDBOX_FEEDS", self.sandbox_feeds),
            ("SANDBOX_DATABASE", str(self.sandbox_database)),
        ]


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    warnings: list[str]


def load_settings(
    env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None
) -> LoadedSettings:
    """Read settings, turning every invalid value into one `ConfigError` that names its source."""
    environ = os.environ if environ is None else environ
    dotenv_lines = _dotenv_key_lines(env_file)
    try:
        settings = Settings(_env_file=env_file if env_file and env_file.exists() else None)
    except ValidationError as exc:
        details = [_describe(error, environ, env_file, dotenv_lines) for error in exc.errors()]
        raise ConfigError(
            details[0] if len(details) == 1 else f"{len(details)} settings are invalid",
            todo="fix the value(s) in .env or the environment; .env.example documents each setting",
            details=details if len(details) > 1 else [],
        ) from None
    return LoadedSettings(settings, _unknown_key_warnings(env_file, dotenv_lines))


def _describe(
    error: Mapping[str, Any],
    environ: Mapping[str, str],
    env_file: Path | None,
    dotenv_lines: dict[str, int],
) -> str:
    name = str(error["loc"][0]).upper() if error["loc"] else "?"
    if name in environ:
        source = f"environment variable {name}"
    elif name in dotenv_lines and env_file is not None:
        source = f"{env_file} line {dotenv_lines[name]}, {name}"
    else:
        source = name
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        message = f"expected {expected}, got {error['input']!r}"
    return f"{source}: {message}"


_KEY_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")


def _dotenv_key_lines(env_file: Path | None) -> dict[str, int]:
    """Map each key of `.env` to its line number, so that errors can point at it."""
    if env_file is None or not env_file.exists():
        return {}
    lines: dict[str, int] = {}
    for number, line in enumerate(env_file.read_text(encoding="utf-8").splitlines(), start=1):
        match = _KEY_LINE.match(line)
        if match:
            lines[match.group(1).upper()] = number
    return lines


def _unknown_key_warnings(env_file: Path | None, dotenv_lines: dict[str, int]) -> list[str]:
    known = {name.upper() for name in Settings.model_fields}
    warnings = []
    for key, line in sorted(dotenv_lines.items(), key=lambda item: item[1]):
        if key in known or key in _COMPOSE_KEYS:
            continue
        guess = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {guess[0]}?)" if guess else ""
        warnings.append(f"{env_file} line {line}: unknown setting {key}{hint}, ignored")
    return warnings
