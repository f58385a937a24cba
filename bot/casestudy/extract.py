"""The main text of an article page (trafilatura), or the reason the feed's summary is used instead.

Runs in a worker process: parsing a page costs milliseconds of CPU that the event loop cannot spare.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lxml import etree
from lxml import html as lxml_html

if TYPE_CHECKING:
    from trafilatura.settings import Document

from bot.casestudy.model import PageText
from bot.casestudy.sentences import paragraphs
from bot.feeds.text import fold

MIN_PAGE_WORDS = 120  # below this, a page is a teaser, a wall or a gallery: the feed says as much
_LOGIN_PATH = re.compile(
    r"/(login|log-in|signin|sign-in|sso|auth|connexion|se-connecter|compte|account)\b", re.I
)
_PAYWALL = re.compile(
    r"reserve aux abonnes|reservee aux abonnes|abonnez-vous pour lire|pour lire la suite|"
    r"subscribers only|subscribe to (read|continue)|to continue reading|already a subscriber|deja abonne"
)
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses it in a str
_LOGIN = re.compile(r"connectez-vous|identifiez-vous|log in to|sign in to|mot de passe|password")
# Where a page states when it was published, in the order they are trusted. Never the text: a
# footer's « © 2024 » is not the article's date.
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "publish-date",
    "sailthru.date",
    "parsely-pub-date",
)


def _lowered(attribute: str) -> str:
    return f"translate({attribute}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"


_NOT_THE_ARTICLE = (
    "ancestor::footer or ancestor::aside or ancestor::nav or ancestor::*[contains(@class, 'comment')]"
)


class NotAnArticle(Exception):
    """The page gives no usable article text; the message says why, for moderators."""


def extract_page(body: bytes, content_type: str | None, url: str) -> PageText:
    """The page's paragraphs and metadata; raises `NotAnArticle` with the reason otherwise."""
    media = (content_type or "").split(";")[0].strip().lower()
    if body.lstrip()[:5] == b"%PDF-" or media == "application/pdf":
        raise NotAnArticle("the link is a PDF document, not a web page")
    if media and media not in (
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "application/xml",
        "text/xml",
    ):
        raise NotAnArticle(f"the link is not a web page ({media})")
    if not body.strip():
        raise NotAnArticle("the page is empty")
    try:
        tree = lxml_html.document_fromstring(_decode(body, content_type))
    except (etree.ParserError, ValueError):
        raise NotAnArticle("the page cannot be read as HTML") from None
    language = _declared_language(tree)
    has_password_field = bool(tree.xpath("//input[@type='password']"))
    page_text = fold(" ".join(tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")))
    document = _trafilatura(tree, url)
    found = paragraphs(document.text or "") if document is not None else []
    words = sum(len(p.split()) for p in found)
    if words < MIN_PAGE_WORDS:
        if _LOGIN_PATH.search(url) or (has_password_field and _LOGIN.search(page_text)):
            raise NotAnArticle("the link leads to a login page")
        if _PAYWALL.search(page_text):
            raise NotAnArticle("the article is for subscribers only")
        raise NotAnArticle(f"the page has too little text ({words} words)")
    assert document is not None  # text was found
    return PageText(
        paragraphs=tuple(found),
        title=document.title or None,
        language=language,
        site_name=document.sitename or None,
        published_at=published_at(tree),
        headings=_headings(document),
    )


def _trafilatura(tree: lxml_html.HtmlElement, url: str) -> Document | None:
    # Imported here: the bot process never extracts; only workers pay for the import.
    import trafilatura

    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,  # its cache spans pages: the same page would not extract the same twice
    )
    return None if isinstance(document, dict) else document  # a dict only with as_dict=True


def _headings(document: Document) -> tuple[str, ...]:
    """The article's own subheadings (trafilatura marks them `<head>`): never summary sentences."""
    body = getattr(document, "body", None)
    if body is None:
        return ()
    found = (" ".join(" ".join(head.itertext()).split()) for head in body.iter("head"))
    return tuple(heading for heading in found if heading)


def published_at(tree: lxml_html.HtmlElement) -> datetime | None:
    """When the page says the article was published: its metadata (`article:published_time`
    and the like), then JSON-LD's `datePublished`, then microdata, then a `<time datetime>` of the
    article (not of a footer, a sidebar or a comment)."""
    for name in _DATE_META:
        for value in tree.xpath(
            f"//meta[{_lowered('@property')} = $name or {_lowered('@name')} = $name]/@content", name=name
        ):
            if (moment := _date(str(value))) is not None:
                return moment
    for data in _json_ld(tree):
        if (moment := _date(str(data.get("datePublished") or ""))) is not None:
            return moment
    for element in tree.xpath(f"//*[@itemprop='datePublished'][not({_NOT_THE_ARTICLE})]"):
        value = element.get("content") or element.get("datetime") or element.text_content()
        if (moment := _date(str(value).strip())) is not None:
            return moment
    for value in tree.xpath(f"//time[@datetime][not({_NOT_THE_ARTICLE})]/@datetime"):
        if (moment := _date(str(value))) is not None:
            return moment
    return None


def _json_ld(tree: lxml_html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every object of the page's JSON-LD scripts, `@graph` members included."""
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(str(script))
        except ValueError:
            continue
        pending = data if isinstance(data, list) else [data]
        while pending:
            item = pending.pop(0)
            if isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    pending.extend(graph)
            elif isinstance(item, list):
                pending.extend(item)


def _decode(body: bytes, content_type: str | None) -> str:
    """The page's text: the charset the server declares, else the page's own, else UTF-8 if it
    decodes, else Windows-1252 (what undeclared Western pages are in practice)."""
    declared = _CHARSET.search(content_type or "") or _META_CHARSET.search(body[:4096])
    if declared:
        name = declared.group(1)
        charset = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
        try:
            return _XML_DECLARATION.sub("", body.decode(charset, errors="replace"))
        except LookupError:
            pass  # an unknown charset name: guess as if none were given
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("cp1252", errors="replace")
    return _XML_DECLARATION.sub("", text)


def _declared_language(tree: lxml_html.HtmlElement) -> str | None:
    declared = tree.get("lang") or next(
        iter(tree.xpath("//meta[@http-equiv='content-language']/@content")), None
    )
    if not declared:
        return None
    return str(declared).split("-")[0].split("_")[0].strip().lower() or None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
