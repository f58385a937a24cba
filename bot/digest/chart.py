"""The digest's one picture: takes per theme, stacked by stance, drawn as a PNG.

`chart_data` picks the figures and words in the group's language; `render_chart` draws them and is
meant to run in a worker process (drawing costs CPU time the event loop cannot spare).
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass

from bot.digest.model import Digest
from bot.i18n import t
from bot.posting.model import STANCES

# One colour per stance, in the order of STANCES (agree, nuanced, disagree): green, amber and red
# as in the digest's 🟢 🟡 🔴, the green darker than the red and the amber lightest, so that the
# three stay apart on a greyscale printout (white lines between segments help too).
STANCE_COLOURS = ("#1f7a3a", "#f2b01e", "#e5484d")
# Text drawn on each colour: white on the dark ones, near-black on amber.
LABEL_COLOURS = ("#ffffff", "#1f2328", "#ffffff")
TEXT_COLOUR = "#1f2328"
MUTED_COLOUR = "#57606a"
GRID_COLOUR = "#d8dee4"

DPI = 100
WIDTH_PX = 900
BASE_HEIGHT_PX = 200
PER_THEME_PX = 40
# Margins in pixels, so that the frame stays the same whatever the number of themes. The left one
# fits the widest theme label, within bounds (the bars keep at least ~60 % of the width).
MARGIN_PX = 24
LABEL_GAP_PX = 10
MIN_LEFT_PX = 120
MAX_LEFT_PX = 330
RIGHT_PX = 40  # room for the longest bar's total
TOP_PX = 86  # the title, then the legend
BOTTOM_PX = 58  # tick labels and the axis label
LABEL_WIDTH = 30  # characters per line of a theme label
LABEL_LINES = 2
LABEL_SIZE = 10.5
COUNT_SIZE = 10
BAR_PX = 26  # every week's bars as thick, whatever the number of themes
MIN_SEGMENT_PX = 22  # a count is written inside a segment only if it fits there


@dataclass(frozen=True)
class ChartData:
    """What the chart shows, already in the group's language (plain data: sent to a worker)."""

    title: str
    themes: tuple[str, ...]  # labels, most discussed first
    stances: tuple[str, ...]  # labels, in the order of STANCES (which sets their colours)
    counts: tuple[tuple[int, ...], ...]  # counts[i][j]: takes on theme i with stance j
    axis_label: str


def chart_data(digest: Digest) -> ChartData | None:
    """The chart of the week's themes, or None when no theme drew a take (nothing to draw)."""
    themes = digest.charted_themes
    if not themes:
        return None
    locale = digest.locale
    return ChartData(
        title=t("digest.chart_title", locale),
        themes=tuple(theme.label for theme in themes),
        stances=tuple(t(f"stance.{stance}", locale) for stance in STANCES),
        counts=tuple(tuple(theme.stances.get(stance, 0) for stance in STANCES) for theme in themes),
        axis_label=t("digest.chart_axis", locale),
    )


def chart_size(themes: int) -> tuple[int, int]:
    """The picture's size in pixels for `themes` bars."""
    return WIDTH_PX, BASE_HEIGHT_PX + PER_THEME_PX * max(themes, 1)


