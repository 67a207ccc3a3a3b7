"""The registry names that decide a typed name, found without scoring every name for every typed one.

The score is rapidfuzz's ``fuzz.ratio``: 200 * LCS(a, b) / (len(a) + len(b)); edits are
Levenshtein distances. Three facts keep both searches exact while skipping most pairs:

* a name of length m can score at most 200 * min(n, m) / (n + m) against a typed name of length n,
  so once a bar is known, every name too short or too long to reach it can be skipped unscored;
* a name within L edits is at most L letters longer or shorter, and scores at least
  100 * (1 - 2L / (2n - L)), since Levenshtein <= indel distance <= 2 x Levenshtein;
* a typo adds, drops or changes a letter or two, so names a few letters longer or shorter than
  the typed one hold its best, and scoring them first gives a high bar for the rest.

``NameIndex.close`` gives what a decision needs (the best, and every name within the limit of
edits a rival may have): for a typo that is the names of its length give or take EDIT_SPAN, about
a fifth of a national registry. ``NameIndex.nearest`` gives the ``limit`` best for a name nothing
matches; their bar is low, so most names are scored, but such names are few.

One search, one module: its windows, bars and batches only make sense read together, so it stays
whole though it is a little over the house's ~350 lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

# rapidfuzz compares one-byte text faster than Thai code points. Swapping the Thai block with
# Latin-1 is a one-to-one relabelling of characters, so every score and edit count stays the same.
ONE_BYTE = {**{0x0E00 + i: 0x80 + i for i in range(128)}, **{0x80 + i: 0x0E00 + i for i in range(128)}}
NEAR_SPAN = 3  # the first band: names at most this many letters longer or shorter
# Typed names scored together against one slice of names: a batch x slice matrix, whose size is
# the search's peak memory (256 x a national registry's 32 000 names is 33 MB in nearest()'s
# float32, and close() scores a few thousand names of similar length in float64).
QUERY_BATCH = 256
MIN_ROWS = 64  # rapidfuzz scores fewer typed names at a time several times slower per pair
ROUNDING = 1e-3  # more than float32's error on a score of at most 100
BAR_STEP = 1.0  # typed names whose bars are this close share the slices still to score
EDIT_SPAN = 2  # close(): names this many letters longer or shorter are scored first
SLACK = 1e-9  # close() scores in float64, exactly fuzz.ratio: only the window arithmetic needs slack


def to_one_byte(text: str) -> str:
    """Thai text -> the same text with the Thai block relabelled onto Latin-1 (see ONE_BYTE)."""
    return text.translate(ONE_BYTE)


@dataclass(frozen=True)
class Nearest:
    """One typed name's nearest names: indices into the index's names, and their scores, best first."""

    indices: np.ndarray
    scores: np.ndarray


@dataclass(frozen=True)
class Close:
    """One typed name's best score and the names that matter to a decision on it: every name
    scoring that best, and every name within ``limit`` edits (Levenshtein) of the typed one,
    where ``limit`` is the most edits a rival may have (see NameIndex.close). Names are indices
    into the index's names, with their scores and edits.

    When ``best`` is under the threshold it is only the best of the names that could have reached
    the threshold (so under it too), ``limit`` is -1 and there are no names."""

    best: float
    limit: int
    indices: np.ndarray
    scores: np.ndarray
    edits: np.ndarray


@dataclass
class _Block:
    """Typed names of one length (query rows) scored against a run of names from position start."""

    rows: np.ndarray
    start: int
    scores: np.ndarray
    live: np.ndarray  # False for rows moved to a wider block (cheaper than copying the rest out)


class NameIndex:
    """Names sorted by length, ready to find for many typed names at once what decides each one
    (``close``) or its ``limit`` nearest (``nearest``)."""

    def __init__(self, names: list[str]) -> None:
        encoded = [to_one_byte(name) for name in names]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        # Stable, so names of one length keep their order: ties are broken by index, as before.
        self.order = np.argsort(lengths, kind="stable")
        self.lengths = lengths[self.order]
        self.encoded = [encoded[i] for i in self.order]
        self.pairs_scored = 0

    def in_given_order(self) -> list[str]:
        """The names, relabelled (to_one_byte), in the order they were given."""
        given: list[str] = [""] * len(self.encoded)
        for position, index in enumerate(self.order.tolist()):
            given[index] = self.encoded[position]
        return given

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

    def close(self, queries: list[str], *, threshold: float, margin: float) -> list[Close]:
        """Typed names (already normalised) -> each one's Close.

        When a typed name's best score reaches ``threshold``, its Close holds every name tying that
        best and every name within ``limit`` edits, where e is the fewest edits among the names
        tying the best and ``limit`` = ceil(2e + margin) - 1, the most edits a rival may have.
        Exactly what scoring every name would give: names EDIT_SPAN letters longer or shorter are
        scored first, and wider slices only for typed names whose best or limit reaches past them.
        """
        encoded = [to_one_byte(query) for query in queries]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        found: list[Close | None] = [None] * len(queries)
        for length in np.unique(lengths):
            alike = np.flatnonzero(lengths == length)
            for start in range(0, len(alike), QUERY_BATCH):
                rows = alike[start:start + QUERY_BATCH]
                near = self._close_group([encoded[r] for r in rows], int(length), threshold, margin)
                for row, one in zip(rows, near, strict=True):
                    found[row] = one
        return found

    def _close_group(self, queries: list[str], n: int, threshold: float, margin: float) -> list[Close]:
        """Typed names all ``n`` letters long -> their Close, in order."""
        band = self._slice(n - EDIT_SPAN, n + EDIT_SPAN)
        everyone = np.arange(len(queries))
        blocks = [_Block(everyone, band[0], self._score(queries, band, np.float64), np.ones(len(queries), dtype=bool))]
        best = _row_best(blocks[0].scores)
        # A best under the threshold only needs to know that nothing elsewhere reaches the threshold.
        blocks = self._widen(queries, blocks, self._windows(n, n, np.maximum(best, threshold) - SLACK))
        for block in blocks[1:]:
            best[block.rows] = _row_best(block.scores)
        close: list[Close | None] = [None] * len(queries)
        while blocks:
            block = blocks.pop()
            settled, needed = self._settle(queries, n, block, best, threshold, margin)
            for row, one in settled:
                close[row] = one
            blocks += self._widen(queries, [block], needed)[1:]
        return close

    def _settle(self, queries: list[str], n: int, block: _Block, best: np.ndarray, threshold: float,
                margin: float) -> tuple[list[tuple[int, Close]], tuple[np.ndarray, np.ndarray]]:
        """A block -> the Close of each live row whose limit of edits it covers, and the positions
        every row needs (rows it does not cover are left live for a wider block)."""
        best = best[block.rows]
        reached = block.live & (best >= threshold)
        rows, positions, scores, edits, tie = self._candidates(queries, n, block, best, reached, margin)
        fewest = np.full(len(block.rows), np.iinfo(np.int32).max, dtype=np.int64)
        np.minimum.at(fewest, rows[tie], edits[tie])
        limits = np.where(reached, np.ceil(2 * np.where(reached, fewest, 0) + margin).astype(np.int64) - 1, -1)
        needed = (self._slice_starts(n - np.maximum(limits, 0)), self._slice_stops(n + np.maximum(limits, 0)))
        stop = block.start + block.scores.shape[1]
        settled = block.live & (~reached | ((needed[0] >= block.start) & (needed[1] <= stop)))
        keep = settled[rows] & (tie | (edits <= limits[rows]))
        found = self._closes(block, settled, best, limits, rows[keep], positions[keep], scores[keep], edits[keep])
        block.live &= ~settled
        starts, stops = np.zeros(len(queries), dtype=np.int64), np.zeros(len(queries), dtype=np.int64)
        starts[block.rows], stops[block.rows] = needed
        return found, (starts, stops)

    def _candidates(self, queries: list[str], n: int, block: _Block, best: np.ndarray, reached: np.ndarray,
                    margin: float) -> tuple[np.ndarray, ...]:
        """(rows, positions, scores, edits, tie) of the block's pairs that can tie the best or be a
        rival, for the rows whose best reached the threshold; the edits are computed for these only."""
        ceiling = _edit_ceiling(n, best, margin)
        # A name within L edits has indel distance <= 2L and at least n - L letters, so a score of at
        # least 100 * (1 - 2L / (2n - L)): one pass over the block finds every pair that can matter.
        lowest = 100.0 * (1.0 - 2.0 * ceiling / np.maximum(2.0 * n - ceiling, 1.0)) - SLACK
        rows, columns = np.nonzero(block.scores >= np.where(reached, np.minimum(lowest, best), np.inf)[:, None])
        positions, scores = block.start + columns, block.scores[rows, columns]
        tie = scores == best[rows]
        asked = tie | (np.abs(self.lengths[positions] - n) <= ceiling[rows])
        rows, positions, scores, tie = rows[asked], positions[asked], scores[asked], tie[asked]
        return rows, positions, scores, self._edits(queries, block.rows[rows], positions), tie

    def _closes(self, block: _Block, settled: np.ndarray, best: np.ndarray, limits: np.ndarray, rows: np.ndarray,
                positions: np.ndarray, scores: np.ndarray, edits: np.ndarray) -> list[tuple[int, Close]]:
        """The kept pairs (sorted by row) -> (query row, Close) for each settled row of the block."""
        bounds = np.searchsorted(rows, np.arange(len(block.rows) + 1))
        names = self.order[positions]
        return [(int(block.rows[i]), Close(float(best[i]), int(limits[i]), names[bounds[i]:bounds[i + 1]],
                                           scores[bounds[i]:bounds[i + 1]], edits[bounds[i]:bounds[i + 1]]))
                for i in np.flatnonzero(settled).tolist()]

    def _widen(self, queries: list[str], blocks: list[_Block],
               needed: tuple[np.ndarray, np.ndarray]) -> list[_Block]:
        """Blocks -> the same rows, those whose needed positions reach past their block re-scored
        together over every position any of them needs (few rows: a typo's best is close by)."""
        starts, stops = needed
        wider: list[_Block] = []
        for block in blocks:
            stop = block.start + block.scores.shape[1]
            short = block.live & ((starts[block.rows] < block.start) | (stops[block.rows] > stop))
            if not short.any():
                continue
            block.live &= ~short
            rows = block.rows[short]
            span = (min(int(starts[rows].min()), block.start), max(int(stops[rows].max()), stop))
            wider.append(_Block(rows, span[0], self._score([queries[r] for r in rows], span, np.float64),
                                np.ones(len(rows), bool)))
        return blocks + wider

    def _windows(self, shortest: int, longest: int, bars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per bar, the positions of every name that can score it against some typed name of
        ``shortest``..``longest`` letters (ratio <= 200 * min(n, m) / (n + m)); all for a bar <= 0."""
        bars = np.clip(bars, 0.0, 100.0)
        return (self._slice_starts(np.ceil(bars * shortest / (200.0 - bars))),
                self._slice_stops(np.floor(longest * (200.0 - bars) / np.maximum(bars, SLACK))))

    def _slice_starts(self, shortest: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.lengths, shortest, side="left")

    def _slice_stops(self, longest: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.lengths, longest, side="right")

    def _edits(self, queries: list[str], rows: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Levenshtein distances of (query row, name position) pairs."""
        if not len(rows):
            return np.empty(0, dtype=np.int64)
        return process.cpdist([queries[r] for r in rows], [self.encoded[p] for p in positions],
                              scorer=Levenshtein.distance, dtype=np.int64, workers=-1)

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
        """The positions of every name that can score ``bar`` against some typed name of
        ``shortest``..``longest`` letters."""
        starts, stops = self._windows(shortest, longest, np.array([bar]))
        return int(starts[0]), int(stops[0])

    def _score(self, queries: list[str], positions: tuple[int, int], dtype: type = np.float32) -> np.ndarray:
        """Scores of each query with the names at positions: float32 is rough (nearest() re-scores
        its picks), float64 is exactly fuzz.ratio."""
        start, stop = positions
        if stop <= start:
            return np.empty((len(queries), 0), dtype=dtype)
        self.pairs_scored += len(queries) * (stop - start)
        return process.cdist(queries, self.encoded[start:stop], scorer=fuzz.ratio, dtype=dtype, workers=-1)


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


def _row_best(scores: np.ndarray) -> np.ndarray:
    """Each row's best score; -inf where there are no names to score."""
    if scores.shape[1] == 0:
        return np.full(len(scores), -np.inf)
    return scores.max(axis=1)


def _edit_ceiling(n: int, best: np.ndarray, margin: float) -> np.ndarray:
    """The most edits a rival may have, from the best score alone (before the edits are known).

    The names tying the best have indel distance (n + m) * (100 - best) / 100 with m at most
    n * (200 - best) / best, and Levenshtein is at most the indel distance.
    """
    fewest = np.floor(2.0 * n * (100.0 - best) / np.maximum(best, SLACK) + SLACK)
    fewest = np.where(np.isfinite(fewest), fewest, 0).astype(np.int64)
    return np.ceil(2 * fewest + margin).astype(np.int64) - 1


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
