"""Key terms: noun phrases a teacher would write on the board, never names, verbs or everyday words."""

from __future__ import annotations

from bot.casestudy.analysis import analyse
from bot.casestudy.build import field_words, generic_words
from bot.casestudy.keyterms import TermStats, key_terms
from bot.config.feeds_file import load_feeds_file
from bot.services import theme_keywords
from tests.conftest import SHIPPED_FEEDS

THEMES = tuple(theme_keywords(load_feeds_file(SHIPPED_FEEDS)))
KEYWORDS = tuple(keyword for theme in THEMES for keyword in (*theme.fr, *theme.en))


def terms_of(
    paragraphs: list[str], title: str, language: str, stats: TermStats | None = None, field: bool = True
) -> tuple[str, ...]:
    analysis = analyse(paragraphs, title, language)
    return key_terms(
        analysis.tagged,
        analysis.title,
        language,
        stats or TermStats(),
        people=analysis.people,
        organisations=analysis.organisations,
        keywords=KEYWORDS,
        generic=generic_words(THEMES, language),
        field=field_words(THEMES, language) if field else None,
    )


FRENCH = [
    "Le CV vidéo revient dans la grande distribution. Trois enseignes testent le CV vidéo pour recruter "
    "des employés de rayon, explique Frédéric Aubry, directeur du recrutement chez Distrimax.",
    "Selon Aubry, le CV vidéo remplace la lettre de motivation pour les postes en magasin. La lettre de "
    "motivation reste pourtant demandée par les entreprises du secteur.",
    "Les candidats se filment avec leur téléphone. La CNIL rappelle que le RGPD encadre ces vidéos, et le "
    "RGPD interdit de les garder au-delà du recrutement. Le RGPD vaut pour toutes les enseignes.",
    "Les entreprises affirment que la cooptation et la marque employeur comptent aussi. Une entreprise sur "
    "deux mise sur la cooptation, et la marque employeur attire les candidats.",
]


def test_compounds_stay_whole_and_everyday_words_are_no_terms() -> None:
    terms = terms_of(FRENCH, "Le CV vidéo séduit la grande distribution", "fr")

    assert "CV vidéo" in terms  # a compound, not "CV" and "vidéo"
    assert "vidéo" not in terms and "CV" not in terms
    assert "lettre de motivation" in terms and "marque employeur" in terms
    assert not {"entreprise", "entreprises", "candidats", "téléphone"} & set(terms)  # said by everyone
    assert len(terms) <= 5


def test_people_and_places_are_never_terms() -> None:
    terms = terms_of(FRENCH, "Le CV vidéo séduit la grande distribution", "fr")
    assert not any("Aubry" in term or "Frédéric" in term or "Distrimax" in term for term in terms)


def test_known_institutions_keep_their_spelling() -> None:
    terms = terms_of(FRENCH, "Le CV vidéo séduit la grande distribution", "fr")
    assert "RGPD" in terms or "CNIL" in terms


ENGLISH = [
    "Recruiters rely on an applicant tracking system to rank résumés. Olivia Chen, head of talent at "
    "Brightwave, said the applicant tracking system rejected half of the applicants.",
    "Chen said employers now ask for a video pitch. Critics say a video pitch favours confident candidates, "
    "and an applicant tracking system cannot judge one.",
    "Job seekers matter, the company said. The company uses the system online every day.",
]


def test_english_noun_phrases_without_names_people_or_verbs() -> None:
    terms = terms_of(ENGLISH, "Screening software ranks every résumé", "en")

    assert "applicant tracking system" in terms
    assert "video pitch" in terms
    assert not any("Chen" in term or "Olivia" in term for term in terms)
    assert not {"job seekers", "employers", "applicants", "said", "rely", "online", "company"} & set(terms)


def test_fewer_good_terms_rather_than_five_with_bad_ones() -> None:
    terms = terms_of(
        [
            "Le mois dernier, la ville a vu beaucoup de monde. Les gens sont venus nombreux, et tout le "
            "monde était content de la journée. La journée a été longue pour tout le monde."
        ],
        "Une journée en ville",
        "fr",
    )
    assert terms == ()


