"""Discord's markdown as the sandbox's page shows it: what a student typed stays text, the bot's
formatting shows as Discord shows it, mentions carry names, and only web links become links."""

from __future__ import annotations

import html

import pytest

from bot.digest.markup import Markdown
from sandbox.demo import DemoServer, demo_server
from sandbox.web.markdown import render
from sandbox.web.view import PageView

ANCHOR = '<a href="{url}" target="_blank" rel="noopener">{label}</a>'


@pytest.fixture(scope="module")
def demo() -> DemoServer:
    """The demo server (never started): its members, channel and roles name the mentions."""
    demo = demo_server()
    eve = demo.world.add_user("eve", "<i>Eve</i> & co")
    demo.world.add_member(demo.guild, eve)
    return demo


@pytest.fixture(scope="module")
def page(demo: DemoServer) -> PageView:
    return PageView(demo)


def shown(text: str, page: PageView) -> str:
    return str(render(text, page.name_of))


def anchor(url: str, label: str | None = None) -> str:
    return ANCHOR.format(url=url, label=url if label is None else label)


# ── what students type stays text ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("<b>gras</b>", "&lt;b&gt;gras&lt;/b&gt;"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)"&gt;'),
        ("Tom & Jerry &amp; co", "Tom &amp; Jerry &amp;amp; co"),
    ],
)
def test_a_students_html_stays_text(page: PageView, typed: str, expected: str) -> None:
    assert shown(typed, page) == expected


def test_html_inside_formatting_stays_text(page: PageView) -> None:
    assert shown("**<script>x</script>**", page) == "<strong>&lt;script&gt;x&lt;/script&gt;</strong>"
    assert shown("[<b>clic</b>](https://example.com)", page) == anchor(
        "https://example.com", "&lt;b&gt;clic&lt;/b&gt;"
    )


# ── inline formatting ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("**gras**", "<strong>gras</strong>"),
        ("*italique*", "<em>italique</em>"),
        ("_italique_", "<em>italique</em>"),
        ("__souligné__", "<u>souligné</u>"),
        ("~~barré~~", "<s>barré</s>"),
        ("||divulgâchage||", '<span class="spoiler">divulgâchage</span>'),
        ("un **mot** et un *autre*", "un <strong>mot</strong> et un <em>autre</em>"),
        ("__*souligné et italique*__", "<u><em>souligné et italique</em></u>"),
        ("***gras et italique***", "<strong><em>gras et italique</em></strong>"),
    ],
)
def test_inline_formatting(page: PageView, typed: str, expected: str) -> None:
    assert shown(typed, page) == expected


@pytest.mark.parametrize(
    "typed",
    ["snake_case_name", "2*3*4 = 24", "a * b * c", "a ** b", "file__name"],
)
def test_lone_marks_inside_words_are_not_formatting(page: PageView, typed: str) -> None:
    assert shown(typed, page) == typed


def test_code_spans_show_markup_as_typed(page: PageView) -> None:
    assert shown("`**pas gras** <i>`", page) == "<code>**pas gras** &lt;i&gt;</code>"
    assert shown("avant `<@1>` **après**", page) == "avant <code>&lt;@1&gt;</code> <strong>après</strong>"


def test_code_blocks_keep_their_lines_and_show_markup_as_typed(page: PageView) -> None:
    typed = "Voici :\n```python\n**x** = <b>\n  __y__\n```\nfin *ici*"

    assert shown(typed, page) == (
        "Voici :<br><pre><code>**x** = &lt;b&gt;\n  __y__</code></pre><br>fin <em>ici</em>"
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (r"\*pas italique\*", "*pas italique*"),
        (r"\_\_pas souligné\_\_", "__pas souligné__"),
        (r"\*\*pas gras\*\*", "**pas gras**"),
        (r"\<b\>", "&lt;b&gt;"),
        (r"\# pas un titre", "# pas un titre"),
        (r"\`pas du code\`", "`pas du code`"),
        ("a\\\\b", "a\\b"),
        # The digest escapes a take's leading "+" or "-" (bot/digest/markup.py): Discord shows it bare.
        (r"\+1, d'accord", "+1, d'accord"),
        (r"\- pas une liste", "- pas une liste"),
    ],
)
def test_a_backslash_makes_a_mark_literal(page: PageView, typed: str, expected: str) -> None:
    assert shown(typed, page) == expected


