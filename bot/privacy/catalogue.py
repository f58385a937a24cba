"""Every kind of personal data the bot stores, in the order the coordinator runs them."""

from __future__ import annotations

from bot.privacy.registry import PersonalData
from bot.store.digests import DIGEST_QUOTES
from bot.store.members import PREFERENCES
from bot.store.posting import REQUESTS
from bot.store.suggestions import DECISIONS, SUGGESTION_VOTES, SUGGESTIONS
from bot.store.takes import TAKE_VOTES, TAKES, USEFUL_VOTES

PERSONAL_DATA: tuple[PersonalData, ...] = (
    DIGEST_QUOTES,  # first: it finds a student's quotes through their takes, deleted next
    TAKES,
    TAKE_VOTES,
    USEFUL_VOTES,
    SUGGESTIONS,
    SUGGESTION_VOTES,
    DECISIONS,
    REQUESTS,
    PREFERENCES,
)
