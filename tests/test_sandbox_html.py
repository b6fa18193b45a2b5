"""The sandbox's copy of Telegram's HTML parse mode: texts, entities and error messages."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import HtmlParseError, parse_html


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<tg-emoji emoji-id="x">y</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("привет <br>", 'Unsupported start tag "br" at byte offset 13'),  # bytes, not chars
        ("&#xD800;", "Text contains invalid Unicode characters after decoding HTML entities"),
    ],
)
def test_refuses_what_telegram_refuses(markup: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as refused:
        parse_html(markup)
    assert str(refused.value).startswith(error)


def describe(entities: list[dict[str, Any]]) -> list[str]:
    extras = ("url", "language", "custom_emoji_id")
    return [
        " ".join(
            [f"{e['type']} {e['offset']}+{e['length']}", *(str(e[k]) for k in extras if k in e)]
        )
        for e in entities
    ]


@pytest.mark.parametrize(
    ("markup", "text", "entities"),
    [
        ("<b>a<i>b</i></b>", "ab", ["bold 0+2", "italic 1+1"]),
        (
            "<strong>s</strong><em>e</em><ins>u</ins><del>d</del>",
            "seud",
            [
                "bold 0+1",
                "italic 1+1",
                "underline 2+1",
                "strikethrough 3+1",
            ],
        ),
        ("<b>😀</b>!", "😀!", ["bold 0+2"]),  # UTF-16 code units
        ("&lt;&gt;&amp;&quot;", '<>&"', []),
        ("&lt&gt", "<>", []),
        ("&#65;&#x42;&#67", "ABC", []),
        ("<b></b>x", "x", []),
        ("<i>a</>", "a", ["italic 0+1"]),
        ('<a href="https://example.com">site</a>', "site", ["text_link 0+4 https://example.com"]),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [
                "spoiler 0+1",
                "spoiler 1+1",
            ],
        ),
        (
            "<blockquote>q</blockquote><blockquote expandable>e</blockquote>",
            "qe",
            [
                "blockquote 0+1",
                "expandable_blockquote 1+1",
            ],
        ),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", ["pre 0+5 python"]),
        ('<code class="language-go">y</code>', "y", ["code 0+1"]),
        (
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "👍",
            [
                "custom_emoji 0+2 5368324170671202286",
            ],
        ),
        ("<B>upper</B>", "upper", ["bold 0+5"]),
    ],
)
def test_parses_text_and_entities(markup: str, text: str, entities: list[str]) -> None:
    parsed = parse_html(markup)
    assert parsed.text == text
    assert describe(parsed.entities) == entities


@pytest.mark.parametrize("markup", ["Tom & Jerry", "&nbsp; and &copy", "a && b"])
def test_a_bare_ampersand_is_refused_only_when_strict(markup: str) -> None:
    assert parse_html(markup, strict_ampersand=False).text == markup
    with pytest.raises(HtmlParseError, match='Unescaped "&"'):
        parse_html(markup)


def test_a_lone_greater_than_is_fine() -> None:
    assert parse_html("a > b").text == "a > b"
