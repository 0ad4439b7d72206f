"""Bitset encoding of tag sets (languages, interests).

A pupil-by-buddy "do they share a language" test over a whole component is then one broadcast AND plus
``np.bitwise_count`` instead of Python set intersections per pair: for the dense regional case
(2,000 x 6,000 pairs) that is milliseconds instead of seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

WORD_BITS = 64


def encode_tags(
    tags: Sequence[Iterable[str]],
    vocabulary: Sequence[str] | None = None,
    *,
    words: int | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Encode one tag set per row as a ``uint64`` bitset of shape ``(len(tags), words)``.

    Bit ``k`` stands for ``vocab[k]``. Without a ``vocabulary`` the vocabulary is the sorted set of all
    tags. With one, its order is kept and unseen tags are appended (first seen first), so encoding pupils
    and then buddies with the returned vocabulary gives compatible bitsets; pass the same ``words`` to
    both calls (or build the vocabulary first) so both arrays get the same width.
    """
    rows = [list(dict.fromkeys(t)) for t in tags]  # de-duplicate, keep order
    if vocabulary is None:
        vocab = sorted({tag for row in rows for tag in row})
    else:
        vocab = list(vocabulary)
        known = set(vocab)
        for row in rows:
            for tag in row:
                if tag not in known:
                    known.add(tag)
                    vocab.append(tag)
    index = {tag: i for i, tag in enumerate(vocab)}
    needed = max(1, -(-len(vocab) // WORD_BITS))
    if words is None:
        words = needed
    elif words < needed:
        raise ValueError(f"{len(vocab)} tags need {needed} words, got words={words}")
    out = np.zeros((len(rows), words), dtype=np.uint64)
    row_idx = np.fromiter((r for r, row in enumerate(rows) for _ in row), dtype=np.int64)
    bit_idx = np.fromiter((index[tag] for row in rows for tag in row), dtype=np.int64)
    if bit_idx.size:
        masks = np.left_shift(np.uint64(1), (bit_idx % WORD_BITS).astype(np.uint64))
        # Tags within a row are unique, so adding distinct powers of two is the same as OR-ing them.
        np.add.at(out, (row_idx, bit_idx // WORD_BITS), masks)
    return out, vocab


def bit_indices(bitsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(row, bit)`` index arrays of all set bits, sorted by row then bit."""
    bitsets = np.ascontiguousarray(bitsets, dtype=np.uint64)
    n, w = bitsets.shape
    # Little-endian byte view + little bit order: bit k of word j lands at column 64*j + k.
    as_bytes = bitsets.astype("<u8", copy=False).view(np.uint8).reshape(n, w * 8)
    flags = np.unpackbits(as_bytes, axis=1, bitorder="little")
    rows, bits = np.nonzero(flags)
    return rows, bits


def decode_patterns(
    bitsets: np.ndarray, names: Sequence[str]
) -> tuple[list[tuple[str | int, ...]], np.ndarray]:
    """Distinct bit patterns as tag-name tuples, plus the pattern index of every row.

    Many rows share a pattern (e.g. "speaks Arabic"), so only distinct patterns are decoded: with
    100,000 pairs this is one pass over a few hundred patterns. Bits beyond ``names`` are reported as
    their index.
    """
    n, w = bitsets.shape
    if n == 0:
        return [], np.zeros(0, dtype=np.int64)
    if w == 1:  # 1-D unique is much faster than unique(axis=0)
        uniq, inverse = np.unique(bitsets[:, 0], return_inverse=True)
        uniq = uniq[:, None]
    else:
        uniq, inverse = np.unique(bitsets, axis=0, return_inverse=True)
    rows, bits = bit_indices(uniq)
    decoded: list[list[str | int]] = [[] for _ in range(uniq.shape[0])]
    n_names = len(names)
    for r, b in zip(rows.tolist(), bits.tolist(), strict=True):
        decoded[r].append(names[b] if b < n_names else b)
    return [tuple(d) for d in decoded], inverse.reshape(-1)


def names_per_row(bitsets: np.ndarray, names: Sequence[str]) -> list[list[str | int]]:
    """Each row's bitset decoded into tag names (a fresh list per row)."""
    patterns, inverse = decode_patterns(bitsets, names)
    return [list(patterns[i]) for i in inverse.tolist()]
