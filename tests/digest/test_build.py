"""Digests built from fixture weeks (busy, quiet, empty, one theme): what they quote, count,
compare and trend, and how every section reads in chat, within Discord's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.digest.build import build_digest, representative_takes, trend_of
from bot.digest.markup import Html, Markdown
from bot.digest.model import Digest, PostedCase, Trend, WeekActivity, WeekTake
from bot.digest.sections import QUOTE_LIMIT, digest_sections, excerpt
from bot.digest.week import IsoWeek
from bot.errors import UserProblem
from tests.digest.fixtures import (
    BUILT_AT,
    EMOJI_TAKE,
    LONG_WORD,
    MONDAY,
    SCRIPT_TAKE,
    busy_activity,
    busy_week,
    empty_week,
    frame,
)


def chat(digest: Digest) -> str:
    return "\n\n".join(
        f"{section.title}\n" + "\n".join(section.blocks)
        for section in digest_sections(digest, Markdown(chat=True))
    )


def take(case: int, user: int, stance: str, text: str, useful: int = 0) -> WeekTake:
    return WeekTake(case, user, stance, text, useful, MONDAY)


# ── busy week ──────────────────────────────────────────────────────────────────────────────────


def test_a_busy_week_counts_takes_students_and_compares_with_the_week_before() -> None:
    digest = busy_week()
    p = digest.participation
    assert (p.takes, p.students) == (12, 10)
    assert len(digest.case_studies) == 4
    text = chat(digest)
    assert "Cette semaine : **12 avis** de **10 étudiant·es** sur **4 études de cas**." in text
    assert "📈 5 de plus que la semaine précédente (7 avis de 5 étudiant·es)." in text


def test_quotes_favour_useful_takes_and_show_both_sides() -> None:
    digest = busy_week()
    first = digest.case_studies[0]
    # Three agree, two disagree: the best of each side, the most useful first within a side.
    assert [quote.stance for quote in first.quotes] == ["agree", "disagree"]
    assert first.quotes[1].text == SCRIPT_TAKE  # 5 useful votes beats the longer take
    assert all(quote.author_id is None for entry in digest.case_studies for quote in entry.quotes)


def test_emoji_only_takes_count_but_are_never_quoted() -> None:
    digest = busy_week()
    assert digest.case_studies[0].takes == 5
    assert EMOJI_TAKE not in [q.text for e in digest.case_studies for q in e.quotes]


def test_the_most_debated_case_study_is_the_split_one_not_the_loudest() -> None:
    quiet_split = PostedCase(1, "Split", None, "a", 1, 11, MONDAY)
    loud_agreed = PostedCase(2, "Agreed", None, "a", 1, 12, MONDAY + timedelta(hours=1))
    takes = [take(1, u, "agree" if u % 2 else "disagree", "un avis argumenté") for u in range(4)]
    takes += [take(2, 10 + u, "agree", "tout le monde est d'accord") for u in range(6)]
    digest = build_digest(WeekActivity((quiet_split, loud_agreed), tuple(takes)), frame(), BUILT_AT)
    assert digest.participation.most_debated == 1
    assert "🔥 Le plus débattu : [Split](https://discord.com/channels/" in chat(digest)


def test_a_student_is_named_only_when_the_group_allows_it_and_they_opted_in() -> None:
    everyone = frozenset(range(500, 520))
    named = build_digest(replace(busy_activity(), named=everyone), frame(attributed=True), BUILT_AT)
    quote = named.case_studies[0].quotes[0]
    assert quote.author_id is not None
    assert f"<@{quote.author_id}>" in chat(named)
    # The group allows names, but nobody opted in: nobody is named.
    assert "<@50" not in chat(build_digest(busy_activity(), frame(attributed=True), BUILT_AT))
    # A student opted in, but the group keeps takes anonymous.
    assert "<@50" not in chat(build_digest(replace(busy_activity(), named=everyone), frame(), BUILT_AT))
    # Only the students who opted in are named.
    only = frozenset({quote.author_id})
    partly = build_digest(replace(busy_activity(), named=only), frame(attributed=True), BUILT_AT)
    authors = {q.author_id for entry in partly.case_studies for q in entry.quotes}
    assert authors == {quote.author_id, None}


def test_hostile_text_is_inert_in_chat_and_in_html() -> None:
    text = chat(busy_week())
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    assert "\\*\\*CV vidéo\\*\\*" in text  # markdown shown as typed
    assert "[ce lien](javascript:" not in text  # brackets escaped: not a link
    html = "".join("".join(s.blocks) + s.title for s in digest_sections(busy_week(), Html()))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>CV" not in html


def test_every_section_fits_one_discord_embed_even_with_the_longest_texts() -> None:
    long = "Une phrase assez longue pour remplir la place. " * 40
    activity = busy_activity()
    cases = tuple(replace(case, title="*" * 500) for case in activity.case_studies)
    takes = tuple(replace(t, text=(long + "*_`~|>") * 2) for t in activity.takes)
    digest = build_digest(replace(activity, case_studies=cases, takes=takes), frame(), BUILT_AT)
    for section in digest_sections(digest, Markdown(chat=True)):
        assert len(section.title) <= 256, section.kind
        assert len("\n".join(section.blocks)) <= 4096, section.kind


def test_a_long_take_is_quoted_by_whole_sentences() -> None:
    text = (
        "Première phrase complète. " * 5 + "Une dernière phrase qui dépasse largement la limite fixée. " * 10
    )
    quoted = excerpt(text)
    assert len(quoted) <= QUOTE_LIMIT
    assert quoted.endswith(". …")
    word = excerpt(LONG_WORD + " fin")
    assert len(word) <= QUOTE_LIMIT and word.endswith("…")


# ── quiet, empty, one theme ────────────────────────────────────────────────────────────────────


def test_a_quiet_week_with_case_studies_but_no_take_invites_students() -> None:
    activity = busy_activity()
    digest = build_digest(replace(activity, takes=()), frame(), BUILT_AT)
    text = chat(digest)
    assert digest.participation.most_debated is None
    assert "Personne n'a donné son avis cette semaine" in text
    assert text.count("Pas encore d'avis — ") == 4
    assert (
        text.count("Pas encore d'avis — [donnez le vôtre](https://discord.com/channels/") == 3
    )  # one has no thread


def test_an_empty_week_gets_a_short_friendly_digest() -> None:
    digest = empty_week()
    sections = digest_sections(digest, Markdown(chat=True))
    assert digest.empty
    assert [s.kind for s in sections] == ["overview", "next"]
    assert "Aucune étude de cas n'a été publiée cette semaine" in chat(digest)
    english = chat(empty_week("en"))
    assert "No case study was posted this week" in english


def test_one_theme_week_trends_it_as_new_and_charts_only_it() -> None:
    cases = (PostedCase(1, "Seul thème", None, "digital-addiction", 1, 11, MONDAY),)
    takes = tuple(take(1, u, "agree", "un avis suffisamment long") for u in range(3))
    digest = build_digest(WeekActivity(cases, takes), frame(), BUILT_AT)
    (theme,) = digest.themes
    assert (theme.theme, theme.takes, theme.trend) == ("digital-addiction", 3, Trend.NEW)
    assert [t.theme for t in digest.charted_themes] == ["digital-addiction"]
    assert "✨ **Addiction numérique** — 3 avis, 1 étude de cas · nouveau" in chat(digest)


def test_themes_rise_and_fall_against_the_four_weeks_before() -> None:
    assert trend_of(9, (2, 3, 2, 3)) == (2.5, Trend.RISING)
    assert trend_of(0, (4, 4, 4, 4)) == (4.0, Trend.FALLING)
    assert trend_of(3, (2, 3, 2, 3))[1] is Trend.STEADY
    assert trend_of(2, (0, 0, 0, 1))[1] is Trend.STEADY  # 1 → 2 is not news
    cases = (PostedCase(1, "x", None, "digital-addiction", 1, 11, MONDAY),)
    history = {"digital-addiction": (0, 1, 0, 1), "remote-recruiting": (4, 5, 3, 4)}
    takes = tuple(take(1, u, "agree", "un avis suffisamment long") for u in range(6))
    digest = build_digest(WeekActivity(cases, takes, theme_history=history), frame(), BUILT_AT)
    trends = {t.theme: t.trend for t in digest.themes}
    assert trends == {"digital-addiction": Trend.RISING, "remote-recruiting": Trend.FALLING}
    assert (
        "📉 **Recrutement à distance** — 0 avis, 0 étude de cas · en baisse (environ 4 par semaine"
        in chat(digest)
    )


def test_representative_takes_of_one_stance_are_its_two_best() -> None:
    takes = [take(1, 1, "agree", "court"), take(1, 2, "agree", "un avis bien plus développé que l'autre", 0)]
    takes.append(take(1, 3, "agree", "utile à tous", 2))
    assert [t.user_id for t in representative_takes(takes)] == [3, 2]


# ── weeks ──────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "week"), [("2026-W48", "2026-W48"), ("2026w5", "2026-W05"), (" 2020-W53 ", "2020-W53")]
)
def test_weeks_are_read_as_written(text: str, week: str) -> None:
    assert str(IsoWeek.parse(text)) == week


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("48", "digest.bad_week"),
        ("semaine 48", "digest.bad_week"),
        ("", "digest.bad_week"),
        ("2026-W54", "digest.no_such_week"),
        ("2027-W53", "digest.no_such_week"),
        ("2026-W00", "digest.no_such_week"),
    ],
)
def test_a_wrong_week_is_refused_with_what_to_write(text: str, key: str) -> None:
    with pytest.raises(UserProblem) as caught:
        IsoWeek.parse(text)
    assert caught.value.key == key


def test_a_week_spans_monday_to_monday_in_the_groups_time_zone() -> None:
    week = IsoWeek.parse("2026-W48")
    assert week.start("Europe/Paris").isoformat() == "2026-11-22T23:00:00+00:00"
    assert week.end("Europe/Paris") - week.start("Europe/Paris") == timedelta(days=7)
    assert str(week.shifted(-48)) == "2025-W52"
