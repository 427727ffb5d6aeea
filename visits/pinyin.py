"""Pinyin initials of Chinese names without a dependency, for the household picker ("zs" → 张三).

The 3,755 first-level characters of GB2312 are ordered by pinyin, so the first letter of a
character's reading is found by where its GB2312 code falls among 23 boundaries. Characters
outside that level (rare ones) and non-Chinese characters are kept as they are; polyphonic
characters get the reading GB2312 filed them under (单 is D, not S). Good enough to find a
household head on a phone; the full name and the code always work too."""

from __future__ import annotations

from bisect import bisect_right

# GB2312 codes (high byte × 256 + low byte) where each initial starts; I, U and V start none.
_BOUNDARIES = (
    (0xB0A1, "A"),
    (0xB0C5, "B"),
    (0xB2C1, "C"),
    (0xB4EE, "D"),
    (0xB6EA, "E"),
    (0xB7A2, "F"),
    (0xB8C1, "G"),
    (0xB9FE, "H"),
    (0xBBF7, "J"),
    (0xBFA6, "K"),
    (0xC0AC, "L"),
    (0xC2E8, "M"),
    (0xC4C3, "N"),
    (0xC5B6, "O"),
    (0xC5BE, "P"),
    (0xC6DA, "Q"),
    (0xC8BB, "R"),
    (0xC8F6, "S"),
    (0xCBFA, "T"),
    (0xCDDA, "W"),
    (0xCEF4, "X"),
    (0xD1B9, "Y"),
    (0xD4D1, "Z"),
)
_CODES = [code for code, _letter in _BOUNDARIES]
_LAST_LEVEL_ONE = 0xD7F9


def initial(char: str) -> str:
    """The upper-case pinyin initial of one character, or the character itself."""
    if char.isascii():
        return char.upper()
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return char
    if len(encoded) != 2:
        return char
    code = encoded[0] * 256 + encoded[1]
    if not _CODES[0] <= code <= _LAST_LEVEL_ONE:
        return char
    return _BOUNDARIES[bisect_right(_CODES, code) - 1][1]


def initials(text: str) -> str:
    """ "张三" → "ZS"; spaces are dropped."""
    return "".join(initial(ch) for ch in text if not ch.isspace())


def matches(query: str, name: str, code: str = "") -> bool:
    """A name matches by part of it, by its pinyin initials (from the start) or by its code."""
    query = query.strip()
    if not query:
        return True
    if query in name or query.lower() in code.lower():
        return True
    return query.isascii() and initials(name).startswith(query.upper())
