"""Typed agency names -> registry agencies: exact, then alias, then fuzzy above a threshold.

A fuzzy pick must also be clearly closer in edits than any other agency (docs/decisions.md,
"Matching names"); kkdash/similarity.py finds the names that decide without scoring every pair.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from kkdash.names import normalize_again, normalize_name, normalize_names
from kkdash.registry import RegistryError
from kkdash.similarity import Close, NameIndex, Nearest, to_one_byte

DEFAULT_THRESHOLD = 90.0
# Scores alone cannot tell "พล" from "พระยืน" once the shared stem is long, so a fuzzy pick
# must also be clearly closer in edits: the runner-up needs more than twice the edits, plus
# this many. A name typed without its district (ที่ว่าการอำเภอ) is then refused, not guessed.
DEFAULT_MARGIN = 1.0
CANDIDATE_LIMIT = 3
HIT_LIMIT = 12  # the nearest names and aliases an unknown name's candidates are drawn from


@dataclass(frozen=True)
class Match:
    """The outcome of matching one typed name: an agency, or the best candidates and why not."""

    agency_id: str | None
    method: str  # exact, alias, fuzzy, blank, unmatched, ambiguous
    score: float = 0.0
    candidates: tuple[tuple[str, float], ...] = field(default=())


@dataclass(frozen=True)
class _Ranked:
    """Agencies ranked for many keys at once: key i's are at bounds[i]:bounds[i + 1], best first."""

    agencies: np.ndarray  # agency numbers (see Matcher._agency_ids)
    scores: np.ndarray
    edits: np.ndarray
    bounds: np.ndarray


