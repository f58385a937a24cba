"""An article's sentences read once for what the case study draws from them: their parts of
speech, the people and the organisations they name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.casestudy.names import people
from bot.casestudy.organisations import Organisation, organisations
from bot.casestudy.sentences import sentences
from bot.casestudy.summarise import is_boilerplate
from bot.casestudy.tagging import Sentence, tag_sentences
from bot.feeds.text import fold

MAX_SENTENCES = 100  # the terms of an article are in its first hundred sentences; tagging costs a few ms each
_SITE_SUFFIX = re.compile(r"\s*[–—|-].*$")


@dataclass(frozen=True)
class Analysis:
    sentences: tuple[str, ...]
    tagged: tuple[Sentence, ...]
    title: Sentence
    people: frozenset[str]  # folded words of people's names
    organisations: tuple[Organisation, ...]

    def sentences_with_a_verb(self) -> list[str]:
        """What may be quoted: « Des chiffres impossibles à vérifier. » says nothing on its own."""
        return [
            sentence
            for sentence, tags in zip(self.sentences, self.tagged, strict=True)
            if any(token.pos in ("VERB", "AUX") for token in tags)
        ]


def analyse(paragraphs: Sequence[str], title: str, language: str, source: str = "") -> Analysis:
    """`source` is the publisher's name: the article's own site is none of its organisations."""
    found = [
        sentence
        for paragraph in paragraphs
        if paragraph.strip() != title.strip()
        for sentence in sentences(paragraph)
        if not is_boilerplate(sentence)
    ][:MAX_SENTENCES]
    tagged = tag_sentences([*found, title], language)
    body, title_tags = tagged[:-1], tagged[-1]
    named = people(body)
    publisher = {fold(source), fold(_SITE_SUFFIX.sub("", source))} - {""}
    return Analysis(
        sentences=tuple(found),
        tagged=tuple(body),
        title=title_tags,
        people=named,
        organisations=tuple(organisations(body, language, named, exclude=publisher)),
    )
