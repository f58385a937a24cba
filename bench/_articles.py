"""Labelled article pages for the case-study benchmark: loading a folder, and comparing what the
builder says with what a teacher labelled (themes, key terms, claims, headings, dates)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import html as lxml_html

from bot.feeds.frequency import zipf
from bot.feeds.stopwords import STOPWORDS
from bot.feeds.text import tokens

_SPACES = re.compile(r"\s+")
OFF_TOPIC = "none"
SPECIALISED_ZIPF = 4.0


@dataclass(frozen=True)
class Page:
    file: str
    body: bytes
    language: str | None = None  # None: not labelled
    theme: str | None = None  # "none" for an off-topic page
    title: str = ""
    published: datetime | None = None
    footer_year: int | None = None
    key_terms: tuple[str, ...] = ()
    also_terms: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    claim: str = ""
    headings: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    layout: str = ""

    @property
    def labelled(self) -> bool:
        return self.theme is not None

    @property
    def acceptable_terms(self) -> tuple[str, ...]:
        """What a teacher would list: the labelled terms, not every organisation named in passing."""
        return (*self.key_terms, *self.also_terms)


@dataclass(frozen=True)
class PageSet:
    name: str
    folder: Path
    pages: tuple[Page, ...] = field(default_factory=tuple)

    @property
    def labelled(self) -> bool:
        return any(page.labelled for page in self.pages)


def load_set(folder: Path, name: str | None = None) -> PageSet:
    """The `.html` pages of `folder` (not its subfolders), with the labels of its `expected.toml`
    or `labels-*.toml` files when there are any."""
    labels: dict[str, dict[str, object]] = {}
    for path in sorted(folder.glob("expected.toml")) + sorted(folder.glob("labels-*.toml")):
        for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("articles", []):
            labels[entry["file"]] = entry
    pages = []
    for path in sorted(folder.glob("*.html")):
        label = labels.get(path.name, {})
        pages.append(_page(path, label))
    return PageSet(name or folder.name, folder, tuple(pages))


def _page(path: Path, label: dict[str, object]) -> Page:
    def strings(key: str) -> tuple[str, ...]:
        value = label.get(key, [])
        return tuple(str(item) for item in value) if isinstance(value, list) else ()

    published = label.get("published")
    return Page(
        file=path.name,
        body=path.read_bytes(),
        language=str(label["language"]) if "language" in label else None,
        theme=str(label["theme"]) if "theme" in label else None,
        title=str(label.get("title", "")),
        published=published if isinstance(published, datetime) else None,
        footer_year=int(str(label["footer_year"])) if "footer_year" in label else None,
        key_terms=strings("key_terms"),
        also_terms=strings("also_terms"),
        organisations=strings("organisations"),
        claim=str(label.get("claim", "")),
        headings=strings("headings"),
        boilerplate=strings("boilerplate"),
        layout=str(label.get("layout", "")),
    )


def visible_text(page: bytes) -> str:
    tree = lxml_html.document_fromstring(page.decode("utf-8", errors="replace"))
    for hidden in tree.xpath("//script|//style"):
        hidden.drop_tree()
    return flat(tree.text_content())


def flat(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def words_of(term: str) -> tuple[str, ...]:
    """A term's content words, folded, without a plural's final s or x."""
    found = [word for word in tokens(term.replace("’", "'")) if word not in STOPWORDS]
    return tuple(word[:-1] if len(word) > 3 and word[-1] in "sx" else word for word in found)


def term_matches(ours: str, labels: tuple[str, ...]) -> bool:
    """Whether a key term is one a teacher listed: the same words, or a labelled term within
    ours with one word more ("entretien vidéo différé" for "entretien différé" is not one, but
    "CV vidéo" for "CV vidéo" and "recruteurs" for "recruteur" are). A single word of ours never
    matches inside a longer label ("vidéo" is not "CV vidéo")."""
    mine = words_of(ours)
    if not mine:
        return False
    for label in labels:
        theirs = words_of(label)
        if not theirs:
            continue
        if mine == theirs:
            return True
        if (len(mine) >= 2 or _specialised(mine[0], ours)) and _contains(theirs, mine):
            return True  # ours is inside a longer labelled term: still a term of the article
        if len(mine) <= len(theirs) + 1 and _contains(mine, theirs) and len(theirs) >= 2:
            return True
    return False


def _specialised(word: str, term: str) -> bool:
    """A word rare in general language is a term of its own inside a labelled one ("cooptation"
    in "prime de cooptation"); a common one is a fragment ("vidéo" in "CV vidéo")."""
    return max(zipf(word, "fr"), zipf(word, "en")) < SPECIALISED_ZIPF or term.isupper()


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    size = len(shorter)
    return any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))
