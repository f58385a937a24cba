"""Case-study quality and speed on labelled article pages, beside a simple baseline.

Sets: `tests/data/articles` (the 32 pages the reader was first built on), `…/eval` (pages from
other sites and layouts, written the way journalists write, labelled before the code ran on them)
and `…/holdout` (the same, never looked at while tuning), or any folders given on the command line
(labels in `expected.toml` or `labels-*.toml`; without labels, what needs none is measured).

For every page: extract the main text and build the case study as a worker does. The baseline,
measured in the same run on the same extracted text, is what a newcomer writes: a TF-IDF nearest
centroid on the themes' labels and keywords, the first three sentences, the five words of highest
TF-IDF, trafilatura's date. Time is per page (extraction + build); memory is what the language
models add once trafilatura is loaded. Run with `make bench` or `.venv/bin/python -m bench.casestudy`.
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench._articles import OFF_TOPIC, Page, PageSet, flat, load_set, term_matches, visible_text
from bot.casestudy.bank import QUOTED, TERMS, QuestionBank, load_bank
from bot.casestudy.build import BuildContext, Draft, draft
from bot.casestudy.extract import extract_page
from bot.casestudy.keyterms import TermStats
from bot.casestudy.model import ArticleInput, CaseStudy, Rejection
from bot.casestudy.sentences import sentences
from bot.casestudy.summarise import is_question
from bot.casestudy.tagging import tag_sentences
from bot.casestudy.worker import FetchedPage, choose_text, make_case_study
from bot.config.feeds_file import FeedsFile, load_feeds_file
from bot.feeds.frequency import zipf
from bot.feeds.stopwords import STOPWORDS
from bot.feeds.text import tokens
from bot.feeds.themes import stems
from bot.services import theme_keywords, theme_labels

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "data" / "articles"
DEFAULT_SETS = (ARTICLES, ARTICLES / "eval", ARTICLES / "holdout")
ROUNDS = 3  # each page is built this many times; timings are per build
REPEAT_HORIZON = 60  # case studies simulated for one group before giving up on a repeat
TITLE_REPEAT = 0.6


@dataclass
class Result:
    """What one contender made of one page."""

    theme: str = ""
    summary: tuple[str, ...] = ()
    key_terms: tuple[str, ...] = ()
    published: datetime | None = None
    headings: tuple[str, ...] = ()
    draft: Draft | None = None
    seconds: float = 0.0


@dataclass
class Tally:
    pages: int = 0
    theme_right: Counter[str] = field(default_factory=Counter)
    theme_pages: Counter[str] = field(default_factory=Counter)
    off_topic: int = 0
    off_topic_right: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    terms: int = 0
    terms_right: int = 0
    labelled_terms: int = 0
    labelled_found: int = 0
    sentences: int = 0
    title_like: int = 0
    headings: int = 0
    questions: int = 0
    boilerplate: int = 0
    dated: int = 0
    dates_right: int = 0
    footer_dates: int = 0
    seconds: list[float] = field(default_factory=list)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.casestudy", description=__doc__.splitlines()[0])
    parser.add_argument(
        "folders", nargs="*", type=Path, help="folders of .html pages (default: the project's sets)"
    )
    parser.add_argument("--locale", choices=("fr", "en"), default="fr", help="the group's language")
    args = parser.parse_args(argv)
    folders = args.folders or [folder for folder in DEFAULT_SETS if folder.is_dir()]
    config = load_feeds_file(ROOT / "feeds.toml")
    bank = load_bank(ROOT / "casestudies.toml", [theme.id for theme in config.themes])
    sets = [load_set(folder, _name(folder)) for folder in folders]
    for page_set in sets:
        _report(page_set, config, bank, args.locale)
    if not args.folders and (ARTICLES / "bad").is_dir():
        context = BuildContext(
            theme_keywords(config), theme_labels(config), bank, TermStats(), locale=args.locale
        )
        _print_bad_inputs(context)
    before, models, built = _memory(sets)
    sys.stdout.write(
        f"\nMemory of a fresh worker process: {before:.0f} MB with trafilatura loaded and one page read; "
        f"the language models (spaCy fr_core_news_sm, TextBlob's tagger, wordfreq) add "
        f"{models - before:.0f} MB (target < 200 MB); {built:.0f} MB once four pages are built.\n"
    )


def _name(folder: Path) -> str:
    try:
        return str(folder.resolve().relative_to(ROOT))
    except ValueError:
        return str(folder)


def _memory(sets: Sequence[PageSet]) -> tuple[float, float, float]:
    """Resident memory of a fresh process, as a worker: after reading one page with trafilatura,
    after loading the language models, then after building French and English case studies."""
    pages = [page for page_set in sets for page in page_set.pages]
    french = [p for p in pages if p.language == "fr" and p.theme != OFF_TOPIC][:2]
    english = [p for p in pages if p.language == "en" and p.theme != OFF_TOPIC][:2]
    paths = [
        str(page_set.folder / page.file)
        for page_set in sets
        for page in page_set.pages
        if page in french + english
    ]
    script = "import sys; from bench.casestudy import _probe; _probe(sys.argv[1:])"
    done = subprocess.run(
        [sys.executable, "-c", script, *paths], capture_output=True, text=True, check=True, cwd=ROOT
    )
    before, models, built = (float(value) for value in done.stdout.split())
    return before, models, built


def _probe(paths: Sequence[str]) -> None:
    """Run in a child process by `_memory`: print its memory before and after the models."""
    config = load_feeds_file(ROOT / "feeds.toml")
    bank = load_bank(ROOT / "casestudies.toml", [theme.id for theme in config.themes])
    context = BuildContext(theme_keywords(config), theme_labels(config), bank, TermStats())
    bodies = [Path(path).read_bytes() for path in paths]
    extract_page(bodies[0], "text/html", "https://news.example/first")
    before = _rss_mb()
    for language in ("fr", "en"):
        tag_sentences(["Le recruteur lit la candidature.", "The recruiter reads the application."], language)
        zipf("candidature", language)
    models = _rss_mb()
    for index, body in enumerate(bodies):
        url = f"https://news.example/{index}"
        article = ArticleInput(
            title="", url=url, summary="", language=None, published_at=None, source_name=""
        )
        make_case_study(article, FetchedPage(body, "text/html", url), context)
    sys.stdout.write(f"{before} {models} {_rss_mb()}\n")


def _report(page_set: PageSet, config: FeedsFile, bank: QuestionBank, locale: str) -> None:
    pages = [page for page in page_set.pages if not page.labelled or page.theme is not None]
    sys.stdout.write(f"\n== {page_set.name}: {len(pages)} pages")
    if page_set.labelled:
        on_topic = [p for p in pages if p.theme != OFF_TOPIC]
        french = sum(p.language == "fr" for p in on_topic)
        layouts = len({p.layout for p in pages if p.layout})
        sys.stdout.write(
            f" ({french} French, {len(on_topic) - french} English on topic, "
            f"{len(pages) - len(on_topic)} off topic" + (f", {layouts} layouts" if layouts else "") + ")"
        )
    sys.stdout.write("\n")
    stats = TermStats.from_texts((p.language or "fr", visible_text(p.body)[:600]) for p in pages)
    context = BuildContext(theme_keywords(config), theme_labels(config), bank, stats, locale=locale)
    baseline = _Baseline(config, pages)
    contenders: dict[str, Callable[[Page], Result]] = {
        "baseline": baseline.run,
        "veille-bot": lambda page: _ours(page, context),
    }
    tallies, results = {}, {}
    for name, run in contenders.items():
        tally = Tally()
        for page in pages:
            result = Result()
            for _ in range(ROUNDS):
                started = time.perf_counter()
                result = run(page)
                tally.seconds.append(time.perf_counter() - started)
            results[(name, page.file)] = result
            _judge(tally, page, result)
        tallies[name] = tally
    _print_quality(page_set, tallies)
    ours = {page.file: results[("veille-bot", page.file)] for page in pages}
    _print_questions(pages, ours, bank, locale)
    _print_confusions(tallies["veille-bot"])


def _ours(page: Page, context: BuildContext) -> Result:
    url = f"https://news.example/{page.file}"
    article = ArticleInput(title="", url=url, summary="", language=None, published_at=None, source_name="")
    extraction = choose_text(article, FetchedPage(page.body, "text/html; charset=utf-8", url))
    if isinstance(extraction, Rejection):
        return Result()
    made = draft(article, extraction, context)
    page_text = extraction.page
    headings = page_text.headings if page_text else ()
    if isinstance(made, Rejection):
        return Result(published=page_text.published_at if page_text else None, headings=headings)
    case = made.case_study
    return Result(case.theme, case.summary, case.key_terms, case.published_at, headings, made)


class _Baseline:
    """TF-IDF nearest centroid on labels and keywords, lead-3, top TF-IDF words, trafilatura's date."""

    def __init__(self, config: FeedsFile, pages: Sequence[Page]) -> None:
        self._centroids = {
            theme.id: " ".join([theme.label.fr, theme.label.en, *theme.keywords.fr, *theme.keywords.en])
            for theme in config.themes
        }
        documents = [visible_text(page.body) for page in pages] + list(self._centroids.values())
        self._df: Counter[str] = Counter()
        for text in documents:
            self._df.update(set(self._stems(text)))
        self._n = len(documents)
        self._vectors = {theme: self._vector(text) for theme, text in self._centroids.items()}

    def _stems(self, text: str) -> list[str]:
        return [stem for stem in stems(text, "fr") if stem not in STOPWORDS and len(stem) > 2]

    def _vector(self, text: str) -> dict[str, float]:
        counts = Counter(self._stems(text))
        vector = {s: c * math.log((1 + self._n) / (1 + self._df[s])) for s, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {s: v / norm for s, v in vector.items()}

    def run(self, page: Page) -> Result:
        import trafilatura

        url = f"https://news.example/{page.file}"
        document = trafilatura.bare_extraction(
            page.body.decode("utf-8", "replace"), url=url, with_metadata=True
        )
        text = (document.text or "") if document is not None and not isinstance(document, dict) else ""
        title = (document.title or "") if document is not None and not isinstance(document, dict) else ""
        vector = self._vector(f"{title} {text}")
        scores = {t: sum(w * c.get(s, 0.0) for s, w in vector.items()) for t, c in self._vectors.items()}
        theme = max(scores, key=lambda t: scores[t])
        lead = tuple(s for p in text.splitlines() for s in sentences(p))[:3]
        words = Counter(w for w in tokens(text) if w not in STOPWORDS and len(w) > 2 and not w.isdigit())
        tfidf = {w: c * math.log((1 + self._n) / (1 + self._df[w])) for w, c in words.items()}
        terms = tuple(sorted(tfidf, key=lambda w: -tfidf[w])[:5])
        date = document.date if document is not None and not isinstance(document, dict) else None
        return Result(theme, lead, terms, _parse_date(date), ())


def _parse_date(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _judge(tally: Tally, page: Page, result: Result) -> None:
    tally.pages += 1
    if page.labelled:
        if page.theme == OFF_TOPIC:
            tally.off_topic += 1
            tally.off_topic_right += result.theme in ("", OFF_TOPIC)
        else:
            assert page.language is not None and page.theme is not None
            tally.theme_pages[page.language] += 1
            tally.theme_right[page.language] += result.theme == page.theme
            if result.theme != page.theme:
                tally.confusions[(page.theme, result.theme or "nothing")] += 1
            if page.key_terms:  # the first set's pages were labelled with their theme only
                _judge_terms(tally, page, result)
        if page.published is not None:
            tally.dated += 1
            got = result.published
            tally.dates_right += got is not None and got.date() == page.published.date()
            tally.footer_dates += got is not None and got.year == page.footer_year
    title = page.title or (result.draft.case_study.title if result.draft else "")
    headings = page.headings or result.headings
    for sentence in result.summary:
        tally.sentences += 1
        tally.title_like += _similar(sentence, title) >= TITLE_REPEAT
        tally.headings += any(flat(sentence) == flat(h) or flat(h) in flat(sentence) for h in headings if h)
        tally.questions += is_question(sentence)
        tally.boilerplate += any(flat(sentence) in b or b in flat(sentence) for b in page.boilerplate)


def _judge_terms(tally: Tally, page: Page, result: Result) -> None:
    tally.terms += len(result.key_terms)
    tally.terms_right += sum(term_matches(t, page.acceptable_terms) for t in result.key_terms)
    tally.labelled_terms += len(page.key_terms)
    tally.labelled_found += sum(term_matches(t, tuple(result.key_terms)) for t in page.key_terms)


def _similar(sentence: str, title: str) -> float:
    a, b = Counter(stems(sentence, "fr")), Counter(stems(title, "fr"))
    a = Counter({k: v for k, v in a.items() if k not in STOPWORDS})
    b = Counter({k: v for k, v in b.items() if k not in STOPWORDS})
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    —"


def _print_quality(page_set: PageSet, tallies: dict[str, Tally]) -> None:
    labelled = page_set.labelled
    header = ["", "median", "p95"]
    rows = []
    if labelled:
        header[1:1] = ["theme", "fr", "en", "off-topic", "terms right", "terms found", "dates"]
    header[-2:-2] = ["title-like", "headings", "questions", "boilerplate"]
    for name, tally in tallies.items():
        ordered = sorted(tally.seconds)
        p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else 0.0
        row = [name]
        if labelled:
            right, total = sum(tally.theme_right.values()), sum(tally.theme_pages.values())
            row += [
                _share(right, total),
                _share(tally.theme_right["fr"], tally.theme_pages["fr"]),
                _share(tally.theme_right["en"], tally.theme_pages["en"]),
                f"{tally.off_topic_right}/{tally.off_topic}",
                _share(tally.terms_right, tally.terms),
                _share(tally.labelled_found, tally.labelled_terms),
                f"{tally.dates_right}/{tally.dated}"
                + (f" ({tally.footer_dates} ©)" if tally.footer_dates else ""),
            ]
        row += [
            f"{tally.title_like}/{tally.sentences}",
            f"{tally.headings}/{tally.sentences}",
            f"{tally.questions}/{tally.sentences}",
            f"{tally.boilerplate}/{tally.sentences}",
            f"{statistics.median(tally.seconds) * 1000:6.1f} ms" if tally.seconds else "—",
            f"{p95 * 1000:6.1f} ms",
        ]
        rows.append(row)
    _print_table(header, rows)
    if labelled:
        sys.stdout.write(
            "  theme: right among on-topic pages; off-topic: off-topic pages not made a case study;\n"
            "  terms right: key terms a teacher listed (precision); terms found: labelled key terms\n"
            "  found (recall, at most 5 of 6-10); dates: the page's date on the labelled day (©: the\n"
            "  footer's copyright year taken);\n"
            "  summary sentences that repeat the title, are a subheading, a question or page furniture.\n"
        )


def _print_questions(pages: Sequence[Page], ours: dict[str, Result], bank: QuestionBank, locale: str) -> None:
    drafts = [(page, ours[page.file].draft) for page in pages]
    made = [(page, d) for page, d in drafts if d is not None]
    if not made:
        return
    citing_cases = sum(d.picked.citing > 0 for _, d in made)
    questions = sum(len(d.case_study.questions) for _, d in made)
    citing = sum(d.picked.citing for _, d in made)
    slots = ("term", "term2", "claim", "figure", "org")
    empty = sum(not d.values.get(slot) for _, d in made for slot in slots)
    unsound, fills, claims_labelled, claims_right = 0, 0, 0, 0
    for page, d in made:
        text = flat(visible_text(page.body))
        for used in d.picked.placeholders if page.key_terms else ():
            for slot in used & (TERMS | QUOTED | {"org"}):
                fills += 1
                unsound += not _sound(slot, d.values[slot], page, text)
        if page.claim:
            claims_labelled += 1
            claims_right += flat(d.values.get("claim", "")) == flat(page.claim)
    mixed, mixed_without = (
        _repeat_after(made, bank, locale, memory=True),
        _repeat_after(made, bank, locale, memory=False),
    )
    one_theme = _one_theme_repeat(made, bank, locale)
    rows = [
        ["case studies with a question quoting the article", f"{citing_cases}/{len(made)}"],
        ["questions quoting the article ({claim}, {figure}, {org})", f"{citing}/{questions}"],
        [
            "slots without a sound value (term, term2, claim, figure, org)",
            _share(empty, len(made) * len(slots)),
        ],
    ]
    if any(page.key_terms for page, _ in made):
        rows += [
            [
                "fills that are not a labelled term or organisation, nor a whole sentence of the page",
                f"{unsound}/{fills}",
            ],
            ["claim quoted = the labelled most debatable claim", f"{claims_right}/{claims_labelled}"],
        ]
    rows += [
        ["case studies before a role-play repeats, one group, every page in date order", mixed],
        ["  the same without the group's memory", mixed_without],
        ["  a group with one theme (its pages in turn), the worst theme", one_theme],
    ]
    _print_table(["veille-bot's questions and role-plays", ""], rows)


def _sound(slot: str, value: str, page: Page, text: str) -> bool:
    if slot in TERMS:
        return not page.labelled or term_matches(value, page.acceptable_terms)
    if slot == "org":
        return (
            not page.labelled
            or term_matches(value.split("'")[-1], page.organisations + page.key_terms)
            or any(flat(org).lower() in flat(value).lower() for org in page.organisations)
        )
    return flat(value) in text


def _repeat_after(
    made: Sequence[tuple[Page, Draft]], bank: QuestionBank, locale: str, *, memory: bool
) -> str:
    ordered = sorted(made, key=lambda item: (item[1].case_study.published_at or datetime.min, item[0].file))
    sequence = [d for _, d in ordered]
    return _simulate([sequence[i % len(sequence)] for i in range(REPEAT_HORIZON)], bank, locale, memory)


def _one_theme_repeat(made: Sequence[tuple[Page, Draft]], bank: QuestionBank, locale: str) -> str:
    by_theme: dict[str, list[Draft]] = {}
    for _, d in made:
        by_theme.setdefault(d.case_study.theme, []).append(d)
    results = {
        theme: _simulate([drafts[i % len(drafts)] for i in range(REPEAT_HORIZON)], bank, locale, True)
        for theme, drafts in by_theme.items()
    }
    worst = min(results, key=lambda theme: _count(results[theme]))
    return f"{results[worst]} ({worst})"


def _simulate(sequence: Sequence[Draft], bank: QuestionBank, locale: str, memory: bool) -> str:
    """Case studies a group gets before one of them repeats an earlier role-play."""
    used: list[str] = []
    seen: set[str] = set()
    for index, made in enumerate(sequence):
        case = made.case_study
        picked = bank.pick(
            case.theme, locale, made.values, seed=f"{case.url}|{index}", used=used if memory else ()
        )
        if picked.situation in seen:
            return str(index)
        seen.add(picked.situation)
        used = [*picked.templates, *used]
    return f"none in {len(sequence)}"


def _count(text: str) -> int:
    return int(text.split()[-1]) + 1000 if text.startswith("none") else int(text)


def _print_confusions(tally: Tally) -> None:
    if not tally.confusions:
        return
    pairs = ", ".join(f"{want} → {got} ×{n}" for (want, got), n in tally.confusions.most_common())
    sys.stdout.write(f"  veille-bot's theme confusions (labelled → chosen): {pairs}\n")


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


def _print_bad_inputs(context: BuildContext) -> None:
    """What becomes of each bad page (tests/data/articles/bad): a reason, never half a case study."""
    folder = ARTICLES / "bad"
    sys.stdout.write("\nBad inputs (no feed summary to fall back on):\n")
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".html", ".pdf"):
            continue
        media = "application/pdf" if path.suffix == ".pdf" else "text/html"
        url = f"https://news.example/{path.name}"
        article = ArticleInput(
            title="", url=url, summary="", language=None, published_at=None, source_name=""
        )
        result = make_case_study(article, FetchedPage(path.read_bytes(), media, url), context)
        outcome = (
            f"case study ({result.text_source.value}, {len(result.summary)} sentences)"
            if isinstance(result, CaseStudy)
            else result.reason
        )
        sys.stdout.write(f"  {path.name:<20} {outcome}\n")


if __name__ == "__main__":
    main()
