"""The label set and text for tools/train: normalize_text is earshot's one text rule (src/core/text.ts normalizeText,
used by eval, lm build and the corpus labels) in Python, and test/tools/train/text.test.ts checks the two give the
same output on test/fixtures/text/normalize.json. Standard library only, so that check needs no torch."""
from __future__ import annotations

import unicodedata
from typing import Dict, List, Optional, Sequence

#: Output units: blank (id 0), space, apostrophe, a-z. Index = output id.
LABELS: List[str] = ['<blank>', ' ', "'"] + [chr(c) for c in range(ord('a'), ord('z') + 1)]
BLANK_ID = 0
CHAR_TO_ID: Dict[str, int] = {c: i for i, c in enumerate(LABELS) if i != BLANK_ID}

_APOSTROPHES = str.maketrans({'\u2018': "'", '\u2019': "'", '\u02bc': "'"})


def _is_word_char(ch: str) -> bool:
    """A letter, a digit (any Unicode number) or an apostrophe: JavaScript's [\\p{L}\\p{N}']."""
    return ch == "'" or unicodedata.category(ch)[0] in 'LN'


def _strip_marks(ch: str) -> str:
    """The character without its combining marks (NFD, then every \\p{M} removed)."""
    return ''.join(c for c in unicodedata.normalize('NFD', ch) if unicodedata.category(c)[0] != 'M')


def normalize_text(text: str, labels: Optional[Sequence[str]] = LABELS) -> str:
    """Unicode NFKC, lower case, curly apostrophes (U+2018, U+2019, U+02BC) as apostrophes; every run of characters
    that are not letters, digits or apostrophes becomes one space; apostrophes at the ends of words go, and inside
    words too when `labels` has none; with `labels`, a letter they cannot spell loses its accents when that makes it
    spellable; single spaces, trimmed. labels=None keeps apostrophes and accents. Digits stay digits (the corpus tool
    spells numbers out), so such a text does not encode.

    >>> normalize_text('Don’t STOP -- Café!')
    "don't stop cafe"
    """
    known = None if labels is None else {label.lower() for label in labels}
    keep_apostrophe = known is None or "'" in known
    t = unicodedata.normalize('NFKC', text).lower().translate(_APOSTROPHES)
    out: List[str] = []
    for ch in t:
        if _is_word_char(ch):
            out.append(ch)
        elif not out or out[-1] != ' ':
            out.append(' ')
    words = [w.strip("'") for w in ''.join(out).split(' ')]
    if not keep_apostrophe:
        words = [w.replace("'", '') for w in words]
    if known is not None:
        def spell(ch: str) -> str:
            if ch in known:
                return ch
            bare = _strip_marks(ch)
            return bare if bare != ch and all(c in known for c in bare) else ch
        words = [''.join(spell(ch) for ch in w) for w in words]
    return ' '.join(w for w in words if w)


def encode_text(text: str) -> Optional[List[int]]:
    """Label ids of a normalized text, or None when it holds a character outside the label set."""
    ids = []
    for ch in text:
        i = CHAR_TO_ID.get(ch)
        if i is None:
            return None
        ids.append(i)
    return ids


if __name__ == '__main__':
    # One JSON request on stdin: {"texts": [...], "labels": [...] | null}; the normalized texts as a JSON list on stdout.
    import json
    import sys
    request = json.load(sys.stdin)
    json.dump([normalize_text(t, request['labels']) for t in request['texts']], sys.stdout, ensure_ascii=False)
