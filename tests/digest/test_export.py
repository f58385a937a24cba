"""The digest as files: Markdown (rendered by a real CommonMark renderer), a standalone HTML page
(parsed, then opened in headless Chromium), an index of weeks and a zip archive written atomically.
"""

from __future__ import annotations

import base64
import io
import stat
import subprocess
import zipfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from PIL import Image

from bot.digest.chart import STANCE_COLOURS, chart_data, render_chart
from bot.digest.export import index_html, to_html, to_markdown, write_archive
from bot.digest.markup import Markdown
from bot.digest.model import Digest
from bot.digest.sections import digest_sections, title_of
from bot.i18n import t
from tests.browser import CHROMIUM_FLAGS, chromium
from tests.digest.fixtures import (
    HOSTILE_SUGGESTION,
    HOSTILE_TITLE,
    LONG_WORD,
    MARKDOWN_TAKE,
    SCRIPT_TAKE,
    busy_week,
    empty_week,
)

EXPORTED_AT = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)
QUOTES_IN_BUSY_WEEK = 6  # two for each of the three case studies that drew takes
VOID = {"meta", "img", "br", "hr", "link", "input", "source", "wbr"}
# Every element the export may write; anything else came from a student or a feed unescaped.
ALLOWED = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "header",
    "section",
    "footer",
    "h1",
    "h2",
    "p",
    "a",
    "strong",
    "blockquote",
    "figure",
    "img",
    "time",
    "ul",
    "li",
    "span",
}


def chart_of(digest: Digest) -> bytes:
    data = chart_data(digest)
    assert data is not None
    return render_chart(data)


# ── Markdown ────────────────────────────────────────────────────────────────────────────────────


def test_markdown_has_the_title_and_every_section() -> None:
    digest = busy_week()

    text = to_markdown(digest, exported_at=EXPORTED_AT)

    lines = text.splitlines()
    assert lines[0] == f"# {Markdown(chat=False).text(title_of(digest))}"
    headings = [line for line in lines if line.startswith("## ")]
    assert len(headings) == len(digest_sections(digest, Markdown(chat=False))) - 1
    assert "## [LinkedIn lance les profils vérifiés pour les écoles (et ce que ça change)]" in text
    assert "(https://example.org/linkedin-verifie)" in text
    # A feed's javascript: link is no link.
    assert "## Les recruteurs regardent-ils vraiment vos stories ?" in lines
    assert "Exporté par veille-bot le lundi 30/11 à 09:15." in text
    assert text.endswith("veille-bot · 2026-W48*\n")


def test_markdown_shows_takes_as_typed_and_nothing_more() -> None:
    text = to_markdown(busy_week(), exported_at=EXPORTED_AT)

    assert r"Le \*\*CV vidéo\*\* est \_surtout\_ une mode" in text
    assert "@everyone" not in text  # broken by a zero-width space: no mass ping where it is pasted

    rendered = MarkdownIt("commonmark").render(text)  # raw HTML allowed, as many renderers do
    assert rendered.count("<blockquote>") == QUOTES_IN_BUSY_WEEK  # quotes stay apart
    assert "<script" not in rendered and "<b>" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;document.documentElement.dataset.pwned" in rendered
    assert "Le **CV vidéo** est _surtout_ une mode" in rendered
    assert 'href="javascript' not in rendered
    assert LONG_WORD[:200] in rendered


def test_markdown_shows_the_chart_only_from_a_given_path() -> None:
    digest = busy_week()

    without = to_markdown(digest, exported_at=EXPORTED_AT)
    with_chart = to_markdown(digest, "charts/2026 W48.png", exported_at=EXPORTED_AT)

    assert "![" not in without
    alt = t("digest.chart_alt", "fr")
    image = f"![{alt}](charts/2026%20W48.png)"
    blocks = with_chart.split("\n\n")
    assert blocks[blocks.index(image) - 1] == "## 🏷️ Thèmes"
    rendered = MarkdownIt("commonmark").render(with_chart)
    assert f'<img src="charts/2026%20W48.png" alt="{alt}" />' in rendered


def test_markdown_of_an_empty_week_invites_participation() -> None:
    text = to_markdown(empty_week(), "chart.png", exported_at=EXPORTED_AT)

    assert t("digest.empty", "fr") in text
    assert "![" not in text  # no theme drew a take: no chart


# ── HTML ────────────────────────────────────────────────────────────────────────────────────────