def _rivals(ranked: _Ranked, limits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranked agencies and each key's limit of edits -> (positions to show: each key's first
    agency and up to CANDIDATE_LIMIT - 1 rivals within its limit, and each key's count of rivals)."""
    counts = np.diff(ranked.bounds)
    key = np.repeat(np.arange(len(limits)), counts)
    first = np.zeros(len(key), dtype=bool)
    first[ranked.bounds[:-1][counts > 0]] = True
    rival = ~first & (ranked.edits <= limits[key])
    seen = np.cumsum(rival)  # rivals so far, counted from each key's own start below
    seen -= np.r_[0, seen][ranked.bounds[:-1]][key]
    return np.flatnonzero(first | (rival & (seen < CANDIDATE_LIMIT))), np.bincount(key[rival], minlength=len(limits))


class Matcher:
    """Typed names -> registry agencies: exact, then alias, then fuzzy above a threshold."""

    def __init__(self, registry: pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD,
                 margin: float = DEFAULT_MARGIN) -> None:
        self.threshold = threshold
        self.margin = margin
        self.names = dict(zip(registry["agency_id"].tolist(), registry["name_th"].tolist(), strict=True))
        self.exact = _name_keys(self.names)
        self.aliases = _alias_keys(registry, self.exact)
        self.choices = {**self.aliases, **self.exact}
        self.choice_keys = list(self.choices)
        self.index = NameIndex(self.choice_keys)
        self._choice_bytes = self.index.in_given_order()
        # Fuzzy outcomes by key: a Matcher kept for its registry (kkdash/data.py) matches each name
        # once across sheet reads, so a refresh pays only for names it has not seen. It holds one
        # entry per distinct name ever typed (35 000 for the largest sheet, a few MB) and goes with
        # the Matcher when the registry changes. One lock: two sheet reads matching at once would
        # only share the same two cores.
        self._settled: dict[str, Match] = {}
        self._lock = threading.Lock()
        # Agencies numbered in agency_id order, so sorting numbers sorts ids.
        self._agency_ids = sorted(set(self.choices.values()))
        numbers = {agency: number for number, agency in enumerate(self._agency_ids)}
        self._choice_agency = np.array([numbers[self.choices[k]] for k in self.choice_keys], dtype=np.int64)
        self._last_call = threading.local()

    @property
    def fuzzy_comparisons(self) -> int:
        """Pairs scored by this thread's last match call (names already settled cost none)."""
        return getattr(self._last_call, "pairs", 0)

    def match(self, typed: object) -> Match:
        """One typed name -> Match."""
        key = normalize_name(typed)
        known = self._match_known(key)
        return known if known is not None else self._match_fuzzy([key])[key]

    def _match_known(self, key: str) -> Match | None:
        """A normalised key -> its blank, exact or alias Match; None when only fuzzy matching can tell."""
        if not key:
            return Match(None, "blank")
        if key in self.exact:
            return Match(self.exact[key], "exact", 100.0)
        if key in self.aliases:
            return Match(self.aliases[key], "alias", 100.0)
        return None

    def _match_fuzzy(self, keys: list[str]) -> dict[str, Match]:
        """Keys with no exact or alias hit -> each one's Match.

        A key whose best score reaches the threshold is judged on the names that matter to it
        (NameIndex.close); one under it is refused with the best agencies among its HIT_LIMIT
        nearest names, so HR sees what it might have meant.
        """
        with self._lock:  # viewers' sessions are threads, and may share this Matcher
            before = self.index.pairs_scored
            new = [key for key in dict.fromkeys(keys) if key not in self._settled]
            if new:
                self._settled.update(zip(new, self._match_new(new), strict=True))
            self._last_call.pairs = self.index.pairs_scored - before
            return {key: self._settled[key] for key in keys}

    def _match_new(self, keys: list[str]) -> list[Match]:
        """Distinct keys not matched before -> their Matches, in order."""
        close = self.index.close(keys, threshold=self.threshold, margin=self.margin)
        found = self._judge(close)
        weak = [position for position, near in enumerate(close) if near.best < self.threshold]
        weak_keys = [keys[position] for position in weak]
        for position, match in zip(weak, self._refuse(weak_keys, self.index.nearest(weak_keys, HIT_LIMIT)),
                                   strict=True):
            found[position] = match
        return found

    def _judge(self, close: list[Close]) -> list[Match | None]:
        """Keys whose best reaches the threshold -> fuzzy, or ambiguous when another agency has a
        name within the limit of edits (shown after the pick, best score first); None for the others."""
        ranked = self._rank_agencies(len(close), [near.indices for near in close], [near.scores for near in close],
                                     [near.edits for near in close])
        shown, rivals = _rivals(ranked, np.array([near.limit for near in close], dtype=np.int64))
        names = [self.names[self._agency_ids[code]] for code in ranked.agencies[shown].tolist()]
        scores = np.round(ranked.scores[shown], 1).tolist()
        cuts = np.searchsorted(shown, ranked.bounds).tolist()
        found: list[Match | None] = []
        for position, near in enumerate(close):
            if near.best < self.threshold:
                found.append(None)
                continue
            candidates = tuple(zip(names[cuts[position]:cuts[position + 1]],
                                   scores[cuts[position]:cuts[position + 1]], strict=True))
            if rivals[position]:
                found.append(Match(None, "ambiguous", near.best, candidates))
            else:
                winner = self._agency_ids[ranked.agencies[ranked.bounds[position]]]
                found.append(Match(winner, "fuzzy", near.best, candidates))
        return found

    def _refuse(self, keys: list[str], nearest: list[Nearest]) -> list[Match]:
        """Keys scoring under the threshold -> unmatched, with the best agencies among their nearest names."""
        encoded = [to_one_byte(key) for key in keys]
        counts = [len(near.indices) for near in nearest]
        query = np.repeat(np.arange(len(keys)), counts)
        choice = np.concatenate([near.indices for near in nearest]) if nearest else np.empty(0, dtype=np.int64)
        edits = process.cpdist([encoded[q] for q in query], [self._choice_bytes[c] for c in choice],
                               scorer=Levenshtein.distance, dtype=np.int64, workers=-1)
        ranked = self._rank_agencies(len(keys), [near.indices for near in nearest], [near.scores for near in nearest],
                                     np.split(edits, np.cumsum(counts)[:-1]) if counts else [])
        refused = []
        for position in range(len(keys)):
            start, stop = ranked.bounds[position], ranked.bounds[position + 1]
            shown = slice(start, min(stop, start + CANDIDATE_LIMIT))
            best = float(ranked.scores[start]) if stop > start else 0.0
            refused.append(Match(None, "unmatched", best,
                                 self._candidates(ranked.agencies[shown], ranked.scores[shown])))
        return refused

    def _rank_agencies(self, count: int, choices: list[np.ndarray], scores: list[np.ndarray],
                       edits: list[np.ndarray]) -> _Ranked:
        """Per key, its choices with their scores and edits -> its agencies, ranked.

        Per agency the best score and the fewest edits among its name and aliases, ordered by
        score, then edits, then agency_id. Done for all keys at once: a national sheet has 35 000.
        """
        query = np.repeat(np.arange(count), [len(c) for c in choices])
        choice = np.concatenate(choices) if choices else np.empty(0, dtype=np.int64)
        score = np.concatenate(scores) if scores else np.empty(0)
        edit = np.concatenate(edits) if edits else np.empty(0, dtype=np.int64)
        agency = self._choice_agency[choice]
        order = np.lexsort((agency, query))
        query, agency, score, edit = query[order], agency[order], score[order], edit[order]
        starts = np.flatnonzero(np.r_[True, (query[1:] != query[:-1]) | (agency[1:] != agency[:-1])])
        if not len(query):
            starts = starts[:0]
        query, agency = query[starts], agency[starts]
        score, edit = np.maximum.reduceat(score, starts), np.minimum.reduceat(edit, starts)
        order = np.lexsort((agency, edit, -score, query))
        query, agency, score, edit = query[order], agency[order], score[order], edit[order]
        return _Ranked(agency, score, edit, np.searchsorted(query, np.arange(count + 1)))

    def _candidates(self, agencies: np.ndarray, scores: np.ndarray) -> tuple[tuple[str, float], ...]:
        return tuple((self.names[self._agency_ids[code]], round(float(score), 1))
                     for code, score in zip(agencies, scores, strict=True))

    def match_series(self, typed: pd.Series) -> pd.DataFrame:
        """A column of typed names -> DataFrame[agency_id, match_method, match_score, candidates].

        Each distinct normalised name is matched once, however many rows repeat it.
        """
        # Rows -> distinct typed texts -> distinct keys, all by position: a big sheet has 580 000 rows.
        rows, texts = pd.factorize(typed, use_na_sentinel=False)
        # Each key is matched as match(key) would: normalised once more, since `อ..` needs two passes.
        text_keys, keys = pd.factorize(pd.Series(normalize_again(normalize_names(texts.tolist())), dtype=object))
        known = [self._match_known(key) for key in keys]
        fuzzy = self._match_fuzzy([key for key, match in zip(keys, known, strict=True) if match is None])
        outcomes = [fuzzy[key] if match is None else match for key, match in zip(keys, known, strict=True)]
        where = text_keys[rows] if len(rows) else rows

        def spread(values: list) -> pd.Series:
            # A Series of the distinct values infers its dtype as a map over the rows would.
            return pd.Series(values).take(where).set_axis(typed.index)

        return pd.DataFrame({
            "agency_id": spread([m.agency_id for m in outcomes]),
            "match_method": spread([m.method for m in outcomes]),
            "match_score": spread([m.score for m in outcomes]).astype("float64"),
            "candidates": spread([m.candidates for m in outcomes]),
        }, index=typed.index)


def _name_keys(names: dict[str, str]) -> dict[str, str]:
    """Official names -> {normalised name: agency_id}; two names that normalise alike are an error."""
    keys: dict[str, str] = {}
    for (agency_id, name), key in zip(names.items(), normalize_names(list(names.values())), strict=True):
        if key in keys:
            raise RegistryError(f"ชื่อ '{name}' ของ {agency_id} อ่านได้เหมือนชื่อของ {keys[key]} "
                                "(ต่างกันแค่ช่องว่างหรือคำย่อ) — ระบบจะแยกสองหน่วยงานนี้ไม่ได้")
        keys[key] = agency_id
    return keys


def _alias_keys(registry: pd.DataFrame, exact: dict[str, str]) -> dict[str, str]:
    """Registry aliases -> {normalised alias: agency_id}; an alias two agencies share is an error."""
    keys: dict[str, str] = {}
    pairs = [(agency_id, alias)
             for agency_id, aliases in zip(registry["agency_id"].tolist(), registry["aliases"].tolist(), strict=True)
             for alias in filter(None, (a.strip() for a in aliases.split("|")))]
    for (agency_id, alias), key in zip(pairs, normalize_names([alias for _, alias in pairs]), strict=True):
        owner = keys.get(key) or exact.get(key)
        if owner and owner != agency_id:
            raise RegistryError(f"ชื่อย่อ '{alias}' ใช้ซ้ำกันระหว่าง {owner} และ {agency_id}")
        keys[key] = agency_id
    return keys


def format_candidates(candidates: tuple[tuple[str, float], ...]) -> str:
    """((name, score), …) -> `ชื่อ (92.0), ชื่อ (88.5)` for a person to choose from."""
    return ", ".join(f"{name} ({score:.0f})" for name, score in candidates)