def render_chart(data: ChartData) -> bytes:
    """The chart as PNG bytes: one horizontal bar per theme, one segment per stance.

    The same data always gives the same bytes (no timestamp nor version in the file)."""
    # Imported here: matplotlib takes a few hundred milliseconds to import, and only the worker
    # processes that draw need it, not every process that imports the digest.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    width, height = chart_size(len(data.themes))
    # The object-oriented API only: pyplot keeps global state and is not thread-safe.
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)  # the figure draws on its own Agg canvas, unknown to any other
    axes = figure.add_axes((0, 0, 1, 1))
    rows = range(len(data.themes))
    totals = [sum(counts) for counts in data.counts]
    limit = max(max(totals, default=0), 1)
    bar_px = width - MAX_LEFT_PX - RIGHT_PX  # the narrowest the bars can be, for the count labels
    row_px = (height - TOP_PX - BOTTOM_PX) / max(len(data.themes), 1)

    left = [0] * len(data.themes)
    for j, stance in enumerate(data.stances):
        values = [counts[j] if j < len(counts) else 0 for counts in data.counts]
        axes.barh(
            rows,
            values,
            left=left,
            height=BAR_PX / row_px,
            color=STANCE_COLOURS[j % len(STANCE_COLOURS)],
            edgecolor="white",
            linewidth=1,
            label=stance,
        )
        for row, (start, value) in enumerate(zip(left, values, strict=True)):
            if value * bar_px / limit >= MIN_SEGMENT_PX:
                axes.text(
                    start + value / 2,
                    row,
                    str(value),
                    ha="center",
                    va="center_baseline",
                    fontsize=COUNT_SIZE,
                    fontweight="bold",
                    color=LABEL_COLOURS[j % len(LABEL_COLOURS)],
                )
        left = [start + value for start, value in zip(left, values, strict=True)]
    for row, total in enumerate(totals):
        # Just after the bar's end: an offset in points, whatever the scale.
        axes.annotate(
            str(total),
            (total, row),
            xytext=(5, 0),
            textcoords="offset points",
            ha="left",
            va="center_baseline",
            fontsize=COUNT_SIZE,
            fontweight="bold",
            color=TEXT_COLOUR,
            annotation_clip=False,
        )
    # Theme labels as plain texts rather than tick labels: they are cheaper to draw, can be
    # measured before the layout, and are never read as mathtext (a label with two "$" in it).
    labels = [
        axes.text(
            0,
            row,
            _wrapped(theme),
            transform=axes.get_yaxis_transform(),
            ha="right",
            va="center",
            multialignment="right",
            fontsize=LABEL_SIZE,
            color=TEXT_COLOUR,
            parse_math=False,
            clip_on=False,
        )
        for row, theme in enumerate(data.themes)
    ]
    widest = max((label.get_window_extent().width for label in labels), default=0)
    left_px = min(max(MIN_LEFT_PX, MARGIN_PX + widest + LABEL_GAP_PX), MAX_LEFT_PX)
    axes.set_position(
        (
            left_px / width,
            BOTTOM_PX / height,
            (width - left_px - RIGHT_PX) / width,
            (height - TOP_PX - BOTTOM_PX) / height,
        )
    )
    for label in labels:
        label.set_x(-LABEL_GAP_PX / (width - left_px - RIGHT_PX))

    axes.set_yticks([])
    axes.set_ylim(len(data.themes) - 0.5, -0.5)  # the most discussed theme on top
    locator = MaxNLocator(nbins="auto", steps=[1, 2, 5, 10], integer=True)
    # The axis ends on a tick at or past the longest bar, so that a grid line closes the chart.
    axes.set_xlim(0, max(float(tick) for tick in locator.tick_values(0, limit)))
    axes.xaxis.set_major_locator(locator)
    axes.set_xlabel(data.axis_label, fontsize=LABEL_SIZE, color=MUTED_COLOUR, labelpad=6)
    axes.tick_params(axis="x", colors=MUTED_COLOUR, labelsize=9.5, length=0, pad=6)
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(GRID_COLOUR)

    figure.text(
        MARGIN_PX / width,
        1 - 14 / height,
        data.title,
        ha="left",
        va="top",
        fontsize=15,
        fontweight="bold",
        color=TEXT_COLOUR,
        parse_math=False,
    )
    figure.legend(
        loc="upper left",
        bbox_to_anchor=(MARGIN_PX / width - 0.004, 1 - 46 / height),
        ncols=len(data.stances),
        frameon=False,
        fontsize=11,
        handlelength=1.1,
        handleheight=1.1,
        borderaxespad=0,
        borderpad=0,
        columnspacing=1.6,
        labelcolor=TEXT_COLOUR,
    )
    buffer = io.BytesIO()
    # No "Software" entry: it names the matplotlib version, which would change the bytes.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _wrapped(label: str) -> str:
    """A theme label on at most two lines of balanced length (a longer one ends with "…"; a very
    long word is cut)."""
    if len(label) <= LABEL_WIDTH:
        return label
    # The narrowest width that still takes two lines: "Réseaux sociaux :" over "nécessité ou
    # option ?" rather than a full first line and a lone word under it.
    for width in range(math.ceil(len(label) / LABEL_LINES), LABEL_WIDTH + 1):
        lines = textwrap.wrap(label, width, break_long_words=False)
        if len(lines) <= LABEL_LINES and all(len(line) <= LABEL_WIDTH for line in lines):
            return "\n".join(lines)
    lines = textwrap.wrap(label, LABEL_WIDTH)  # a word longer than a line is cut
    if len(lines) <= LABEL_LINES:
        return "\n".join(lines)
    last = lines[LABEL_LINES - 1][: LABEL_WIDTH - 2]  # room for " …"
    if " " in last:
        last = last.rsplit(" ", 1)[0]
    return "\n".join([*lines[: LABEL_LINES - 1], f"{last.rstrip(' ,;:')} …"])
