"""`veille feeds check` as an operator runs it, against feeds served from 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.conftest import SHIPPED_BANK
from tests.feed_fixtures import data
from tests.feedserver import FeedServer

VEILLE = str(Path(sys.executable).parent / "veille")

FEEDS_TOML = """\
[[themes]]
id = "e-reputation"
label.fr = "E-réputation"
label.en = "E-reputation"
keywords.fr = ["e-réputation", "recruteurs"]
keywords.en = ["online reputation"]

[[feeds]]
name = "Carrières"
url = "{good}"
language = "fr"
themes = ["e-reputation"]

[[feeds]]
name = "Site bloqué"
url = "{blocked}"
language = "fr"

[[feeds]]
name = "Page web"
url = "{page}"
language = "fr"
"""


async def test_feeds_check_prints_a_row_per_feed_and_exits_cleanly(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text(
        FEEDS_TOML.format(
            good=feed_server.serve("/rss", data("recrutement.xml")),
            blocked=feed_server.serve("/blocked", "no", status=403),
            page=feed_server.serve("/page", data("page.html"), content_type="text/html"),
        ),
        encoding="utf-8",
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "FEEDS_FILE": str(feeds_file),
        "CASESTUDIES_FILE": str(SHIPPED_BANK),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'veille.db'}",
        "FEEDS_ALLOW_PRIVATE_ADDRESSES": "true",
    }

    process = await asyncio.create_subprocess_exec(
        VEILLE, "feeds", "check", "--all", env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    again = await asyncio.create_subprocess_exec(
        VEILLE, "feeds", "check", env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out_again, _ = await asyncio.wait_for(again.communicate(), 60)

    assert process.returncode == 0, err.decode()
    rows = {line.split("  ")[0]: line for line in out.decode().splitlines()}
    assert rows["Carrières"].split()[1:5] == ["ok", "200", "6", "6"]
    assert "the site blocks automated readers (HTTP 403)" in rows["Site bloqué"]
    assert "this is a web page, not a feed; the page announces a feed at" in rows["Page web"]
    assert "3 feeds checked in" in out.decode()
    assert "1 ok, 2 failed, 6 new articles." in out.decode()
    assert again.returncode == 0
    assert "No feed is due" in out_again.decode()
