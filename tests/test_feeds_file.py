"""`feeds.toml`: the shipped list is valid and useful; mistakes are reported with file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.feeds_file import load_feeds_file
from bot.errors import ConfigError
from tests.conftest import SHIPPED_FEEDS

THEMES_OF_DESIGN = {
    "remote-recruiting",
    "twitter-x-pro",
    "multilingual-profiles",
    "pro-networks",
    "social-necessity",
    "digital-addiction",
    "recruiters-social-media",
    "network-after-graduation",
    "video-cv",
    "e-reputation",
    "job-search-basics",
    "ai-recruiting",  # what much of today's news in the field is about (issue 18)
}

MINIMAL = """\
[[themes]]
id = "video-cv"
label.fr = "Le CV vidéo"
label.en = "The video CV"
keywords.fr = ["cv vidéo"]
keywords.en = ["video resume"]

[[feeds]]
name = "Exemple"
url = "https://example.org/feed.xml"
language = "fr"
themes = ["video-cv"]
"""


def problem(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_feeds_file(path)
    return caught.value


def test_the_shipped_list_is_real_and_covers_every_theme() -> None:
    feeds = load_feeds_file(SHIPPED_FEEDS)

    assert {theme.id for theme in feeds.themes} == THEMES_OF_DESIGN
    assert len(feeds.feeds) >= 15
    assert {feed.language for feed in feeds.feeds} == {"fr", "en"}
    assert all(feed.url.startswith("https://") for feed in feeds.feeds)
    for theme in feeds.themes:
        assert theme.keywords.fr and theme.keywords.en and theme.label.fr and theme.label.en
        assert theme.description is not None and len(theme.examples.fr) >= 4 and len(theme.examples.en) >= 4
        assert any(theme.id in feed.themes for feed in feeds.feeds), f"no feed covers {theme.id}"


def test_a_minimal_file_loads_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(MINIMAL, encoding="utf-8")

    feeds = load_feeds_file(path)

    assert feeds.interval_of(feeds.feeds[0]) == 60
    assert feeds.feeds[0].enabled
    theme = feeds.theme("video-cv")
    assert theme is not None
    assert theme.label_in("en") == "The video CV"


def test_a_typo_in_a_key_gives_file_line_key_and_a_suggestion(tmp_path: Path) -> None:
    error = problem(tmp_path, MINIMAL + "intervl_minutes = 30\n")

    assert error.one_line() == (
        f"{tmp_path / 'feeds.toml'} line 13, feeds #1 'Exemple' → intervl_minutes: "
        "unknown key; did you mean 'interval_minutes'?"
    )


def test_a_wrong_value_says_what_was_expected(tmp_path: Path) -> None:
    error = problem(tmp_path, MINIMAL.replace('language = "fr"', 'language = "es"'))

    assert "line 11, feeds #1 'Exemple' → language: expected 'fr' or 'en', got 'es'" in error.one_line()


def test_an_out_of_range_interval(tmp_path: Path) -> None:
    error = problem(tmp_path, MINIMAL + "interval_minutes = 1\n")

    assert "line 13, feeds #1 'Exemple' → interval_minutes: Input should be greater than or equal to 5" in (
        error.one_line()
    )


def test_an_unknown_theme_is_located_and_a_close_one_suggested(tmp_path: Path) -> None:
    error = problem(tmp_path, MINIMAL.replace('themes = ["video-cv"]', 'themes = ["video-vc"]'))

    assert "line 12, feeds #1 'Exemple' → themes.0: unknown theme 'video-vc'" in error.one_line()
    assert "did you mean 'video-cv'?" in error.one_line()


def test_a_duplicate_feed_url_points_at_the_second_one(tmp_path: Path) -> None:
    second = MINIMAL[MINIMAL.index("[[feeds]]") :].replace("Exemple", "Copie")
    error = problem(tmp_path, MINIMAL + "\n" + second)

    assert "line 16, feeds #2 'Copie' → url: duplicate url" in error.one_line()
    assert "already used by feeds #1" in error.one_line()


def test_a_non_http_url_and_a_missing_key(tmp_path: Path) -> None:
    text = MINIMAL.replace("https://example.org/feed.xml", "ftp://example.org/feed.xml").replace(
        'name = "Exemple"\n', ""
    )
    error = problem(tmp_path, text)

    assert error.what == f"2 problems in {tmp_path / 'feeds.toml'}"
    assert any("line 8, feeds #1 → name: missing required key" in d for d in error.details)
    assert any("feeds #1 → url: expected an http:// or https:// URL" in d for d in error.details)


def test_broken_toml_gives_line_and_column(tmp_path: Path) -> None:
    error = problem(tmp_path, MINIMAL + "[[feeds]\n")

    assert error.where == f"{tmp_path / 'feeds.toml'} line 13, column 8"
    assert error.what.startswith("invalid TOML")


def test_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_feeds_file(tmp_path / "nope.toml")

    assert "file not found" in caught.value.one_line()
    assert "FEEDS_FILE" in caught.value.one_line()


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_bytes(MINIMAL.encode("utf-8") + "# café\n".encode("latin-1"))

    with pytest.raises(ConfigError) as caught:
        load_feeds_file(path)

    assert caught.value.where == f"{path} line 13"
    assert "not valid UTF-8" in caught.value.what
