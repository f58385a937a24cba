"""The French and English catalogues: complete, with the same placeholders, chosen by locale."""

from __future__ import annotations

import string

import pytest

from bot.i18n import LOCALES, catalogue, locale_from, t, using_locale


def placeholders(value: object) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(str(text)) if name}


def test_both_catalogues_have_the_same_keys() -> None:
    french, english = catalogue("fr"), catalogue("en")

    assert sorted(set(french) - set(english)) == []
    assert sorted(set(english) - set(french)) == []


@pytest.mark.parametrize("key", sorted(catalogue("fr")))
def test_translations_use_the_same_placeholders(key: str) -> None:
    assert placeholders(catalogue("fr")[key]) == placeholders(catalogue("en")[key]), key


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("fr", "fr"), ("fr-CA", "fr"), ("en-US", "en"), ("en-GB", "en"), ("de", "fr"), (None, "fr"), ("", "fr")],
)
def test_locale_from_platform_tags(tag: str | None, expected: str) -> None:
    assert locale_from(tag) == expected


def test_plural_forms_and_placeholders() -> None:
    assert t("status.more", "fr", count=1) == "… et 1 autre"
    assert t("status.more", "fr", count=4) == "… et 4 autres"
    assert t("tally.nuanced", "fr", count=0) == "0 nuancé"  # French: 0 is singular
    assert t("tally.line", "en", count=0, parts="") == "📊 0 takes: "
    assert t("status.footer", "en", version="1.2.3") == "veille-bot 1.2.3"


def test_the_current_locale_is_per_task() -> None:
    with using_locale("en"):
        assert t("status.title") == "Veille — bot status"
    assert t("status.title") == "Veille — état du bot"


def test_a_missing_key_is_an_error_not_a_blank() -> None:
    with pytest.raises(KeyError, match=r"missing translation 'no\.such\.key' in the 'fr' catalogue"):
        t("no.such.key", "fr")


def test_every_locale_has_a_catalogue() -> None:
    assert all(catalogue(locale) for locale in LOCALES)
