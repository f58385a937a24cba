"""Choosing the next case study: relevance, freshness, rotation, diversity, language, no repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.casestudy.select import Candidate, PastCaseStudy, Preferences, rank

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def candidate(
    article_id: int, feed_id: int = 1, hours: float = 2, language: str = "fr", **scores: float
) -> Candidate:
    return Candidate(
        article_id=article_id,
        feed_id=feed_id,
        title=f"article {article_id}",
        language=language,
        published_at=NOW - timedelta(hours=hours),
        theme_scores={k.replace("_", "-"): v for k, v in (scores or {"video_cv": 0.6}).items()},
    )


def past(
    article_id: int, feed_id: int, theme: str, days: float, story_id: int | None = None
) -> PastCaseStudy:
    return PastCaseStudy(article_id, story_id or article_id, feed_id, theme, NOW - timedelta(days=days))


def ids(ranked: list) -> list[int]:  # type: ignore[type-arg]
    return [entry.candidate.article_id for entry in ranked]


def test_relevance_and_freshness_order_the_candidates() -> None:
    ranked = rank(
        [candidate(1, video_cv=0.3), candidate(2, video_cv=0.6), candidate(3, hours=24 * 6, video_cv=0.6)],
        [],
        Preferences(),
        NOW,
    )
    assert ids(ranked) == [2, 1, 3]
    assert set(ranked[0].parts) == {
        "relevance",
        "freshness",
        "rotation",
        "diversity",
        "language",
        "sources",
        "votes",
        "suggested",
        "interest",
    }


def test_never_the_same_article_or_story_twice() -> None:
    grouped = Candidate(4, 2, "same story", "fr", NOW, {"video-cv": 0.6}, story_id=9)
    ranked = rank(
        [candidate(1), candidate(2), grouped],
        [past(1, 1, "video-cv", 3), past(7, 3, "e-reputation", 2, story_id=9)],
        Preferences(),
        NOW,
    )
    assert ids(ranked) == [2]


def test_one_entry_per_story_and_a_bonus_for_a_story_told_by_several_sources() -> None:
    first = Candidate(1, 1, "story", "fr", NOW, {"video-cv": 0.5})
    second = Candidate(2, 2, "story again", "fr", NOW, {"video-cv": 0.5}, story_id=1)
    alone = Candidate(3, 3, "alone", "fr", NOW, {"video-cv": 0.55})
    ranked = rank([first, second, alone], [], Preferences(), NOW)
    assert ids(ranked)[0] in (1, 2) and len(ranked) == 2
    assert ranked[0].sources == 2 and ranked[0].parts["sources"] > 0


def test_themes_rotate_instead_of_repeating_the_most_prolific() -> None:
    history = [past(10, 5, "video-cv", 1), past(11, 6, "video-cv", 3)]
    ranked = rank(
        [candidate(1, video_cv=0.7), candidate(2, feed_id=2, e_reputation=0.55)], history, Preferences(), NOW
    )
    assert ids(ranked) == [2, 1]
    assert ranked[0].parts["rotation"] > ranked[1].parts["rotation"]


def test_not_the_same_source_twice_in_a_row() -> None:
    history = [past(10, 1, "e-reputation", 20)]
    ranked = rank(
        [candidate(1, feed_id=1), candidate(2, feed_id=2, video_cv=0.5)], history, Preferences(), NOW
    )
    assert ids(ranked) == [2, 1]
    assert ranked[1].parts["diversity"] < 0


def test_the_group_language_is_preferred_and_others_are_left_out() -> None:
    ranked = rank(
        [candidate(1, language="en"), candidate(2, language="fr"), candidate(3, language="es")],
        [],
        Preferences(locale="fr"),
        NOW,
    )
    assert ids(ranked) == [2, 1]
    only_english = rank(
        [candidate(1, language="en"), candidate(2, language="fr")], [], Preferences(language="en"), NOW
    )
    assert ids(only_english) == [1]


def test_a_requested_theme_and_the_group_themes_filter_candidates() -> None:
    candidates = [candidate(1, video_cv=0.6), candidate(2, e_reputation=0.3), candidate(3, video_cv=0.05)]
    assert ids(rank(candidates, [], Preferences(theme="e-reputation"), NOW)) == [2]
    assert ids(rank(candidates, [], Preferences(themes=("video-cv",)), NOW)) == [1]  # 0.05 is off-topic


def test_old_articles_and_student_votes() -> None:
    stale = candidate(1, hours=24 * 15)
    voted = Candidate(2, 2, "voted", "fr", NOW - timedelta(hours=2), {"video-cv": 0.4}, votes=3)
    fresh = candidate(3, feed_id=3, video_cv=0.4)
    ranked = rank([stale, voted, fresh], [], Preferences(), NOW)
    assert ids(ranked) == [2, 3]
    assert ranked[0].parts["votes"] == 0.3


def test_students_topic_votes_raise_their_theme() -> None:
    both = [candidate(1, video_cv=0.6), candidate(2, e_reputation=0.55)]
    assert ids(rank(both, [], Preferences(), NOW)) == [1, 2]
    steered = rank(both, [], Preferences(interest={"e-reputation": 3}), NOW)
    assert ids(steered) == [2, 1]
    assert steered[0].parts["interest"] == 0.15
    # Many votes help, within a cap: relevance and freshness still count.
    capped = rank(both, [], Preferences(interest={"e-reputation": 100}), NOW)
    assert capped[0].parts["interest"] == 0.3


def test_topic_votes_pick_the_theme_of_an_article_that_serves_two() -> None:
    two = candidate(1, video_cv=0.5, e_reputation=0.45)
    assert rank([two], [], Preferences(), NOW)[0].theme == "video-cv"
    assert rank([two], [], Preferences(interest={"e-reputation": 2}), NOW)[0].theme == "e-reputation"


def test_an_approved_suggestion_gets_a_bonus_and_its_votes() -> None:
    fresh, suggested = candidate(1, hours=1, video_cv=0.6), candidate(2, hours=30, video_cv=0.4)
    assert ids(rank([fresh, suggested], [], Preferences(), NOW)) == [1, 2]
    ranked = rank([fresh, suggested], [], Preferences(picks={2: 4}), NOW)
    assert ids(ranked) == [2, 1]
    assert (ranked[0].parts["suggested"], ranked[0].parts["votes"]) == (0.3, 0.3)


def test_the_group_language_comes_first_unless_the_other_is_clearly_better() -> None:
    """A French group with fresh French articles on two themes and fresher English ones on every
    theme: five successive picks stay French (the old weight let rotation and freshness pick 3
    English articles of 5)."""
    french = [candidate(n, feed_id=n, hours=20, language="fr", video_cv=0.6) for n in (1, 2, 3)] + [
        candidate(n, feed_id=n, hours=20, language="fr", e_reputation=0.6) for n in (4, 5, 6)
    ]
    english = [
        candidate(10 + n, feed_id=10 + n, hours=1, language="en", **{theme: 0.6})
        for n, theme in enumerate(
            ("ai_recruiting", "pro_networks", "digital_addiction", "twitter_x_pro", "video_cv")
        )
    ]
    history: list[PastCaseStudy] = []
    picks = []
    for day in range(5):
        best = rank(french + english, history, Preferences(locale="fr"), NOW)[0]
        picks.append(best.candidate.language)
        history.append(past(best.candidate.article_id, best.candidate.feed_id, best.theme, 0.5 * (5 - day)))
    assert picks.count("fr") >= 4
    assert rank(english, [], Preferences(locale="fr"), NOW)[0].parts["language"] == 0.0


def test_a_clearly_better_article_in_the_other_language_still_wins() -> None:
    stale_french = candidate(1, hours=24 * 10, language="fr", video_cv=0.25)
    chosen_english = candidate(2, feed_id=2, hours=1, language="en", e_reputation=0.9)
    picks = {2: 3}  # students suggested it and voted for it
    ranked = rank(
        [stale_french, chosen_english],
        [past(9, 3, "video-cv", 1)],
        Preferences(locale="fr", picks=picks),
        NOW,
    )
    assert ids(ranked)[0] == 2
