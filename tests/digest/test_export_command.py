"""`veille digest export` as a teacher runs it: a real process on a real database holding a
posted digest; one week as HTML or Markdown, every week as a zip, and wrong input explained."""

from __future__ import annotations

import asyncio
import os
import zipfile
from pathlib import Path

from tests.digest.conftest import GUILD, Group, busy
from tests.test_cli import veille


async def export(tmp_path: Path, database_url: str, *args: str) -> tuple[int, str, str]:
    env = {"DATABASE_URL": database_url}
    done = await asyncio.to_thread(veille, "digest", "export", *args, cwd=tmp_path, env=env)
    return done.returncode, done.stdout, done.stderr


async def posted_week(group: Group) -> None:
    await busy(group)
    await group.digests().run_slot(GUILD)
    await group.deliver()


async def test_one_week_as_html_and_as_markdown(group: Group, tmp_path: Path, database_url: str) -> None:
    await posted_week(group)
    code, out, err = await export(tmp_path, database_url, "--guild", str(GUILD), "--week", "2026-W47")
    assert code == 0, err
    page = (tmp_path / f"digest-{GUILD}-2026-W47.html").read_text()
    assert out.strip() == f"wrote digest-{GUILD}-2026-W47.html"
    assert "Briefing de la semaine 47" in page and 'src="data:image/png;base64,' in page

    code, _, err = await export(
        tmp_path,
        database_url,
        "--guild",
        str(GUILD),
        "--week",
        "2026-w47",
        "--format",
        "md",
        "--output",
        "out/w47.md",
    )
    assert code == 0, err
    text = (tmp_path / "out" / "w47.md").read_text()
    assert text.startswith("# 📰 Briefing de la semaine 47")
    chart = tmp_path / "out" / f"digest-{GUILD}-2026-W47.png"
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.name in text


async def test_every_week_in_one_archive_with_an_index(
    group: Group, tmp_path: Path, database_url: str
) -> None:
    await posted_week(group)
    code, _, err = await export(tmp_path, database_url, "--guild", str(GUILD), "--all")
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / f"digests-{GUILD}.zip") as archive:
        names = sorted(archive.namelist())
        assert names == ["2026-W47.html", "index.html"]
        assert 'href="2026-W47.html"' in archive.read("index.html").decode()


async def test_a_wrong_week_or_server_is_explained(group: Group, tmp_path: Path, database_url: str) -> None:
    code, out, err = await export(tmp_path, database_url, "--guild", str(GUILD), "--week", "semaine 48")
    assert (code, out) == (2, "")
    assert (
        err.strip()
        == "error: --week: “semaine 48” is not a week. Write it as year-W-number, e.g. “2026-W48”."
    )
    code, _, err = await export(tmp_path, database_url, "--guild", "123", "--week", "2026-W47")
    assert code == 2 and "server 123 has no veille set up in this database" in err
    code, _, err = await export(tmp_path, database_url, "--guild", str(GUILD), "--all")
    assert code == 2 and "has no digest and no case study yet" in err
    written = await asyncio.to_thread(os.listdir, tmp_path)
    assert not [name for name in written if name.startswith("digest")]  # nothing half-written
