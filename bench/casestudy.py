"""Case-study quality and speed on the article pages of `tests/data/articles/`.

For every page: extract the main text, build the case study (as a worker does), and check it
against `expected.toml`: the theme, and that every summary sentence is whole, comes from the
article and is none of the page's boilerplate. The baseline, measured in the same run, is what a
newcomer writes: the page's whole text (lxml `text_content`), its first three sentences, the theme
of the title alone. Time is per page (extraction + build), memory is what the NLP stack adds to a
fresh process. Run with `make bench` or `.venv/bin/python -m bench.casestudy`.
"""

from __future__ import annotations

import gc
import re
import resource
import statistics
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

from bot.casestudy.bank import load_bank
from bot.casestudy.build import BuildContext
from bot.casestudy.keyterms import TermStats
from bot.casestudy.model import ArticleInput, CaseStudy, Rejection
from bot.casestudy.sentences import sentences
from bot.casestudy.worker import FetchedPage, make_case_study
from bot.config.feeds_file import load_feeds_file
from bot.feeds.text import tokens
from bot.feeds.themes import ThemeScorer
from bot.services import theme_keywords, theme_labels

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "data" / "articles"
ROUNDS = 5  # each page is built this many times; timings are per build
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Expected:
    file: str
    language: str
    theme: str
    boilerplate: tuple[str, ...]


@dataclass
class Score:
    name: str
    pages: int = 0
    theme_right: int = 0
    sentences: int = 0
    whole: int = 0
    from_article: int = 0
    boilerplate: int = 0
    failed: int = 0

    def row(self, seconds: list[float]) -> list[str]:
        def share(part: int, whole: int) -> str:
            return f"{100 * part / whole:5.1f} %" if whole else "   —"

        ordered = sorted(seconds)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        return [
            self.name,
            share(self.theme_right, self.pages),
            share(self.whole, self.sentences),
            share(self.from_article, self.sentences),
            share(self.boilerplate, self.sentences),
            str(self.failed),
            f"{statistics.median(seconds) * 1000:6.1f} ms",
            f"{p95 * 1000:6.1f} ms",
        ]


def visible_text(page: bytes) -> str:
    tree = lxml_html.document_fromstring(page.decode("utf-8"))
    for hidden in tree.xpath("//script|//style"):
        hidden.drop_tree()
    return _SPACES.sub(" ", tree.text_content().replace("\u00a0", " ")).strip()


def is_whole(sentence: str) -> bool:
    return bool(re.match(r"^[\"'“«(]?\s*[A-ZÀ-ÖØ-Þ0-9]", sentence)) and bool(
        re.search(r"[.!?][\s\"'”’»)]*$", sentence)
    )


def judge(score: Score, expected: Expected, page: bytes, theme: str, summary: tuple[str, ...]) -> None:
    text = visible_text(page)
    score.pages += 1
    score.theme_right += theme == expected.theme
    for sentence in summary:
        flat = _SPACES.sub(" ", sentence.replace("\u00a0", " "))
        score.sentences += 1
        score.whole += is_whole(flat)
        score.from_article += flat in text
        score.boilerplate += any(flat in b or b in flat for b in expected.boilerplate)


def ours(page: bytes, url: str, context: BuildContext) -> tuple[str, tuple[str, ...]]:
    article = ArticleInput(title="", url=url, summary="", language=None, published_at=None, source_name="")
    result = make_case_study(article, FetchedPage(page, "text/html; charset=utf-8", url), context)
    if isinstance(result, Rejection):
        return "", ()
    return result.theme, result.summary


def naive(scorer: ThemeScorer) -> Callable[[bytes, str, BuildContext], tuple[str, tuple[str, ...]]]:
    def run(page: bytes, url: str, context: BuildContext) -> tuple[str, tuple[str, ...]]:
        tree = lxml_html.document_fromstring(page.decode("utf-8"))
        title = tree.findtext(".//title") or ""
        scores = scorer.score(tokens(title), [])
        theme = max(scores, key=lambda t: scores[t]) if scores else ""
        return theme, tuple(sentences(visible_text(page))[:3])

    return run


