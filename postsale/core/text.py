"""Text keys for matching what people type against what was stored."""

import unicodedata

# Letters that carry no combining mark to strip but that people type without the stroke.
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
                          "ı": "i", "þ": "th", "ð": "d", "ħ": "h"})


def fold(text: str) -> str:
    """Case- and accent-insensitive key: "Łukasz Müller-Żak" → "lukasz muller-zak".
    Scripts without Latin letters (Hebrew, Cyrillic) keep their letters; only marks go."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", text).split())


def trigrams(text: str) -> set[str]:
    """The trigrams of PostgreSQL's pg_trgm: each word padded with two spaces in front and
    one behind; anything that is not a letter or digit separates words."""
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    grams: set[str] = set()
    for word in words:
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of both."""
    ga, gb = trigrams(a), trigrams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)
