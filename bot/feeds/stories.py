"""Near-duplicate detection: the same story told by several feeds, found by MinHash and LSH bands.

Each article gets a set of content words (title and the start of the summary) and a MinHash
signature of it (one-permutation hashing: each word's hash lands in one of 32 buckets, each bucket
keeps its minimum). Two articles whose sets overlap enough share at least one "band" key with high
probability; the database finds candidates through those keys, and the exact Jaccard similarity
of the word sets decides.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

BANDS = 8
ROWS = 4  # 8 bands of 4 rows: pairs above ~0.6 similarity collide in at least one band
SIMILAR = 0.5
SUMMARY_WORDS = 40
_BUCKETS = BANDS * ROWS
_EMPTY = 0xFFFFFFFF
_SHORT_WORDS = 3
# Words too common in this domain to say which story an article tells.
_COMMON = frozenset(
    (
        "les des une pour dans sur est sont avec par plus que qui pas aux ces son ses leur nous "
        "vous the and for with that this from are was were has have will its their our your you "
        "how what new nouveau nouvelle"
    ).split()
)


def content_words(title_words: list[str], summary_words: list[str]) -> frozenset[str]:
    """The words that tell a story apart, from the `tokens` of its title and summary."""
    words = title_words + summary_words[:SUMMARY_WORDS]
    return frozenset(word for word in words if len(word) >= _SHORT_WORDS and word not in _COMMON)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def band_keys(words: frozenset[str]) -> list[int]:
    """One signed 63-bit key per band (fits a BigInteger column); empty when there are too few words."""
    if len(words) < ROWS:
        return []
    signature = [_EMPTY] * _BUCKETS
    for word in words:
        value = zlib.crc32(word.encode())
        bucket = value % _BUCKETS
        if value < signature[bucket]:
            signature[bucket] = value
    signature = _densified(signature)
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f"<B{ROWS}Q", band, *rows), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True) >> 1)
    return keys


def _densified(signature: list[int]) -> list[int]:
    """Fill each empty bucket from the next filled one (rotation densification), so that small
    word sets do not all share the "empty" bands."""
    filled = []
    for index in range(_BUCKETS):
        distance = 0
        while signature[(index + distance) % _BUCKETS] == _EMPTY:
            distance += 1
        filled.append(signature[(index + distance) % _BUCKETS] + distance * 0x9E3779B1)
    return filled
