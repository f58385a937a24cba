"""Logging for the whole process: one format, the level from LOG_LEVEL, noisy libraries tamed."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(getattr(handler, "_veille", False) for handler in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._veille = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # discord.py's gateway chatter, Alembic's per-migration lines and APScheduler's "Added job"
    # lines are for debugging sessions only.
    for noisy in ("discord.gateway", "discord.client", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
    logging.getLogger("discord.client").addFilter(_no_voice_warning)


def _no_voice_warning(record: logging.LogRecord) -> bool:
    """The bot never joins voice channels: discord.py's "PyNaCl is not installed" is noise here."""
    return "voice will NOT be supported" not in record.getMessage()
