"""The registry names nearest to a typed name, found without scoring every name for every typed one.

The score is rapidfuzz's ``fuzz.ratio``: 200 * LCS(a, b) / (len(a) + len(b)). Two facts keep the
search exact while skipping most pairs:

* a name of length m can score at most 200 * min(n, m) / (n + m) against a typed name of length n,
  so once the ``limit`` best scores seen so far are known, every name too short or too long to
  reach the lowest of them can be skipped without being scored;
* names a few letters longer or shorter than the typed one hold its nearest names (a typo adds or
  drops a letter or two), so scoring that band first gives a high bar for the rest.

A national registry is full of names that differ only in a district's name, so the best dozen
for a typo score ~89; the bar still rules out more than half the pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

# rapidfuzz compares one-byte text faster than Thai code points. Swapping the Thai block with
# Latin-1 is a one-to-one relabelling of characters, so every score and edit count stays the same.
ONE_BYTE = {**{0x0E00 + i: 0x80 + i for i in range(128)}, **{0x80 + i: 0x0E00 + i for i in range(128)}}
NEAR_SPAN = 3  # the first band: names at most this many letters longer or shorter
QUERY_BATCH = 1024  # typed names scored together against one slice of names (a batch x slice matrix)
MIN_ROWS = 64  # rapidfuzz scores fewer typed names at a time several times slower per pair
ROUNDING = 1e-3  # more than float32's error on a score of at most 100
BAR_STEP = 1.0  # typed names whose bars are this close share the slices still to score


def to_one_byte(text: str) -> str:
    """Thai text -> the same text with the Thai block relabelled onto Latin-1 (see ONE_BYTE)."""
    return text.translate(ONE_BYTE)


@dataclass(frozen=True)
class Nearest:
    """One typed name's nearest names: indices into the index's names, and their scores, best first."""

    indices: np.ndarray
    scores: np.ndarray


class NameIndex:
    """Names sorted by length, ready to find the ``limit`` nearest to many typed names at once."""

    def __init__(self, names: list[str]) -> None:
        encoded = [to_one_byte(name) for name in names]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        # Stable, so names of one length keep their order: ties are broken by index, as before.
        self.order = np.argsort(lengths, kind="stable")
        self.lengths = lengths[self.order]
        self.encoded = [encoded[i] for i in self.order]
        self.pairs_scored = 0

    def nearest(self, queries: list[str], limit: int) -> list[Nearest]:
        """Typed names (already normalised) -> each one's ``limit`` best names, ties by index.

        Exactly what scoring every name and sorting by (-score, index) would give.
        """
        encoded = [to_one_byte(query) for query in queries]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        found: list[Nearest | None] = [None] * len(queries)
        for batch in _batches(lengths):
            near = self._nearest_batch([encoded[p] for p in batch], lengths[batch], limit)
            for position, one in zip(batch, near, strict=True):
                found[position] = one
        return found

    def _nearest_batch(self, queries: list[str], lengths: np.ndarray, limit: int) -> list[Nearest]:
        """Typed names of similar length -> their nearest: the near band first, then whatever can beat it."""
        shortest, longest = int(lengths.min()), int(lengths.max())
        band = self._band(shortest, longest, limit)
        scores = self._score(queries, band)
        bars = _kth_best(scores, limit)
        hits = [_reaching(scores, bars, band[0])]
        # Rows with a similar bar share the slices still to score; rapidfuzz is slow on a few rows
        # at a time, so a small group joins the next lower bar (a lower bar only widens the window).
        groups: dict[float, list[int]] = {}
        for row, bar in enumerate(bars):
            groups.setdefault(BAR_STEP * (bar // BAR_STEP) if bar > 0 else 0.0, []).append(row)
        for rows in _merge_small(groups):
            # float32 rounding never swaps two scores but may raise one by ~1e-5: lowered by more
            # than that, the window can only let more names through, never fewer.
            low, high = self._window(shortest, longest, min(bars[rows]) - ROUNDING)
            picked = [queries[r] for r in rows]
            for start, stop in ((low, band[0]), (band[1], high)):
                if stop > start:
                    found, positions = _reaching(self._score(picked, (start, stop)), bars[rows], start)
                    hits.append((np.asarray(rows)[found], positions))
        rows = np.concatenate([found for found, _ in hits])
        positions = np.concatenate([positions for _, positions in hits])
        return self._exact_best(queries, rows, positions, limit)

    def _band(self, shortest: int, longest: int, limit: int) -> tuple[int, int]:
        """The near band: names within NEAR_SPAN letters, widened until it holds ``limit`` names."""
        span = NEAR_SPAN
        band = self._slice(shortest - span, longest + span)
        while band[1] - band[0] < limit and band != (0, len(self.lengths)):
            span = 2 * span + 1
            band = self._slice(shortest - span, longest + span)
        return band

    def _exact_best(self, queries: list[str], rows: np.ndarray, positions: np.ndarray, limit: int) -> list[Nearest]:
        """Each row's candidate names -> its ``limit`` best by fuzz.ratio (descending), then index."""
        exact = process.cpdist([queries[r] for r in rows], [self.encoded[p] for p in positions], scorer=fuzz.ratio,
                               dtype=np.float64)
        names = self.order[positions]
        order = np.lexsort((names, -exact, rows))
        rows, exact, names = rows[order], exact[order], names[order]
        starts = np.searchsorted(rows, np.arange(len(queries)))
        stops = np.minimum(np.searchsorted(rows, np.arange(len(queries)), side="right"), starts + limit)
        return [Nearest(names[a:b], exact[a:b]) for a, b in zip(starts, stops, strict=True)]

    def _slice(self, shortest: int, longest: int) -> tuple[int, int]:
        """Lengths shortest..longest -> the (start, stop) positions of the names that long."""
        return (int(np.searchsorted(self.lengths, shortest, side="left")),
                int(np.searchsorted(self.lengths, longest, side="right")))

    def _window(self, shortest: int, longest: int, bar: float) -> tuple[int, int]:
        """The positions of every name long enough and short enough to score ``bar`` against some
        typed name of ``shortest``..``longest`` letters (ratio <= 200 * min(n, m) / (n + m))."""
        if bar <= 0:
            return 0, len(self.lengths)
        bar = min(bar, 100.0)
        return self._slice(int(np.ceil(bar * shortest / (200.0 - bar))),
                           int(np.floor(longest * (200.0 - bar) / bar)))

    def _score(self, queries: list[str], positions: tuple[int, int]) -> np.ndarray:
        """Rough scores (float32) of each query with the names at positions."""
        start, stop = positions
        if stop <= start:
            return np.empty((len(queries), 0), dtype=np.float32)
        self.pairs_scored += len(queries) * (stop - start)
        return process.cdist(queries, self.encoded[start:stop], scorer=fuzz.ratio, dtype=np.float32, workers=-1)