@pytest.mark.parametrize(
    "take",
    [
        "+1, c'est **exactement** ça",
        "- le CV vidéo\n- la lettre",
        "`code` et \\ et <b>gras</b> & ~~barré~~ || _x_ #1 [a](b) <@1> <t:0:R>",
        "# pas un titre > pas une citation * pas une liste",
    ],
)
def test_a_take_escaped_by_the_digest_shows_as_the_student_typed_it(page: PageView, take: str) -> None:
    """The digest quotes takes made inert by its own markup (bot/digest/markup.py): the page must
    show each as typed, as Discord does, without a backslash or a mark of its own."""
    escaped = Markdown(chat=True).text(take)

    assert shown(escaped, page) == html.escape(take, quote=False).replace("\n", "<br>")


# ── links ───────────────────────────────────────────────────────────────────────────────────────


def test_masked_links_to_the_web_are_links(page: PageView) -> None:
    assert shown("[Lire l'article](https://example.com/a?b=1&c=2)", page) == anchor(
        "https://example.com/a?b=1&amp;c=2", "Lire l'article"
    )
    assert shown("[site](http://127.0.0.1:8080/samples/articles/fr-01)", page) == anchor(
        "http://127.0.0.1:8080/samples/articles/fr-01", "site"
    )
    assert shown("[**gras**](https://example.com)", page) == anchor(
        "https://example.com", "<strong>gras</strong>"
    )


@pytest.mark.parametrize(
    "typed",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox)",
        "[x](//evil.example.com)",
    ],
)
def test_masked_links_to_anything_but_the_web_are_not_links(page: PageView, typed: str) -> None:
    html = shown(typed, page)

    assert "<a" not in html and "href" not in html
    assert "<script" not in html


def test_bare_links_are_links_without_the_punctuation_after_them(page: PageView) -> None:
    assert shown("voir https://example.com/page, puis http://example.org.", page) == (
        f"voir {anchor('https://example.com/page')}, puis {anchor('http://example.org')}."
    )
    assert shown("(https://example.com/x)", page) == f"({anchor('https://example.com/x')})"
    assert shown("https://example.com/?q=1&r=2", page) == anchor("https://example.com/?q=1&amp;r=2")


def test_emphasis_after_a_link_leaves_the_link_whole(page: PageView) -> None:
    assert shown("voir https://example.com et _ceci_", page) == (
        f"voir {anchor('https://example.com')} et <em>ceci</em>"
    )
    assert shown("[lien](https://example.com) et _ceci_", page) == (
        f"{anchor('https://example.com', 'lien')} et <em>ceci</em>"
    )


def test_a_link_glued_to_a_masked_link_stays_out_of_its_address(page: PageView) -> None:
    masked = "https://b.example/onmouseover=location='javascript:alert%281%29'//"

    assert shown(f"https://a.example[x]({masked})", page) == anchor("https://a.example") + anchor(masked, "x")


def test_a_quote_in_a_link_cannot_leave_its_attribute(page: PageView) -> None:
    html = shown('[x](https://example.com/"onmouseover="alert(1))', page)

    assert html.startswith('<a href="https://example.com/%22onmouseover=%22alert(1"')


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/__init__/page",
        "https://example.com/a/_b_/c",
        "https://example.com/*x*",
        "https://example.com/~~x~~",
        "https://example.com/||x||",
    ],
)
def test_formatting_marks_inside_an_address_stay_in_the_address(page: PageView, url: str) -> None:
    assert shown(url, page) == anchor(url)
    assert shown(f"[lien]({url})", page) == anchor(url, "lien")


# ── mentions and timestamps ─────────────────────────────────────────────────────────────────────


