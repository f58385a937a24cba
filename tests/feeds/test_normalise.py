"""Links and text normalisation, with properties checked by hypothesis on generated input."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.feeds.text import detect_language, fingerprint, fold, plain_text, tokens
from bot.feeds.urls import canonical_url, is_public, is_tracking

hosts = st.from_regex(r"[a-z][a-z0-9\-]{0,20}\.(fr|com|org)", fullmatch=True)
segments = st.lists(st.from_regex(r"[A-Za-z0-9_\-~.%]{1,12}", fullmatch=True), max_size=4)
keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
values = st.from_regex(r"[A-Za-z0-9]{0,8}", fullmatch=True)
tracking = st.sampled_from(["utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "xtor", "mc_cid"])


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(hosts)
    if draw(st.booleans()):
        host = host.upper()
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/" + "/".join(draw(segments))
    params = draw(st.lists(st.tuples(keys, values), max_size=4))
    query = "&".join(f"{k}={v}" for k, v in params)
    fragment = draw(st.sampled_from(["", "#top", "#comments"]))
    return f"{scheme}://{host}{port}{path}{'?' + query if query else ''}{fragment}"


@given(urls())
def test_canonical_urls_are_stable(url: str) -> None:
    once = canonical_url(url)

    assert once is not None
    assert canonical_url(once) == once
    parts = urlsplit(once)
    assert parts.scheme in ("http", "https")
    assert parts.fragment == ""
    assert parts.netloc == parts.netloc.lower()
    default_port = {"http": ":80", "https": ":443"}[parts.scheme]
    assert not parts.netloc.endswith(default_port)


@given(urls(), st.lists(st.tuples(tracking, values), min_size=1, max_size=3))
def test_tracking_parameters_never_change_the_link(url: str, added: list[tuple[str, str]]) -> None:
    assume("#" not in url)
    separator = "&" if "?" in url else "?"
    tracked = url + separator + "&".join(f"{k}={v}" for k, v in added)

    assert canonical_url(tracked) == canonical_url(url)
    assert not any(is_tracking(k) for k, _ in parse_qsl(urlsplit(canonical_url(tracked) or "").query))


@given(urls(), st.sampled_from(["", "#a", "#section-2"]))
def test_fragments_do_not_matter(url: str, fragment: str) -> None:
    assume("#" not in url)
    assert canonical_url(url + fragment) == canonical_url(url)


@pytest.mark.parametrize(
    ("link", "base", "expected"),
    [
        ("/a/b?id=1&utm_source=x", "https://site.fr/feed", "https://site.fr/a/b?id=1"),
        ("article.html", "https://site.fr/blog/feed.xml", "https://site.fr/blog/article.html"),
        ("//cdn.site.fr/x", "https://site.fr/", "https://cdn.site.fr/x"),
        ("HTTPS://Site.FR:443", None, "https://site.fr/"),
        ("mailto:a@b.fr", None, None),
        ("javascript:alert(1)", None, None),
        ("", "https://site.fr", None),
        ("http://[::1]:8080/x", None, "http://[::1]:8080/x"),
    ],
)
def test_canonical_url_examples(link: str, base: str | None, expected: str | None) -> None:
    assert canonical_url(link, base) == expected


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("2001:4860:4860::8888", True),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public(address) is public


markup = st.text(alphabet=st.characters(codec="utf-8"), max_size=200)


@given(markup)
def test_plain_text_is_one_clean_line(text: str) -> None:
    result = plain_text(f"<p>{text}</p><script>var x = '<b>';</script>")

    assert "\n" not in result
    assert "  " not in result
    assert result == result.strip()
    assert "var x" not in result


@given(markup)
def test_fold_is_idempotent_and_ascii(text: str) -> None:
    folded = fold(text)

    assert fold(folded) == folded
    assert folded.isascii()


@given(st.text(alphabet="abcdéèêàçôûïAZÉ ,.;!?-'", min_size=1, max_size=80))
def test_fingerprints_ignore_case_accents_and_markup(text: str) -> None:
    plain = fingerprint(tokens(text), [])
    marked = fingerprint(tokens(plain_text(f"<b>{text.upper()}</b>")), [])

    assert fold(text).upper() == fold(text.upper()) or plain == marked
    assert plain == fingerprint(tokens(fold(text)), [])


@pytest.mark.parametrize(
    ("markup_text", "expected"),
    [
        ("Caf&eacute; &amp; th&#233;", "Café & thé"),
        ("double &amp;eacute;t&amp;eacute;", "double été"),
        ("<p>Un</p><p>Deux</p>", "Un Deux"),
        ("non&nbsp;breaking", "non breaking"),
        ("<style>p{}</style>visible", "visible"),
        (None, ""),
    ],
)
def test_plain_text_examples(markup_text: str | None, expected: str) -> None:
    assert plain_text(markup_text) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le recrutement à distance est une tendance forte pour les entreprises", "fr"),
        ("The remote hiring trend is growing for many of the companies", "en"),
        ("LinkedIn TikTok Indeed", None),
    ],
)
def test_language_detection(text: str, language: str | None) -> None:
    assert detect_language(tokens(text)) == language
