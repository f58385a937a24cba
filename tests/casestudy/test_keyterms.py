"""Key terms: distinctive of the article against the stored ones, by stem, shown as written."""

from __future__ import annotations

from bot.casestudy.keyterms import TermStats, key_terms

TEXT = [
    "La marque employeur devient un argument de recrutement. Les recruteurs soignent la marque employeur "
    "sur LinkedIn et sur TikTok.",
    "Un recruteur interrogé explique que la marque employeur attire les jeunes diplômés. Les entreprises "
    "publient des vidéos de leurs équipes.",
    "Les candidats comparent les entreprises sur Glassdoor avant de postuler. "
    "Les vidéos des équipes rassurent.",
]
COMMON = [("fr", "Les entreprises publient des offres et les candidats postulent.")] * 50


def test_key_terms_are_distinctive_and_phrases_win() -> None:
    terms = key_terms(TEXT, "La marque employeur sur les réseaux", "fr", TermStats.from_texts(COMMON))

    assert len(terms) == 5
    assert terms[0] == "marque employeur"  # a phrase said three times, also in the title
    assert "entreprises" not in terms  # in every stored article: not distinctive
    assert "marque" not in terms and "employeur" not in terms  # inside the chosen phrase
    assert len({term.lower() for term in terms}) == 5


def test_names_keep_their_capitals_and_plurals_meet_singulars() -> None:
    text = ["TikTok attire les recruteurs. Un recruteur sur deux publie sur TikTok. Le recruteur filme."]
    terms = key_terms(text, "", "fr", TermStats())
    assert terms[:2] == ("recruteur", "TikTok")  # three forms of one stem; a name as it is written


def test_key_terms_of_a_tiny_text() -> None:
    assert key_terms(["Un mot."], "", "fr", TermStats()) == ("mot",)
    assert key_terms([], "", "en", TermStats()) == ()
