"""`veille preview` as a moderator runs it: a page served from 127.0.0.1, or the demo feed files."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.conftest import REPO, SHIPPED_BANK, SHIPPED_FEEDS
from tests.feedserver import FeedServer

VEILLE = str(Path(sys.executable).parent / "veille")
PAGE = REPO / "tests" / "data" / "articles" / "fr-09-cv-video-retour-grande-distribution.html"


async def preview(*args: str, cwd: Path) -> tuple[int, str, str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(cwd),
        "FEEDS_FILE": str(SHIPPED_FEEDS),
        "CASESTUDIES_FILE": str(SHIPPED_BANK),
        "DATABASE_URL": f"sqlite:///{cwd / 'veille.db'}",
        "COLUMNS": "120",
    }
    pipe = asyncio.subprocess.PIPE
    process = await asyncio.create_subprocess_exec(
        VEILLE, "preview", *args, env=env, cwd=cwd, stdout=pipe, stderr=pipe
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_preview_of_a_page_prints_a_complete_case_study(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    url = feed_server.serve("/cv-video", PAGE.read_bytes(), content_type="text/html; charset=utf-8")

    code, out, err = await preview("--url", url, cwd=tmp_path)

    assert code == 0, err
    assert "Le CV vidéo fait son retour" in out  # the title, in the panel's border
    for label in (
        "Thème",
        "Le CV vidéo",
        "Termes clés",
        "Questions pour le débat",
        "Mise en situation",
        "Source",
    ):
        assert label in out
    assert all(f"{n}. " in out for n in (1, 2, 3))
    assert "Vous êtes" in out
    assert "min de lecture" in out
    assert url in out
    assert "Nous utilisons des cookies" not in out


async def test_preview_in_english_with_the_ranking_explained(tmp_path: Path) -> None:
    code, out, err = await preview(
        "--feeds-dir", str(REPO / "examples" / "feeds"), "--lang", "en", "--explain", cwd=tmp_path
    )

    assert code == 0, err
    assert "Candidates, best first" in out
    assert "relev." in out and "rotat." in out
    assert "tried: " in out and "→ built" in out
    for label in ("Theme", "Key terms", "Questions for the discussion", "Role-play", "You are"):
        assert label in out
    assert "Summary taken from the feed" in out  # the demo links never resolve
    assert "(page not used: DNS lookup failed for demo.veille-bot.invalid" in out


async def test_preview_mistakes_say_what_to_do(feed_server: FeedServer, tmp_path: Path) -> None:
    missing = feed_server.serve("/missing", "", status=404)

    unknown_theme = await preview(
        "--theme", "astrologie", "--feeds-dir", str(REPO / "examples" / "feeds"), cwd=tmp_path
    )
    not_found = await preview("--url", missing, cwd=tmp_path)

    assert unknown_theme[0] == 2
    assert unknown_theme[2].startswith("error: unknown theme 'astrologie' — use one of: remote-recruiting, ")
    assert not_found[0] == 1
    assert (
        not_found[2]
        .strip()
        .endswith(
            "error: no case study could be made: not found (HTTP 404): moved or removed by the publisher, "
            "and the feed gives no summary"
        )
    )
