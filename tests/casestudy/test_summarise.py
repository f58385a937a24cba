"""Extractive summaries: whole sentences of the article, in its order, within the limit, no furniture."""

from __future__ import annotations

from bot.casestudy.model import SUMMARY_MAX
from bot.casestudy.summarise import is_prose, summarise

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
    summary = summarise(ARTICLE, "fr", "Les recruteurs scrutent les réseaux sociaux des candidats")

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
