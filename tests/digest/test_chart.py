"""The digest's chart: what it shows (themes, stances, counts in the group's language) and the PNG
it becomes, decoded and measured as a reader's screen would show it."""

from __future__ import annotations

import io
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import pytest
from PIL import Image

from bot.digest.build import build_digest
from bot.digest.chart import STANCE_COLOURS, ChartData, chart_data, chart_size, render_chart
from bot.digest.model import PostedCase, WeekActivity
from tests.digest.fixtures import BUILT_AT, LONG_WORD, MONDAY, busy_week, empty_week, frame, themes_week

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


Pixel = tuple[int, int, int]


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def rows(image: Image.Image) -> list[list[Pixel]]:
    """The image's pixels, row by row."""
    width, height = image.size
    data = image.tobytes()
    return [
        [(data[i], data[i + 1], data[i + 2]) for i in range(3 * width * y, 3 * width * (y + 1), 3)]
        for y in range(height)
    ]


def rgb(colour: str) -> Pixel:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def near(pixel: Pixel, colour: Pixel, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_the_chart_shows_the_week_s_themes_in_the_group_s_language() -> None:
    digest = busy_week("fr")

    data = chart_data(digest)

    assert data is not None
    assert data.title == "Avis par thème et par position"
    assert data.axis_label == "avis"
    assert data.stances == ("D'accord", "Nuancé", "Pas d'accord")
    # Most discussed first; the theme discussed lately but not this week is left out.
    assert data.themes == (
        "Recrutement à distance",
        "L'écosystème des réseaux professionnels",
        "Comment les recruteurs utilisent les réseaux sociaux",
    )
    assert data.counts == ((3, 0, 2), (2, 1, 1), (0, 2, 1))


def test_the_chart_speaks_english_for_an_english_group() -> None:
    data = chart_data(busy_week("en"))

    assert data is not None
    assert data.title == "Takes per theme and stance"
    assert data.stances == ("Agree", "Nuanced", "Disagree")
    assert data.themes[0] == "Remote recruiting"


def test_no_chart_when_no_theme_drew_a_take() -> None:
    quiet = WeekActivity(
        case_studies=(
            PostedCase(
                id=1,
                title="Personne n'en a parlé",
                url=None,
                theme="remote-recruiting",
                channel_id=1,
                thread_id=2,
                posted_at=MONDAY,
            ),
        ),
        takes=(),
    )

    assert chart_data(empty_week()) is None
    assert chart_data(build_digest(quiet, frame(), BUILT_AT)) is None


def test_chart_data_survives_pickling_for_a_worker() -> None:
    data = chart_data(busy_week())

    assert pickle.loads(pickle.dumps(data)) == data


@pytest.mark.parametrize(("themes", "shown"), [(1, 1), (3, 3), (15, 12)])
def test_the_chart_is_a_png_of_the_expected_size(themes: int, shown: int) -> None:
    data = chart_data(themes_week(themes))
    # No more themes than the text lists: the 12 most discussed.
    assert data is not None and len(data.themes) == shown

    png = render_chart(data)

    assert png.startswith(PNG_SIGNATURE)
    image = decoded(png)
    assert image.size == chart_size(shown) == (900, 200 + 40 * shown)
    assert b"Software" not in png  # no version stamp: the bytes depend on the data only


def test_bars_are_as_long_as_their_counts() -> None:
    # The most discussed theme (on top): 3 agree, 0 nuanced, 2 disagree.
    image = decoded(render_chart(chart_data(busy_week())))  # type: ignore[arg-type]
    green, amber, red = (rgb(colour) for colour in STANCE_COLOURS)
    pixels = rows(image)

    # The first row with a long run of green is the top bar (the legend's patches are small);
    # a few pixels lower is inside the bar but above its count labels.
    top = next(y for y, row in enumerate(pixels) if sum(near(pixel, green) for pixel in row) > 100)
    row = pixels[top + 4]
    greens = sum(near(pixel, green) for pixel in row)
    reds = sum(near(pixel, red) for pixel in row)
    ambers = sum(near(pixel, amber) for pixel in row)

    assert ambers == 0
    assert greens / reds == pytest.approx(3 / 2, rel=0.05)


def test_the_same_data_gives_the_same_bytes() -> None:
    data = chart_data(busy_week())
    assert data is not None

    assert render_chart(data) == render_chart(data)


def test_the_chart_renders_in_a_worker_process_as_in_this_one() -> None:
    # As the bot runs it: a "spawn" process pool, the data pickled there and the PNG back.
    data = chart_data(themes_week(4))
    assert data is not None
    context = multiprocessing.get_context("spawn")

    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        png = pool.submit(render_chart, data).result(timeout=60)

    assert png == render_chart(data)


def test_unusual_labels_are_drawn_whole_and_inside_the_picture() -> None:
    data = ChartData(
        title="Avis par thème et par position",
        themes=(
            LONG_WORD,  # 300 characters without a space
            r"Coût $\notacommand$ des CV",  # would break mathtext: drawn as written
            "Un thème au nom vraiment très long qui ne tiendrait jamais sur une seule ligne du graphique",
        ),
        stances=("D'accord", "Nuancé", "Pas d'accord"),
        counts=((40, 1, 0), (0, 0, 1), (2, 2, 2)),
        axis_label="avis",
    )

    image = decoded(render_chart(data))

    # Nothing runs off the left edge: wrapped and shortened labels end inside the margin.
    assert all(near(pixel, (255, 255, 255), 2) for row in rows(image) for pixel in row[:4])


def test_a_chart_without_stance_counts_still_renders() -> None:
    data = chart_data(busy_week())
    assert data is not None
    silent = replace(data, counts=tuple((0, 0, 0) for _ in data.themes))

    assert decoded(render_chart(silent)).size == chart_size(len(data.themes))