def _batches(lengths: np.ndarray) -> list[np.ndarray]:
    """Query positions -> batches of QUERY_BATCH, shortest first, so a batch's lengths are close."""
    order = np.argsort(lengths, kind="stable")
    return [order[start:start + QUERY_BATCH] for start in range(0, len(order), QUERY_BATCH)]


def _merge_small(groups: dict[float, list[int]]) -> list[list[int]]:
    """{bar: rows} -> lists of the same rows, highest bar first: a group of fewer than MIN_ROWS is
    merged into the next lower bar's, and leftovers at the lowest bars into the last group (its
    window is then set by their lower bar)."""
    merged: list[list[int]] = []
    carried: list[int] = []
    for bar in sorted(groups, reverse=True):
        carried += groups[bar]
        if len(carried) >= MIN_ROWS:
            merged.append(carried)
            carried = []
    if carried and merged:
        merged[-1] += carried
    elif carried:
        merged.append(carried)
    return merged


def _kth_best(scores: np.ndarray, limit: int) -> np.ndarray:
    """Each row's ``limit``-th best rough score; -inf where the row has fewer names."""
    if scores.shape[1] < limit:
        return np.full(len(scores), -np.inf)
    return np.partition(scores, scores.shape[1] - limit, axis=1)[:, scores.shape[1] - limit]


def _reaching(scores: np.ndarray, bars: np.ndarray, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Rough scores of rows x names from position ``offset`` -> (rows, positions) reaching each row's bar.

    Rounding to float32 never swaps two scores, so every name among a row's best reaches the bar.
    """
    rows, columns = np.nonzero(scores >= bars[:, None])
    return rows, columns + offset
