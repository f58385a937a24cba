"""Sentence splitting in French and English: abbreviations, initials, numbers and quotations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.casestudy.sentences import paragraphs, sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Selon M. Dupont, 3,5 % des recruteurs utilisent TikTok. Le Dr. Martin n'est pas d'accord.",
            ["Selon M. Dupont, 3,5 % des recruteurs utilisent TikTok.", "Le Dr. Martin n'est pas d'accord."],
        ),
        (
            "The U.S. market added 1.2 million jobs. J. K. Rowling said so, e.g. in an interview. "
            "Why? Nobody knows!",
            [
                "The U.S. market added 1.2 million jobs.",
                "J. K. Rowling said so, e.g. in an interview.",
                "Why?",
                "Nobody knows!",
            ],
        ),
        (
            "Les réseaux (LinkedIn, Indeed, etc.) dominent. Les jeunes, p. ex. les étudiants, hésitent. "
            "Env. 40 % d'entre eux. Voir p. 12 du rapport.",
            [
                "Les réseaux (LinkedIn, Indeed, etc.) dominent.",
                "Les jeunes, p. ex. les étudiants, hésitent.",
                "Env. 40 % d'entre eux.",
                "Voir p. 12 du rapport.",
            ],
        ),
        (
            "« Nous recrutons sur LinkedIn. » Il ajoute : « C'est fini. » La suite arrive.",
            ["« Nous recrutons sur LinkedIn. »", "Il ajoute : « C'est fini. »", "La suite arrive."],
        ),
        (
            'He said "we hire." and left. She works at Acme Inc. Next year she moves... Then it rained.',
            [
                'He said "we hire." and left.',
                "She works at Acme Inc.",
                "Next year she moves...",
                "Then it rained.",
            ],
        ),
        (
            "Le poste exige min. 5 ans d'expérience. Postulez.",
            ["Le poste exige min. 5 ans d'expérience.", "Postulez."],
        ),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_paragraphs_are_split_on_single_newlines_as_trafilatura_writes_them() -> None:
    text = "Premier paragraphe, qui finit par « une citation. »\nSecond paragraphe.\n\n  \nTroisième."
    assert paragraphs(text) == [
        "Premier paragraphe, qui finit par « une citation. »",
        "Second paragraphe.",
        "Troisième.",
    ]


@given(
    st.lists(
        st.sampled_from(["Le recruteur lit.", "M. Dupont répond.", "Il a 3.5 ans.", "« Oui. »", "Why?"]),
        max_size=8,
    )
)
def test_splitting_loses_and_adds_nothing(parts: list[str]) -> None:
    text = " ".join(parts)
    assert " ".join(sentences(text)).split() == text.split()


def test_a_quotation_of_several_sentences_stays_whole() -> None:
    text = "« Nous recrutons. Venez nous voir ! » Le directeur sourit. Il part."
    assert sentences(text) == ["« Nous recrutons. Venez nous voir ! »", "Le directeur sourit.", "Il part."]


# Guards against catastrophic backtracking (each takes milliseconds; before possessive quantifiers
# the first took seconds): a generous limit, so that only a hang fails, not a slow machine.
@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "text", ["Chapitre 1 " + "." * 20000 + " Suite.", "M. Dupont, " * 4000, "x" * 2000 + " M. X," * 100]
)
def test_pathological_punctuation_is_split_in_linear_time(text: str) -> None:
    assert " ".join(sentences(text)).split() == text.split()