class Page(HTMLParser):
    """The parts of a page the tests look at, and whether its elements nest properly."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.declarations: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []  # tag, attrs, parents
        self.texts: dict[str, list[str]] = {}
        self.open: list[str] = []
        self.errors: list[str] = []
        self.feed(document)
        self.close()
        if self.open:
            self.errors.append(f"never closed: {self.open}")

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), tuple(self.open)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:]}")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for tag in self.open:
            self.texts.setdefault(tag, []).append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs, _ in self.elements if name == tag]

    def text(self, tag: str) -> str:
        return "".join(self.texts.get(tag, []))


def test_html_is_a_complete_standalone_document() -> None:
    digest = busy_week()

    page = Page(to_html(digest, chart_of(digest), exported_at=EXPORTED_AT))

    assert page.errors == []
    assert page.declarations == ["doctype html"]
    assert page.all("html") == [{"lang": "fr"}]
    assert {"charset": "utf-8"} in page.all("meta")
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in page.all("meta")
    assert page.text("title") == title_of(digest)
    assert {name for name, _, _ in page.elements} <= ALLOWED
    # Nothing to fetch: no script, no style sheet, no font, no picture from elsewhere.
    assert page.all("script") == [] and page.all("link") == []
    assert all(str(attrs["src"]).startswith("data:") for attrs in page.all("img"))
    assert "url(" not in page.text("style") and "@import" not in page.text("style")
    assert all(str(attrs["href"]).startswith("https://") for attrs in page.all("a"))
    assert "Exporté par veille-bot le lundi 30/11 à 09:15." in page.text("footer")


def test_html_shows_what_students_and_feeds_wrote_as_text() -> None:
    page = Page(to_html(busy_week(), None, exported_at=EXPORTED_AT))

    quotes = page.text("blockquote")
    assert " ".join(SCRIPT_TAKE.split()) in quotes
    assert MARKDOWN_TAKE in quotes
    assert "@everyone regardez ça" in quotes  # a file pings nobody: shown exactly as typed
    assert HOSTILE_TITLE in page.text("h2")
    assert HOSTILE_SUGGESTION in page.text("main")
    assert len(page.all("blockquote")) == QUOTES_IN_BUSY_WEEK


def test_html_sections_follow_the_digest() -> None:
    digest = busy_week()

    page = Page(to_html(digest, chart_of(digest), exported_at=EXPORTED_AT))

    sections = digest_sections(digest, Markdown(chat=False))
    assert [attrs["class"] for attrs in page.all("section")] == [s.kind for s in sections[1:]]
    assert len(page.all("h2")) == len(sections) - 1
    assert len(page.all("h1")) == 1


def test_html_embeds_the_chart_in_the_themes_section() -> None:
    digest = busy_week()
    png = chart_of(digest)

    page = Page(to_html(digest, png, exported_at=EXPORTED_AT))

    (image,) = [
        (index, attrs, parents) for index, (tag, attrs, parents) in enumerate(page.elements) if tag == "img"
    ]
    index, attrs, parents = image
    src = str(attrs["src"])
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.removeprefix("data:image/png;base64,")) == png
    assert attrs["alt"] == t("digest.chart_alt", "fr")
    assert (attrs["width"], attrs["height"]) == ("900", "320")
    assert parents[-2:] == ("section", "figure")
    starts = {str(attrs["class"]): i for i, (tag, attrs, _) in enumerate(page.elements) if tag == "section"}
    assert starts["themes"] < index < starts["next"]


def test_html_without_a_chart_and_of_an_empty_week() -> None:
    busy = Page(to_html(busy_week(), None, exported_at=EXPORTED_AT))
    empty = Page(to_html(empty_week("en"), None, exported_at=EXPORTED_AT))

    assert busy.all("img") == [] and busy.all("figure") == []
    assert empty.errors == []
    assert empty.all("html") == [{"lang": "en"}]
    assert t("digest.empty", "en") in empty.text("header")
    assert "Exported by veille-bot on Monday 30 Nov at 09:15." in empty.text("footer")


def test_index_links_every_week_newest_first() -> None:
    entries = [
        ("2026-W47", "2026-W47.html", "9 takes from 6 students"),
        ("2026-W49", "2026-W49.html", "Le <b>CV</b> & co"),
        ("2026-W48", "semaine 48.html", "12 takes"),
    ]

    page = Page(index_html(entries, "en", "Briefings <of> the group"))

    assert page.errors == []
    assert page.all("html") == [{"lang": "en"}]
    assert page.text("title") == page.text("h1") == "Briefings <of> the group"
    assert [attrs["href"] for attrs in page.all("a")] == [
        "2026-W49.html",
        "semaine%2048.html",
        "2026-W47.html",
    ]
    assert page.text("a") == "2026-W492026-W482026-W47"
    assert "Le <b>CV</b> & co" in page.text("li")
    assert {name for name, _, _ in page.elements} <= ALLOWED


# ── the archive ─────────────────────────────────────────────────────────────────────────────────


def test_archive_holds_the_files(tmp_path: Path) -> None:
    digest = busy_week()
    png = chart_of(digest)
    files: dict[str, bytes | str] = {
        "2026-W48.html": to_html(digest, png, exported_at=EXPORTED_AT),
        "2026-W48.md": to_markdown(digest, "2026-W48.png", exported_at=EXPORTED_AT),
        "2026-W48.png": png,
    }
    path = tmp_path / "veille.zip"

    write_archive(path, files)

    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == list(files)
        assert archive.read("2026-W48.png") == png
        assert archive.read("2026-W48.md").decode("utf-8") == files["2026-W48.md"]
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(tmp_path.iterdir()) == [path]


class Interrupted(Exception):
    pass


class FailingFiles(Mapping[str, bytes | str]):
    """Files whose last one cannot be read: the export dies half-way through the archive."""

    def __init__(self, files: Mapping[str, bytes | str], failing: str) -> None:
        self.files = dict(files) | {failing: b""}
        self.failing = failing

    def __getitem__(self, name: str) -> bytes | str:
        if name == self.failing:
            raise Interrupted(name)
        return self.files[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


def test_an_interrupted_archive_leaves_the_previous_one_whole(tmp_path: Path) -> None:
    path = tmp_path / "veille.zip"
    write_archive(path, {"old.md": "last week"})
    before = path.read_bytes()

    with pytest.raises(Interrupted):
        write_archive(path, FailingFiles({"new.md": "x" * 100_000}, failing="broken.png"))

    assert path.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_archive_replaces_the_previous_one(tmp_path: Path) -> None:
    path = tmp_path / "veille.zip"
    write_archive(path, {"old.md": "last week"})

    write_archive(path, {"new.md": "this week"})

    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["new.md"]


# ── in a real browser ───────────────────────────────────────────────────────────────────────────

# Appended to a copy of the page: it reports what the browser made of it in the DOM it dumps.
PROBE = """<script>
addEventListener("load", () => {
  const report = document.body.dataset;
  const images = [...document.images];
  report.images = images.length;
  report.imagesLoaded = images.length > 0 && images.every(i => i.complete && i.naturalWidth > 0);
  report.sections = document.querySelectorAll("section").length;
  report.headings = document.querySelectorAll("h2").length;
  report.quotes = document.querySelectorAll("blockquote").length;
  report.sideways = document.documentElement.scrollWidth > innerWidth;
  document.title = "probed";
});
</script>
"""


def run_chromium(browser: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def probed(browser: str, page: Path, tmp_path: Path, width: int) -> Page:
    probe = page.with_name(f"probed-{width}.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dumped = run_chromium(
        browser,
        tmp_path / f"profile-{width}",
        "--virtual-time-budget=3000",
        f"--window-size={width},2000",
        "--dump-dom",
        probe.as_uri(),
    )
    return Page(dumped.stdout)


@pytest.mark.timeout(240)
def test_html_renders_in_chromium(tmp_path: Path) -> None:
    browser = chromium()
    digest = busy_week()
    page = tmp_path / "2026-W48.html"
    page.write_text(to_html(digest, chart_of(digest), exported_at=EXPORTED_AT), encoding="utf-8")
    sections = len(digest_sections(digest, Markdown(chat=False))) - 1

    for width in (900, 390):  # a screen, and a phone
        dom = probed(browser, page, tmp_path, width)
        (html_element,) = dom.all("html")
        (body,) = dom.all("body")
        assert dom.text("title") == "probed"  # the probe ran: scripts do run here…
        assert "data-pwned" not in html_element  # …and the student's <script> did not
        assert body["data-images"] == "1" and body["data-images-loaded"] == "true"
        assert body["data-sections"] == body["data-headings"] == str(sections)
        assert body["data-quotes"] == str(QUOTES_IN_BUSY_WEEK)
        assert body["data-sideways"] == "false", f"the page scrolls sideways at {width} px"

    screenshot = tmp_path / "digest.png"
    run_chromium(
        browser,
        tmp_path / "profile-screenshot",
        f"--screenshot={screenshot}",
        "--window-size=900,2000",
        page.as_uri(),
    )
    image = Image.open(io.BytesIO(screenshot.read_bytes())).convert("RGB")
    assert image.size == (900, 2000)
    colours = [
        (count, pixel)
        for count, pixel in image.getcolors(maxcolors=1_000_000) or []
        if isinstance(pixel, tuple)
    ]
    assert len(colours) > 200, "the page looks blank"
    # The chart is on screen: its three stance colours are there.
    for colour in STANCE_COLOURS:
        target = (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
        shown = sum(
            count
            for count, pixel in colours
            if max(abs(a - b) for a, b in zip(pixel, target, strict=True)) <= 12
        )
        assert shown > 500, f"{colour} is not on screen"
