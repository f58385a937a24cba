"""Extractive summaries: whole sentences of the article, in its order, within the limit, no furniture."""

from __future__ import annotations

from bot.casestudy.model import SUMMARY_MAX
from bot.casestudy.summarise import is_boilerplate, is_prose, summarise

ARTICLE = [
    "Les recruteurs consultent de plus en plus les réseaux sociaux des candidats avant un entretien.",
    "Selon une étude publiée mardi, 70 % des recruteurs regardent le profil LinkedIn d'un candidat. "
    "Ils sont 40 % à consulter aussi son compte Instagram ou TikTok.",
    "Lire aussi : Les dix erreurs à éviter sur LinkedIn.",
    "Pour les candidats, l'enjeu est de soigner une présence en ligne cohérente avec le CV envoyé. "
    "Les recruteurs disent écarter un profil sur cinq pour des publications jugées inappropriées.",
    "Nous utilisons des cookies pour améliorer votre expérience de navigation sur notre site.",
    "La météo de demain sera ensoleillée sur la moitié sud du pays.",
    "Les écoles forment désormais leurs étudiants à la gestion de leur e-réputation et de leurs profils.",
]


def test_a_summary_is_three_or_four_whole_sentences_in_order() -> None:
    summary = summarise(ARTICLE, "fr", "E-réputation : ce que les recruteurs regardent")

    assert 3 <= len(summary) <= 4
    text = " ".join(ARTICLE)
    positions = [text.index(sentence) for sentence in summary]
    assert positions == sorted(positions)  # the article's order
    assert all(sentence.endswith((".", "?", "!", "»")) for sentence in summary)
    assert not any("cookies" in s or "Lire aussi" in s or "météo" in s for s in summary)
    assert summary[0] == ARTICLE[0]  # the lead


def test_the_summary_fits_its_limit_and_is_deterministic() -> None:
    long_article = [
        f"Phrase numéro {i} sur le recrutement et les réseaux sociaux des candidats." * 1 for i in range(300)
    ]
    first = summarise(long_article, "fr", "Recrutement")
    assert first == summarise(long_article, "fr", "Recrutement")
    assert len(" ".join(first)) <= SUMMARY_MAX
    tight = summarise(ARTICLE, "fr", "Recruteurs", limit=200)
    assert len(" ".join(tight)) <= 200


def test_sentences_that_are_not_prose_are_never_taken() -> None:
    assert not is_prose("Partager sur LinkedIn et Twitter maintenant s'il vous plaît.")
    assert not is_prose("Inscrivez-vous à notre newsletter pour recevoir nos articles.")
    assert not is_prose("We use cookies to improve your experience on our website.")
    assert not is_prose("Jeanne Martin est journaliste au service économie depuis 2015.")
    assert not is_prose("Voici les trois points à retenir de cette étude :")
    assert not is_prose("les recruteurs regardent les profils des candidats en ligne.")  # a fragment
    assert not is_prose("Trop court.")
    assert is_prose("Recruiters now screen candidates on social media before the first interview.")


def test_an_article_without_prose_gives_no_summary() -> None:
    assert (
        summarise(["Accueil", "Menu", "Nous utilisons des cookies pour mesurer l'audience du site."], "fr")
        == ()
    )


def test_a_sentence_that_repeats_the_title_is_left_out() -> None:
    title = "Les recruteurs consultent les réseaux sociaux des candidats"

    summary = summarise(ARTICLE, "fr", title)

    assert ARTICLE[0] not in summary  # the same words as the title: nothing new for the reader
    assert summary[0].startswith("Selon une étude publiée mardi")  # the body's first sentence leads


HEADED = [
    "Les plateformes de recrutement changent leurs règles pour les candidats cette année.",
    "Ce que les recruteurs regardent vraiment.",
    "Les profils complets reçoivent trois fois plus de messages que les profils vides, selon l'étude.",
    "Faut-il pour autant tout publier sur sa vie professionnelle et personnelle ?",
    "Les candidats qui détaillent leurs projets sont contactés plus vite par les recruteurs.",
    "Les écoles organisent désormais des ateliers pour aider les étudiants à écrire leur profil.",
]


def test_subheadings_and_questions_are_never_summary_sentences() -> None:
    summary = summarise(
        HEADED, "fr", "Profils en ligne", headings=["Ce que les recruteurs regardent vraiment."], count=6
    )

    assert (
        "Ce que les recruteurs regardent vraiment." not in summary
    )  # a subheading, though it ends with a dot
    assert not any(sentence.endswith("?") for sentence in summary)  # a rhetorical question
    assert len(summary) >= 3


def test_a_quotation_of_several_sentences_stays_whole() -> None:
    quoted = [
        "Les recruteurs du secteur ont changé leurs méthodes depuis l'an dernier, raconte une directrice.",
        '"We tried everything. Nothing worked," said the hiring manager of the company in Leeds.',
        "« Nous avons tout essayé. Rien n'a marché. » La directrice a donc recruté sur les réseaux sociaux.",
        "Les candidatures spontanées ont doublé en six mois, selon les chiffres de l'entreprise.",
    ]

    found = [s for s in summarise(quoted, "fr", "Recrutement") if "tout essayé" in s or "tried" in s]

    assert '"We tried everything. Nothing worked," said the hiring manager of the company in Leeds.' in found
    assert "« Nous avons tout essayé. Rien n'a marché. »" in found


def test_a_source_line_is_page_furniture() -> None:
    assert is_boilerplate("Source : OEE / Kerlys Études, enquête en ligne, janvier 2026.")
    assert is_boilerplate("Sources: company filings, state records.")
    assert not is_boilerplate("Source of much debate, the scores are never shown to the candidates.")
