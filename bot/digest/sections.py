"""The digest's words, section by section, written once for every target (chat, Markdown, HTML).

Each section is small enough for one Discord embed by construction: quotes are excerpts cut at a
sentence (or, for one very long sentence, a word) and lists are capped, so that nothing is ever cut
in the middle by a size limit downstream.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.digest.markup import Markup
from bot.digest.model import CHARTED_THEMES as THEMES_SHOWN
from bot.digest.model import CaseStudyEntry, Digest, SuggestionLine, ThemeTrend, Trend
from bot.digest.week import IsoWeek
from bot.feeds.text import shorten
from bot.i18n import Locale, t
from bot.posting.model import STANCES

QUOTE_LIMIT = 280  # characters of a quoted take (before escaping)
TITLE_LIMIT = 250  # marked-up characters (a Discord embed title holds 256)
SUGGESTIONS_SHOWN = 10
SUGGESTION_EMOJI = {"feed": "📡", "article": "📰", "topic": "💬"}
STANCE_EMOJI = {"agree": "🟢", "nuanced": "🟡", "disagree": "🔴"}
TREND_EMOJI = {Trend.NEW: "✨", Trend.RISING: "📈", Trend.STEADY: "➖", Trend.FALLING: "📉"}
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Section:
    kind: str  # overview | case_study | themes | next
    title: str  # marked up
    blocks: tuple[str, ...]  # marked-up lines and quotes
    url: str | None = None  # what the title links to
    chart: bool = False  # the week's chart goes with this section


def excerpt(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Whole sentences up to `limit` characters; one sentence longer than that is cut at a word
    and ends with "…" (the reader sees it was shortened)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) + 2 > limit:  # room for " …"
            break
        kept = candidate
    return f"{kept} …" if kept else shorten(text, limit)


def fitted(markup: Markup, text: str, limit: int) -> str:
    """`text` marked up in at most `limit` characters: escaping can double a text (`***`), so the
    longest word-boundary cut whose marked-up form fits."""
    marked = markup.text(" ".join(text.split()))
    if len(marked) <= limit:
        return marked
    low, high = 1, min(len(text), limit)
    while low < high:  # the marked-up length grows with the cut: search the longest that fits
        middle = (low + high + 1) // 2
        if len(markup.text(shorten(text, middle))) <= limit:
            low = middle
        else:
            high = middle - 1
    return markup.text(shorten(text, low))


def title_of(digest: Digest) -> str:
    week = IsoWeek.parse(digest.week)
    fmt = t("digest.date_format", digest.locale)
    start, end = week.monday, week.monday + timedelta(days=6)
    return t(
        "digest.title",
        digest.locale,
        week=week.week,
        year=week.year,
        start=start.strftime(fmt),
        end=end.strftime(fmt),
    )


def digest_sections(digest: Digest, markup: Markup) -> list[Section]:
    sections = [_overview(digest, markup)]
    sections += [_case_study(digest, entry, markup) for entry in digest.case_studies]
    if digest.themes:
        sections.append(_themes(digest, markup))
    sections.append(_next(digest, markup))
    return sections


def _overview(digest: Digest, markup: Markup) -> Section:
    locale = digest.locale
    blocks = []
    if digest.late:
        blocks.append(markup.line(t("digest.late", locale)))
    if digest.partial:
        blocks.append(markup.line(t("digest.partial", locale)))
    if digest.empty:
        blocks.append(markup.line(t("digest.empty", locale)))
        return Section("overview", markup.text(title_of(digest)), tuple(blocks))
    p = digest.participation
    blocks.append(
        markup.line(
            t(
                "digest.participation",
                locale,
                takes=markup.bold(t("digest.n_takes", locale, count=p.takes)),
                students=markup.bold(t("digest.n_students", locale, count=p.students)),
                cases=markup.bold(t("digest.n_cases", locale, count=len(digest.case_studies))),
            )
        )
    )
    blocks.append(markup.line(_compared(p.takes, p.previous_takes, p.previous_students, locale)))
    debated = digest.entry(p.most_debated)
    if debated is not None:
        label = markup.link(fitted(markup, debated.title, TITLE_LIMIT), debated.thread_url)
        blocks.append(markup.line(t("digest.most_debated", locale, title=label, count=debated.takes)))
    elif p.takes == 0:
        blocks.append(markup.line(t("digest.no_takes", locale)))
    return Section("overview", markup.text(title_of(digest)), tuple(blocks))


def _compared(takes: int, previous_takes: int, previous_students: int, locale: Locale) -> str:
    if previous_takes == 0:
        return t("digest.previous_none", locale)
    change = takes - previous_takes
    key = (
        "digest.previous_up"
        if change > 0
        else "digest.previous_down"
        if change < 0
        else "digest.previous_same"
    )
    return t(
        key,
        locale,
        change=abs(change),
        takes=t("digest.n_takes", locale, count=previous_takes),
        students=t("digest.n_students", locale, count=previous_students),
    )


def stance_line(counts: Mapping[str, int], locale: Locale) -> str:
    return " · ".join(
        f"{STANCE_EMOJI[stance]} {t(f'tally.{stance}', locale, count=counts.get(stance, 0))}"
        for stance in STANCES
    )


def _case_study(digest: Digest, entry: CaseStudyEntry, markup: Markup) -> Section:
    locale = digest.locale
    takes = markup.link(t("digest.n_takes", locale, count=entry.takes), entry.thread_url)
    facts = [f"🏷️ {markup.text(entry.theme_label)}", f"💬 {takes}"]
    if entry.useful_votes:
        facts.append(t("digest.useful", locale, count=entry.useful_votes))
    blocks = [markup.line(" · ".join(facts))]
    if entry.takes:
        blocks.append(markup.line(stance_line(entry.stances, locale)))
    for quote in entry.quotes:
        who = t(f"stance.{quote.stance}", locale)
        if quote.author_id is not None:
            who = f"{markup.user(quote.author_id, locale)}, {who}"
        votes = f" · {t('digest.useful', locale, count=quote.useful)}" if quote.useful else ""
        text = markup.text(excerpt(quote.text))
        blocks.append(markup.quote(f"« {text} » — {STANCE_EMOJI[quote.stance]} {who}{votes}"))
    if not entry.takes:
        invite = markup.link(t("digest.open_thread", locale), entry.thread_url)
        blocks.append(markup.line(t("digest.no_takes_yet", locale, link=invite)))
    title = fitted(markup, entry.title, TITLE_LIMIT)
    return Section("case_study", title, tuple(blocks), url=entry.url)


def _themes(digest: Digest, markup: Markup) -> Section:
    locale = digest.locale
    blocks = [markup.line(_theme_line(theme, markup, locale)) for theme in digest.themes[:THEMES_SHOWN]]
    if len(digest.themes) > THEMES_SHOWN:
        blocks.append(markup.line(t("digest.more_themes", locale, count=len(digest.themes) - THEMES_SHOWN)))
    return Section(
        "themes",
        markup.text(t("digest.themes_title", locale)),
        tuple(blocks),
        chart=bool(digest.charted_themes),
    )


def _theme_line(theme: ThemeTrend, markup: Markup, locale: Locale) -> str:
    average = f"{theme.previous_average:.1f}".removesuffix(".0")
    trend = t(
        f"digest.trend.{theme.trend.value}", locale, average=average.replace(".", t("digest.decimal", locale))
    )
    counts = t(
        "digest.theme_counts",
        locale,
        takes=t("digest.n_takes", locale, count=theme.takes),
        cases=t("digest.n_cases", locale, count=theme.case_studies),
    )
    return f"{TREND_EMOJI[theme.trend]} {markup.bold(markup.text(theme.label))} — {counts} · {trend}"


def _suggestion(line: SuggestionLine, locale: Locale, markup: Markup) -> str:
    votes = t("digest.suggestion_votes", locale, count=line.votes)
    status = f" · {t('digest.suggestion_approved', locale)}" if line.approved else ""
    icon = SUGGESTION_EMOJI.get(line.kind, "💡")
    return markup.line(f"{icon} {markup.text(shorten(line.title, TITLE_LIMIT))} — {votes}{status}")


def _next(digest: Digest, markup: Markup) -> Section:
    locale = digest.locale
    blocks = []
    if digest.suggestions:
        blocks.append(markup.line(markup.bold(t("digest.suggestions", locale))))
        blocks += [_suggestion(line, locale, markup) for line in digest.suggestions[:SUGGESTIONS_SHOWN]]
    if digest.upcoming:
        times = ", ".join(markup.moment(moment, digest.timezone, locale) for moment in digest.upcoming)
        blocks.append(markup.line(t("digest.upcoming", locale, count=len(digest.upcoming), times=times)))
    else:
        blocks.append(markup.line(t("digest.upcoming_none", locale)))
    blocks.append(markup.line(t("digest.invite", locale, button=markup.bold(t("take.button", locale)))))
    return Section("next", markup.text(t("digest.next_title", locale)), tuple(blocks))
