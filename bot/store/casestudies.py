"""What the case-study builder reads from the database: candidates, a group's history, term counts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.casestudy.model import ArticleInput
from bot.casestudy.select import MAX_AGE, Candidate, PastCaseStudy
from bot.db.models import Article, CaseStudy, Feed
from bot.store.suggestions import SuggestionStore

MAX_CANDIDATES = 2000  # the freshest on-topic articles; more would only be older ones
TERM_SAMPLE = 5000  # articles whose words say what is common (for key terms)
TEMPLATE_MEMORY = 60  # case studies whose templates a group is not given again first (20 weeks at 3 a week)


class CaseStudyStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def has_candidates(self, now: datetime) -> bool:
        query = self._fresh(now).with_only_columns(Article.id).limit(1)
        async with self._sessions() as session:
            return (await session.execute(query)).first() is not None

    @staticmethod
    def _fresh(now: datetime, picks: Collection[int] = ()) -> Select[Article, str]:
        wanted = and_(~Article.off_topic, Feed.enabled)
        return (
            select(Article, Feed.name)
            .join(Feed, Feed.id == Article.feed_id)
            .where(
                Article.published_at >= now - MAX_AGE,
                or_(wanted, Article.id.in_(list(picks))) if picks else wanted,
            )
        )

    async def candidates(self, now: datetime, picks: Collection[int] = ()) -> list[Candidate]:
        """On-topic articles of enabled feeds published within `MAX_AGE`, newest first, and the
        group's `picks` (approved suggestions) of that age."""
        query = (
            self._fresh(now, picks)
            .order_by(Article.published_at.desc(), Article.id.desc())
            .limit(MAX_CANDIDATES)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [
            Candidate(
                article_id=article.id,
                feed_id=article.feed_id,
                title=article.title,
                language=article.language,
                published_at=article.published_at,
                theme_scores=_scores(article),
                story_id=article.story_id,
                source_name=name,
            )
            for article, name in rows
        ]

    async def article(self, article_id: int) -> ArticleInput | None:
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(Article, Feed.name)
                    .join(Feed, Feed.id == Article.feed_id)
                    .where(Article.id == article_id)
                )
            ).first()
        if row is None:
            return None
        article, name = row
        return ArticleInput(
            id=article.id,
            title=article.title,
            url=article.url,
            summary=article.summary,
            language=article.language,
            published_at=article.published_at,
            source_name=name,
            feed_id=article.feed_id,
            story_id=article.story,
            theme_scores=_scores(article),
        )

    async def history(self, guild_id: int) -> list[PastCaseStudy]:
        """Every case study the group had (whatever became of it): never the same article twice."""
        query = (
            select(CaseStudy, Article.feed_id, Article.story_id)
            .join(Article, Article.id == CaseStudy.article_id)
            .where(CaseStudy.guild_id == guild_id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [
            PastCaseStudy(
                article_id=case.article_id,
                story_id=story if story is not None else case.article_id,
                feed_id=feed_id,
                theme=case.theme,
                posted_at=case.posted_at or case.created_at,
            )
            for case, feed_id, story in rows
        ]

    async def templates_used(self, guild_id: int, limit: int = TEMPLATE_MEMORY) -> tuple[str, ...]:
        """The question and role-play templates of the group's latest case studies, most recent
        first: what it should not be given again soon."""
        query = (
            select(CaseStudy.content)
            .where(CaseStudy.guild_id == guild_id)
            .order_by(CaseStudy.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            contents = (await session.execute(query)).scalars().all()
        return tuple(key for content in contents for key in (content or {}).get("templates", ()))

    async def steering(self, guild_id: int, now: datetime) -> tuple[dict[str, int], dict[int, int]]:
        """What the group's students asked for: votes per theme (topics) and approved articles."""
        suggestions = SuggestionStore(self._sessions)
        return await suggestions.interest(guild_id, now), await suggestions.picks(guild_id)

    async def term_texts(self, limit: int = TERM_SAMPLE) -> list[tuple[str, str]]:
        """(language, title and summary) of the latest stored articles in French or English."""
        query = (
            select(Article.language, Article.title, Article.summary)
            .where(or_(Article.language == "fr", Article.language == "en"))
            .order_by(Article.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [(language or "", f"{title}. {summary}") for language, title, summary in rows]

    async def count_articles(self) -> int:
        async with self._sessions() as session:
            return int((await session.execute(select(func.count()).select_from(Article))).scalar_one())


def _scores(article: Article) -> dict[str, float]:
    return {theme: float(score) for theme, score in article.theme_scores.items()}
