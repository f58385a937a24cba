"""Near-duplicate detection: the same story told by several feeds, found by MinHash and LSH bands.

Each article gets a set of content words (title and the start of the summary). Two articles whose
sets overlap enough share at least one "band" key with high probability; the database finds
candidates through those keys, and the exact Jaccard similarity of the word sets decides.
"""

from __future__ import annotations

import hashlib
import struct

BANDS = 8
ROWS = 4  # 8 bands of 4 rows: pairs above ~0.6 similarity collide in at least one band
SIMILAR = 0.5
SUMMARY_WORDS = 40
_PRIME = (1 << 61) - 1
_SEEDS = [
    struct.unpack("<QQ", hashlib.blake2b(f"veille-{i}".encode(), digest_size=16).digest())
    for i in range(BANDS * ROWS)
]
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
    hashes = [int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little") for w in words]
    signature = [min((a * h + b) % _PRIME for h in hashes) for a, b in _SEEDS]
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f"<B{ROWS}Q", band, *rows), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True) >> 1)
    return keys
