"""A week's activity turned into a digest: quotes chosen, participation compared, themes trended.

Pure functions of `WeekActivity`: the service reads the database, this decides what to say.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.digest.model import (
    CaseStudyEntry,
    Digest,
    Participation,
    PostedCase,
    Quote,
    SuggestionLine,
    ThemeTrend,
    Trend,
    WeekActivity,
    WeekTake,
)
from bot.i18n import Locale
from bot.posting.model import STANCES

QUOTES_PER_CASE = 2
HISTORY_WEEKS = 4
# A theme "rises" when it draws half as many takes again as its recent average, and at least
# two more (so that 1 → 2 takes is not news); it "falls" symmetrically.
TREND_FACTOR = 1.5
TREND_MIN_CHANGE = 2
QUOTABLE_LETTERS = 3
SUBSTANCE_WORDS = 60  # longer takes are not more representative past this
# Discord is the only platform today; another adapter gives its own template in `DigestFrame`.
THREAD_URL = "https://discord.com/channels/{guild}/{thread}"


@dataclass(frozen=True)
class DigestFrame:
    """What the digest needs besides the week's activity: who it is for and how to label things."""

    guild_id: int
    week: str
    locale: Locale
    timezone: str
    theme_labels: Mapping[str, Mapping[str, str]]
    attributed: bool = False
    partial: bool = False
    late: bool = False
    upcoming: tuple[datetime, ...] = ()
    suggestions: tuple[SuggestionLine, ...] = ()
    thread_url: str = THREAD_URL

    def label(self, theme: str) -> str:
        return self.theme_labels.get(theme, {}).get(self.locale, theme)


def build_digest(activity: WeekActivity, frame: DigestFrame, now: datetime) -> Digest:
    by_case: dict[int, list[WeekTake]] = defaultdict(list)
    for take in activity.takes:
        by_case[take.case_study_id].append(take)
    entries = tuple(
        _entry(case, by_case.get(case.id, []), frame, activity.named)
        for case in sorted(activity.case_studies, key=lambda case: (case.posted_at, case.id))
    )
    return Digest(
        guild_id=frame.guild_id,
        week=frame.week,
        locale=frame.locale,
        timezone=frame.timezone,
        built_at=now,
        case_studies=entries,
        participation=Participation(
            takes=len(activity.takes),
            students=len({take.user_id for take in activity.takes}),
            previous_takes=activity.previous_takes,
            previous_students=activity.previous_students,
            most_debated=most_debated(entries),
        ),
        themes=theme_trends(entries, activity.theme_history, frame.label),
        upcoming=frame.upcoming,
        suggestions=frame.suggestions,
        attributed=frame.attributed,
        partial=frame.partial,
        late=frame.late,
    )


def _entry(
    case: PostedCase, takes: Sequence[WeekTake], frame: DigestFrame, named: frozenset[int]
) -> CaseStudyEntry:
    stances = Counter(take.stance for take in takes)
    return CaseStudyEntry(
        case_study_id=case.id,
        title=case.title,
        url=case.url,
        theme=case.theme,
        theme_label=frame.label(case.theme),
        channel_id=case.channel_id,
        thread_id=case.thread_id,
        thread_url=(
            frame.thread_url.format(guild=frame.guild_id, thread=case.thread_id) if case.thread_id else None
        ),
        posted_at=case.posted_at,
        takes=len(takes),
        stances={stance: stances.get(stance, 0) for stance in STANCES},
        useful_votes=case.useful_votes,
        quotes=tuple(
            Quote(
                take.stance,
                take.text,
                take.useful,
                # Named only when the group allows it and the student chose it (never by default).
                author_id=take.user_id if frame.attributed and take.user_id in named else None,
                take_id=take.take_id,
            )
            for take in representative_takes(takes)
        ),
    )


def quotable(text: str) -> bool:
    """A take worth quoting says something in words (only emoji or punctuation: not quoted)."""
    letters = 0
    for character in text:  # stops at the third: takes can be 1,000 characters, weeks thousands
        letters += character.isalnum()
        if letters >= QUOTABLE_LETTERS:
            return True
    return False


def _substance(take: WeekTake) -> tuple[int, int]:
    # Others' "useful" votes first, then how much the take says (capped: not the longest wins).
    return take.useful, min(len(take.text.split()), SUBSTANCE_WORDS)


def representative_takes(takes: Iterable[WeekTake], limit: int = QUOTES_PER_CASE) -> list[WeekTake]:
    """The best take of the most common stance, then the best of another stance (the second most
    common), so that the digest shows the debate rather than one side of it. Ties go to the
    earlier take."""
    candidates = [take for take in takes if quotable(take.text)]
    if not candidates:
        return []
    order = {id(take): index for index, take in enumerate(candidates)}

    def best(pool: Iterable[WeekTake]) -> WeekTake:
        return max(pool, key=lambda take: (*_substance(take), -order[id(take)]))

    counts = Counter(take.stance for take in candidates)
    stances = sorted(counts, key=lambda stance: (-counts[stance], STANCES.index(stance)))
    chosen = [best(take for take in candidates if take.stance == stance) for stance in stances]
    if len(chosen) < limit:  # one stance only: its next best take
        rest = [take for take in candidates if take not in chosen]
        chosen += sorted(rest, key=lambda take: (*_substance(take), -order[id(take)]), reverse=True)
    return chosen[:limit]


def most_debated(entries: Sequence[CaseStudyEntry]) -> int | None:
    """The case study with the most takes on more than one side (takes × the minority's share);
    without any split, the one with the most takes."""

    def debate(entry: CaseStudyEntry) -> tuple[float, int]:
        if not entry.takes:
            return 0.0, 0
        split = 1 - max(entry.stances.values()) / entry.takes
        return entry.takes * split, entry.takes

    drew = [entry for entry in entries if entry.takes]
    if not drew:
        return None
    return max(drew, key=lambda entry: (*debate(entry), -entry.case_study_id)).case_study_id


def trend_of(takes: int, history: Sequence[int]) -> tuple[float, Trend]:
    average = sum(history) / HISTORY_WEEKS
    if average == 0:
        return average, Trend.NEW if takes else Trend.STEADY
    if takes >= average * TREND_FACTOR and takes - average >= TREND_MIN_CHANGE:
        return average, Trend.RISING
    if takes * TREND_FACTOR <= average and average - takes >= TREND_MIN_CHANGE:
        return average, Trend.FALLING
    return average, Trend.STEADY


def theme_trends(
    entries: Sequence[CaseStudyEntry],
    history: Mapping[str, Sequence[int]],
    label: Callable[[str], str],
) -> tuple[ThemeTrend, ...]:
    """This week's themes, and the ones that were discussed lately but not this week (falling)."""
    takes: Counter[str] = Counter()
    cases: Counter[str] = Counter()
    stances: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        cases[entry.theme] += 1
        takes[entry.theme] += entry.takes
        stances[entry.theme].update(entry.stances)
    themes = list(cases) + [theme for theme in history if theme not in cases and any(history[theme])]
    trends = []
    for theme in themes:
        average, trend = trend_of(takes[theme], history.get(theme, ()))
        trends.append(
            ThemeTrend(
                theme=theme,
                label=label(theme),
                takes=takes[theme],
                case_studies=cases[theme],
                stances={stance: stances[theme].get(stance, 0) for stance in STANCES},
                previous_average=round(average, 2),
                trend=trend,
            )
        )
    return tuple(sorted(trends, key=lambda trend: (-trend.takes, -trend.case_studies, trend.label)))
