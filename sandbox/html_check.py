"""Telegram's HTML parse mode: plain text and entities, or Telegram's own error message.

This follows the parser of TDLib (which the Bot API server runs), byte for byte where it
matters: error texts, UTF-8 byte offsets in them, which tags and entities it knows, and
UTF-16 offsets in the entities it returns. One deliberate difference, on by default
(`strict_ampersand`): Telegram shows a bare "&" that starts no entity as typed, and so
hides unescaped user text; the sandbox refuses it, so such a bug fails a test instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SIMPLE_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

_NAMED_REFERENCES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_SPACES = frozenset(b" \t\r\n\v\f\0")  # TDLib counts the terminating NUL as a space
_END = 0  # what reading past the end gives, as in TDLib's NUL-terminated strings


class HtmlParseError(ValueError):
    """The text after "Bad Request: can't parse entities: " in Telegram's answer."""


@dataclass(frozen=True)
class ParsedText:
    text: str
    entities: list[dict[str, Any]]


def parse_html(markup: str, *, strict_ampersand: bool = True) -> ParsedText:
    return _HtmlParser(markup, strict_ampersand).parse()


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str
    begin: int  # byte offset of "<" in the markup, for error messages
    utf16_start: int
    text_start: int  # where its content starts in the output bytes


@dataclass
class _HtmlParser:
    markup: str
    strict_ampersand: bool
    source: bytes = b""
    pos: int = 0
    out: bytearray = field(default_factory=bytearray)
    utf16_offset: int = 0
    open_tags: list[_OpenTag] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def parse(self) -> ParsedText:
        self.source = self.markup.encode("utf-8")
        while self.pos < len(self.source):
            byte = self.source[self.pos]
            if byte == ord("&"):
                self._character_reference()
            elif byte != ord("<"):
                self._copy_text()
            elif self._at(self.pos + 1) == ord("/"):
                self._end_tag()
            else:
                self._start_tag()
        if self.open_tags:
            name = self.open_tags[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        for entity in self.entities:
            if entity["type"] == "code":  # a language counts only on code inside pre
                entity.pop("language", None)
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return ParsedText(self.out.decode("utf-8"), ordered)

    # -- text ------------------------------------------------------------------------

    def _at(self, index: int) -> int:
        return self.source[index] if index < len(self.source) else _END

    def _copy_text(self) -> None:
        """Plain text up to the next "&" or "<" (ASCII, so never inside a character)."""
        end = len(self.source)
        for stop in (b"&", b"<"):
            found = self.source.find(stop, self.pos, end)
            if found != -1:
                end = found
        run = self.source[self.pos : end]
        self.out += run
        # UTF-16 code units: one a character, two beyond the Basic Multilingual Plane.
        self.utf16_offset += (
            len(run) if run.isascii() else len(run.decode("utf-8").encode("utf-16-le")) // 2
        )
        self.pos = end

    def _copy_byte(self, byte: int) -> None:
        if byte & 0xC0 != 0x80:  # the first byte of a UTF-8 sequence starts a character
            self.utf16_offset += 2 if byte >= 0xF0 else 1
        self.out.append(byte)
        self.pos += 1

    def _character_reference(self) -> None:
        decoded = self._decode_reference(self.pos)
        if decoded is None:
            if self.strict_ampersand:
                raise HtmlParseError(
                    f'Unescaped "&" at byte offset {self.pos} (the sandbox\'s strict_html: '
                    "Telegram would show it as typed; escape it as &amp;)"
                )
            self._copy_byte(ord("&"))
            return
        code_point, self.pos = decoded
        self.utf16_offset += 2 if code_point > 0xFFFF else 1
        self.out += chr(code_point).encode("utf-8")

    def _decode_reference(self, start: int) -> tuple[int, int] | None:
        """TDLib's decode_html_entity: &lt; &gt; &amp; &quot; and numeric references,
        with or without the ";". Returns (code point, position after it)."""
        end = start + 1
        if self._at(end) == ord("#"):
            end += 1
            base = 10
            if self._at(end) == ord("x"):
                base = 16
                end += 1
            digits_start = end
            while _is_digit(self._at(end), base):
                end += 1
            digits = self.source[digits_start:end]
            code_point = int(digits, base) if digits else 0
            if code_point == 0 or code_point >= 0x10FFFF or end - start >= 10:
                return None
            if 0xD800 <= code_point <= 0xDFFF:
                raise HtmlParseError(
                    "Text contains invalid Unicode characters after decoding HTML entities, "
                    "check for unmatched surrogate code units"
                )
        else:
            while _is_alpha(self._at(end)):
                end += 1
            named = _NAMED_REFERENCES.get(bytes(self.source[start + 1 : end]))
            if named is None:
                return None
            code_point = named
        if self._at(end) == ord(";"):
            end += 1
        return code_point, end

    # -- tags ------------------------------------------------------------------------

    def _start_tag(self) -> None:
        begin = self.pos
        i = begin + 1
        while self._at(i) not in _SPACES and self._at(i) != ord(">"):
            i += 1
        if self._at(i) == _END:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        name = self._lower(begin + 1, i)
        if name not in SUPPORTED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        argument, i = self._attributes(name, begin, i)
        if name == "span" and argument != "spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.pos = i + 1  # past the ">"
        self.open_tags.append(_OpenTag(name, argument, begin, self.utf16_offset, len(self.out)))

    def _attributes(self, tag: str, begin: int, i: int) -> tuple[str, int]:
        """Reads attributes up to the tag's ">"; returns the one that matters and its index."""
        argument = ""
        while self._at(i) != ord(">"):
            i = self._skip_spaces(i)
            if self._at(i) == ord(">"):
                break
            name_start = i
            while self._at(i) not in _SPACES and self._at(i) not in b"=>/\"'":
                i += 1
            attribute = self._lower(name_start, i)
            if not attribute:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                )
            i = self._skip_spaces(i)
            if self._at(i) != ord("="):
                if self._at(i) == _END:
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if tag == "blockquote" and attribute == "expandable":
                    argument = "1"
                continue
            i = self._skip_spaces(i + 1)
            if self._at(i) == _END:
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self._attribute_value(i)
            if self._at(i) == _END:
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            argument = _tag_argument(tag, attribute, value, argument)
        return argument, i

    def _attribute_value(self, i: int) -> tuple[str, int]:
        quote = self._at(i)
        if quote not in (ord("'"), ord('"')):
            start = i
            while _is_alpha(self._at(i)) or _is_digit(self._at(i), 10) or self._at(i) in b".-":
                i += 1
            if self._at(i) not in _SPACES and self._at(i) != ord(">"):
                raise HtmlParseError(f"Unexpected end of name token at byte offset {start}")
            return self._lower(start, i), i
        i += 1
        value = bytearray()
        while self._at(i) != quote and self._at(i) != _END:
            decoded = self._decode_reference(i) if self._at(i) == ord("&") else None
            if decoded is not None:
                value += chr(decoded[0]).encode("utf-8")
                i = decoded[1]
            else:
                value.append(self._at(i))
                i += 1
        if self._at(i) == quote:
            i += 1
        return value.decode("utf-8", errors="replace"), i

    def _end_tag(self) -> None:
        begin = self.pos
        if not self.open_tags:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while self._at(i) not in _SPACES and self._at(i) != ord(">"):
            i += 1
        name = self._lower(begin + 2, i)
        i = self._skip_spaces(i)
        if self._at(i) != ord(">"):
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        tag = self.open_tags.pop()
        if name and name != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {begin}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self.pos = i + 1
        if self.utf16_offset > tag.utf16_start:
            self._add_entity(tag)

    def _add_entity(self, tag: _OpenTag) -> None:
        offset, length = tag.utf16_start, self.utf16_offset - tag.utf16_start
        entity: dict[str, Any] = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if tag.name in _SIMPLE_ENTITY_TYPES:
            entity["type"] = _SIMPLE_ENTITY_TYPES[tag.name]
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
        elif tag.name == "a":
            url = tag.argument or self.out[tag.text_start :].decode("utf-8", errors="replace")
            if not url:
                return
            entity.update(type="text_link", url=url)
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or not 0 < int(tag.argument) < 2**63:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        elif tag.name == "pre":
            if same_span and last is not None and last["type"] == "code" and "language" in last:
                last["type"] = "pre"  # <pre><code class="language-x"> is one pre entity
                return
            entity["type"] = "pre"
        else:  # code
            if same_span and last is not None and last["type"] == "pre" and tag.argument:
                last["language"] = tag.argument  # <code class="language-x"><pre>
                return
            entity["type"] = "code"
            if tag.argument:
                entity["language"] = tag.argument
        self.entities.append(entity)

    def _skip_spaces(self, i: int) -> int:
        while self._at(i) != _END and self._at(i) in _SPACES:
            i += 1
        return i

    def _lower(self, start: int, end: int) -> str:
        return self.source[start:end].decode("utf-8", errors="replace").lower()


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if (tag, attribute) in (("a", "href"), ("tg-emoji", "emoji-id")):
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "blockquote" and attribute == "expandable":
        return "1"
    return current


def _is_alpha(byte: int) -> bool:
    return ord("a") <= byte <= ord("z") or ord("A") <= byte <= ord("Z")


def _is_digit(byte: int, base: int) -> bool:
    if ord("0") <= byte <= ord("9"):
        return True
    return base == 16 and (ord("a") <= byte <= ord("f") or ord("A") <= byte <= ord("F"))