def test_terms_common_to_every_stored_article_are_not_distinctive() -> None:
    stats = TermStats.from_texts([("fr", "La lettre de motivation et la marque employeur.")] * 50)
    plain = terms_of(FRENCH, "Le CV vidéo séduit la grande distribution", "fr")
    common = terms_of(FRENCH, "Le CV vidéo séduit la grande distribution", "fr", stats)
    assert plain.index("lettre de motivation") >= 0
    assert common[0] == "CV vidéo"  # the stored articles all say the others: they rank lower


def test_a_text_without_words() -> None:
    assert terms_of([], "", "en") == ()


def test_a_phrase_of_the_story_but_not_of_the_subject_is_no_term() -> None:
    story = [
        "Every evening, Tom Baxter drops his phone into the biscuit tin on the kitchen shelf. "
        "The biscuit tin stays shut until breakfast, and the screen time he logs has halved.",
        "Sleep researchers say that screen time before bed delays sleep by forty minutes.",
    ]
    title = "The phone in the biscuit tin"
    assert "biscuit tin" in terms_of(story, title, "en", field=False)  # said twice, in the title too
    terms = terms_of(story, title, "en")
    assert "biscuit tin" not in terms
    assert "screen time" in terms  # the field's own words, said as often


def test_a_platform_named_in_passing_is_no_term() -> None:
    story = [
        "The new starters met their team over Slack before the first day. Remote onboarding now "
        "starts with a buddy on Slack and a video call every morning.",
        "Remote onboarding works, the managers say, when the buddy calls every day; LinkedIn posts "
        "about it abound, LinkedIn groups share remote onboarding checklists, and LinkedIn loves them.",
    ]
    terms = terms_of(story, "Remote onboarding: the first week", "en")
    assert "LinkedIn" in terms  # the article comes back to it: part of its subject
    assert "Slack" not in terms  # the tool the story happens on


def test_the_people_a_survey_asked_are_no_term() -> None:
    survey = [
        "Selon l'enquête, 9 % seulement des sondés ont déjà payé un abonnement premium. Les sondés "
        "jugent la dépense inutile, et les sondés les plus jeunes préfèrent la candidature spontanée.",
        "La candidature spontanée reste pourtant la voie préférée des sondés pour un premier poste.",
    ]
    terms = terms_of(survey, "Ce que les sondés attendent des plateformes d'emploi", "fr")
    assert "sondés" not in terms
    assert "candidature spontanée" in terms


def test_a_pair_of_everyday_words_is_no_term_even_where_a_theme_describes_articles_with_them() -> None:
    # "photos" is a word of the themes' examples (profile photos), not of their vocabulary.
    story = [
        "The recruiter scrolled back to his holiday photos from 2019. The holiday photos showed "
        "nothing wrong, but the digital footprint of a candidate is what employers check first.",
        "A candidate's digital footprint outlives every account, the lawyer said.",
    ]
    terms = terms_of(story, "What a vetting firm sees in your old accounts", "en")
    assert "holiday photos" not in terms
    assert "digital footprint" in terms


def test_an_acronym_the_field_does_not_know_is_a_name_unless_the_article_comes_back_to_it() -> None:
    school = [
        "Les anciens de l'ISGG ouvrent leur carnet d'adresses aux jeunes diplômés. Le mentorat y "
        "commence dès la première année.",
        "Le réseau de l'ISGG compte 4 000 membres, et le mentorat y est gratuit.",
    ]
    assert "ISGG" not in terms_of(school, "Le premier poste par le réseau des anciens", "fr")
    again = [*school, "L'ISGG publie chaque année la liste de ses mentors."]
    assert "ISGG" in terms_of(again, "Le premier poste par le réseau des anciens", "fr")


def test_an_occupation_named_in_the_feminine_is_who_the_article_is_about() -> None:
    story = [
        "Dans l'entrepôt, une préparatrice filme sa journée pour la marque employeur. La préparatrice "
        "montre les gestes, et la préparatrice répond aux commentaires.",
        "La marque employeur de l'entreprise y gagne, dit la préparatrice.",
    ]
    terms = terms_of(story, "Les préparatrices filment leur journée", "fr")
    assert not any("préparatrice" in term for term in terms)
    assert "marque employeur" in terms
