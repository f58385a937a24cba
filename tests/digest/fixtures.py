"""Digests to test with, built by the real `build_digest` from weeks of activity: a busy week whose
takes hold everything a student might type (markdown, HTML, mass mentions, links, a 300-character
word, emoji only), an empty week, and weeks with one or many themes for the chart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.digest.build import DigestFrame, build_digest
from bot.digest.model import Digest, PostedCase, SuggestionLine, WeekActivity, WeekTake
from bot.i18n import Locale

WEEK = "2026-W48"  # Monday 23 November 2026
MONDAY = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
BUILT_AT = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
GUILD_ID = 111_111_111_111_111_111
TIMEZONE = "Europe/Paris"

THEME_LABELS = {
    "remote-recruiting": {"fr": "Recrutement à distance", "en": "Remote recruiting"},
    "pro-networks": {
        "fr": "L'écosystème des réseaux professionnels",
        "en": "The ecosystem of professional networks",
    },
    "recruiters-social-media": {
        "fr": "Comment les recruteurs utilisent les réseaux sociaux",
        "en": "How recruiters use social media",
    },
    "digital-addiction": {"fr": "Addiction numérique", "en": "Digital addiction"},
}

# Takes that must show as typed and do nothing else.
SCRIPT_TAKE = (
    "Attention <script>document.documentElement.dataset.pwned = 'script'</script> : "
    "un recruteur qui juge un profil sur une vidéo de 30 secondes rate l'essentiel."
)
MARKDOWN_TAKE = "Le **CV vidéo** est _surtout_ une mode, voyez [ce lien](javascript:alert(1)) # titre"
MENTION_TAKE = "@everyone regardez ça : https://example.org/etude?a=1&b=2 ça change tout pour les juniors."
LONG_WORD = "anticonstitutionnellement" * 12  # 300 characters without a space
LONG_WORD_TAKE = f"{LONG_WORD} voilà ce que je pense du scroll infini."
EMOJI_TAKE = "🔥🔥🔥👍"
HOSTILE_TITLE = (
    "Le <b>CV vidéo</b> & les recruteurs "
    "<img src=x onerror=\"document.documentElement.dataset.pwned = 'img'\">"
)
HOSTILE_SUGGESTION = "Parler de <i>Mastodon</i> & des *réseaux* décentralisés"


def _take(case: int, user: int, stance: str, text: str, useful: int = 0, hour: int = 0) -> WeekTake:
    return WeekTake(
        case_study_id=case,
        user_id=user,
        stance=stance,
        text=text,
        useful=useful,
        created_at=MONDAY + timedelta(hours=hour + case),
    )


def busy_activity() -> WeekActivity:
    """Four case studies on three themes (one drew no take), and a fourth theme discussed lately."""
    cases = (
        PostedCase(
            id=1,
            title=HOSTILE_TITLE,
            url="https://example.org/cv-video",
            theme="remote-recruiting",
            channel_id=222,
            thread_id=301,
            posted_at=MONDAY,
            useful_votes=4,
        ),
        PostedCase(
            id=2,
            title="LinkedIn lance les profils vérifiés pour les écoles (et ce que ça change)",
            url="https://example.org/linkedin-verifie",
            theme="pro-networks",
            channel_id=222,
            thread_id=302,
            posted_at=MONDAY + timedelta(days=1),
        ),
        PostedCase(
            id=3,
            title="Les recruteurs regardent-ils vraiment vos stories ?",
            url="javascript:alert('feed')",  # a feed's hostile link: never linked
            theme="recruiters-social-media",
            channel_id=222,
            thread_id=303,
            posted_at=MONDAY + timedelta(days=2),
        ),
        PostedCase(
            id=4,
            title="Entretiens en visio : la caméra allumée est-elle obligatoire ?",
            url="https://example.org/visio",
            theme="remote-recruiting",
            channel_id=222,
            thread_id=None,
            posted_at=MONDAY + timedelta(days=3),
        ),
    )
    takes = (
        _take(1, 501, "disagree", SCRIPT_TAKE, useful=5),
        _take(1, 502, "agree", MARKDOWN_TAKE, useful=2),
        _take(1, 503, "agree", "Je suis d'accord, c'est plus vivant qu'un PDF.", hour=1),
        _take(
            1,
            504,
            "disagree",
            "Non : pour un commercial peut-être, pour un développeur ça ne montre rien.",
            hour=2,
        ),
        _take(1, 505, "agree", EMOJI_TAKE, hour=3),
        _take(2, 501, "agree", MENTION_TAKE, useful=3),
        _take(2, 506, "nuanced", LONG_WORD_TAKE, useful=1),
        _take(2, 507, "agree", "Enfin un moyen de repérer les faux profils.", hour=1),
        _take(2, 508, "disagree", "Encore une façon de faire payer les écoles.", hour=2),
        _take(3, 502, "nuanced", "Les stories, non ; les posts publics, oui, et ils les lisent.", useful=1),
        _take(3, 509, "nuanced", "👀", hour=1),
        _take(3, 510, "disagree", "Aucun recruteur n'a le temps de regarder des stories.", hour=2),
    )
    return WeekActivity(
        case_studies=cases,
        takes=takes,
        previous_takes=7,
        previous_students=5,
        theme_history={
            "remote-recruiting": (1, 2, 1, 2),
            "pro-networks": (3, 4, 3, 4),
            "digital-addiction": (4, 5, 3, 4),
        },
    )


def frame(locale: Locale = "fr", **options: Any) -> DigestFrame:
    """The group the digest is for (French by default); `options` replace any of its fields."""
    base = DigestFrame(
        guild_id=GUILD_ID,
        week=WEEK,
        locale=locale,
        timezone=TIMEZONE,
        theme_labels=THEME_LABELS,
        upcoming=(MONDAY + timedelta(days=8, hours=1), MONDAY + timedelta(days=10, hours=1)),
        suggestions=(SuggestionLine("topic", HOSTILE_SUGGESTION, votes=3),),
    )
    return replace(base, **options)


def busy_week(locale: Locale = "fr") -> Digest:
    return build_digest(busy_activity(), frame(locale), BUILT_AT)


def empty_week(locale: Locale = "fr") -> Digest:
    """Nothing posted, nothing discussed lately: the digest only invites participation."""
    return build_digest(WeekActivity(case_studies=(), takes=()), frame(locale, suggestions=()), BUILT_AT)


def themes_week(themes: int, locale: Locale = "fr") -> Digest:
    """`themes` themes, one case study each, with a different number of takes and stances each."""
    labels = {
        f"theme-{n}": {
            "fr": f"Thème numéro {n} : réseaux sociaux et recrutement des jeunes diplômés",
            "en": f"Theme number {n}: social networks and hiring young graduates",
        }
        for n in range(themes)
    }
    stances = ("agree", "nuanced", "disagree")
    cases = tuple(
        PostedCase(
            id=n + 1,
            title=f"Étude de cas {n + 1}",
            url=f"https://example.org/{n + 1}",
            theme=f"theme-{n}",
            channel_id=222,
            thread_id=400 + n,
            posted_at=MONDAY + timedelta(hours=n),
        )
        for n in range(themes)
    )
    takes = tuple(
        _take(n + 1, 1000 + k, stances[(n + k) % 3 if k % 4 else 0], f"Avis numéro {k} sur le thème {n}.")
        for n in range(themes)
        for k in range(1 + (n * 7) % 13)
    )
    activity = WeekActivity(case_studies=cases, takes=takes)
    return build_digest(activity, frame(locale, theme_labels=labels), BUILT_AT)