def test_mentions_are_named_from_the_server(demo: DemoServer, page: PageView) -> None:
    alice, moderator = demo.students[0], demo.moderator
    role = next(role for role in demo.guild.roles.values() if role.name == "Modération")

    assert shown(f"Merci <@{alice.id}> !", page) == 'Merci <span class="mention">@alice</span> !'
    assert shown(f"<@!{moderator.id}>", page) == '<span class="mention">@Mme Martin</span>'
    assert shown(f"dans <#{demo.channel.id}>", page) == 'dans <span class="mention">#veille</span>'
    assert shown(f"<@&{role.id}>", page) == '<span class="mention">@Modération</span>'


def test_unknown_mentions_show_their_id(page: PageView) -> None:
    assert shown("<@123456789> <#987654321> <@&55>", page) == (
        '<span class="mention">@123456789</span> <span class="mention">#987654321</span> '
        '<span class="mention">@55</span>'
    )


def test_names_in_mentions_are_escaped(demo: DemoServer, page: PageView) -> None:
    eve = next(member.user for member in demo.guild.members.values() if member.user.username == "eve")

    assert shown(f"<@{eve.id}>", page) == '<span class="mention">@&lt;i&gt;Eve&lt;/i&gt; &amp; co</span>'


def test_a_mention_in_code_is_not_named(demo: DemoServer, page: PageView) -> None:
    alice = demo.students[0]

    assert shown(f"`<@{alice.id}>`", page) == f"<code>&lt;@{alice.id}&gt;</code>"


@pytest.mark.parametrize(
    ("typed", "style"),
    [
        ("<t:1700000000:R>", "R"),
        ("<t:1700000000:F>", "F"),
        ("<t:1700000000:d>", "d"),
        ("<t:1700000000>", "f"),
    ],
)
def test_timestamps_become_time_elements_for_the_page_to_write(
    page: PageView, typed: str, style: str
) -> None:
    assert shown(f"dans {typed}", page) == (
        f'dans <time datetime="2023-11-14T22:13:20+00:00" data-style="{style}">2023-11-14 22:13 UTC</time>'
    )


def test_a_timestamp_with_an_unknown_style_stays_text(page: PageView) -> None:
    assert shown("<t:1700000000:Z>", page) == "&lt;t:1700000000:Z&gt;"


# ── lines ───────────────────────────────────────────────────────────────────────────────────────


def test_headings_quotes_subtext_and_list_items(demo: DemoServer, page: PageView) -> None:
    typed = "\n".join(
        [
            "# Briefing de la semaine",
            "## Thème **un**",
            "### Petit titre",
            "> Une citation de <@" + str(demo.students[1].id) + ">",
            "- premier point",
            "• deuxième point",
            "* troisième point",
            "-# en petit",
            "texte simple",
        ]
    )

    assert shown(typed, page) == (
        '<span class="h1">Briefing de la semaine</span>'
        '<span class="h2">Thème <strong>un</strong></span>'
        '<span class="h3">Petit titre</span>'
        '<span class=quote>Une citation de <span class="mention">@bilal</span></span>'
        "<span class=item>• premier point</span>"
        "<span class=item>• deuxième point</span>"
        "<span class=item>• troisième point</span>"
        "<small>en petit</small>"
        "texte simple"
    )


def test_plain_lines_are_kept_apart(page: PageView) -> None:
    assert shown("un\ndeux\n\ntrois", page) == "un<br>deux<br><br>trois"
    assert shown("#pas un titre\n####trop", page) == "#pas un titre<br>####trop"


def test_a_nul_character_in_a_message_does_not_break_the_page(page: PageView) -> None:
    """The marks set aside while rendering are numbered between NUL characters: a message's own NULs
    must not be taken for one of them."""
    assert shown("a\x000\x00b \\*c\\*", page) == "a0b *c*"


def test_a_link_without_preview_loses_its_angle_brackets(page: PageView) -> None:
    address = "https://example.org/a?b=1&amp;c=2"

    assert shown("voir <https://example.org/a?b=1&c=2> ici", page) == f"voir {anchor(address)} ici"