def main() -> None:
    expected_file = tomllib.loads((ARTICLES / "expected.toml").read_text(encoding="utf-8"))
    articles = [
        Expected(a["file"], a["language"], a["theme"], tuple(a.get("boilerplate", [])))
        for a in expected_file["articles"]
    ]
    pages = {a.file: (ARTICLES / a.file).read_bytes() for a in articles}
    rss_before = _rss_mb()
    config = load_feeds_file(ROOT / "feeds.toml")
    themes = theme_keywords(config)
    bank = load_bank(ROOT / "casestudies.toml", [theme.id for theme in config.themes])
    # Term counts as the bot has them: the titles and leads of the other stored articles.
    stats = TermStats.from_texts((a.language, visible_text(pages[a.file])[:600]) for a in articles)
    context = BuildContext(themes, theme_labels(config), bank, stats, locale="fr")
    contenders = {"baseline: whole page, first 3 sentences": naive(ThemeScorer(themes)), "veille-bot": ours}
    rows, timings, results = [], {}, {}
    for name, run in contenders.items():
        score, seconds = Score(name), []
        for expected in articles:
            url = f"https://news.example/{expected.file}"
            page = pages[expected.file]
            for _ in range(ROUNDS):
                started = time.perf_counter()
                theme, summary = run(page, url, context)
                seconds.append(time.perf_counter() - started)
            if not summary:
                score.failed += 1
            judge(score, expected, page, theme, summary)
            results[(name, expected.file)] = (theme, summary)
        rows.append(score.row(seconds))
        timings[name] = seconds
    gc.collect()
    rss_after = _rss_mb()
    _print_table(
        ["", "theme right", "whole sentences", "from the page", "boilerplate", "no summary", "median", "p95"],
        rows,
    )
    base, mine = timings.values()
    sys.stdout.write(
        f"\n{len(articles)} pages ({sum(a.language == 'fr' for a in articles)} French), "
        f"{ROUNDS} builds each. "
        f"veille-bot takes {statistics.median(mine) / statistics.median(base):.1f}× the baseline's time "
        f"(median); p95 target 300 ms.\n"
        f"Memory: {rss_before:.0f} MB before trafilatura is loaded; with it loaded and every page built "
        f"{rss_after:.0f} MB (+{rss_after - rss_before:.0f} MB; target < 200 MB added).\n"
    )
    wrong = [
        (a.file, a.theme, results[("veille-bot", a.file)][0])
        for a in articles
        if results[("veille-bot", a.file)][0] != a.theme
    ]
    for file, want, got in wrong:
        sys.stdout.write(f"  theme: {file}: expected {want}, got {got or 'nothing'}\n")
    _print_bad_inputs(context)


def _print_bad_inputs(context: BuildContext) -> None:
    """What becomes of each bad page (tests/data/articles/bad): a reason, never half a case study."""
    folder = ARTICLES / "bad"
    if not folder.is_dir():
        return
    sys.stdout.write("\nBad inputs (no feed summary to fall back on):\n")
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".html", ".pdf"):
            continue
        media = "application/pdf" if path.suffix == ".pdf" else "text/html"
        article = ArticleInput(
            title="",
            url=f"https://news.example/{path.name}",
            summary="",
            language=None,
            published_at=None,
            source_name="",
        )
        result = make_case_study(article, FetchedPage(path.read_bytes(), media, article.url or ""), context)
        outcome = (
            f"case study ({result.text_source.value}, {len(result.summary)} sentences)"
            if isinstance(result, CaseStudy)
            else result.reason
        )
        sys.stdout.write(f"  {path.name:<20} {outcome}\n")


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        sys.stdout.write("  ".join(cells) + "\n")


if __name__ == "__main__":
    main()
