"""kkdash.similarity and the Matcher's fuzzy step: fast, and exactly what scoring every name would give."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from kkdash import similarity
from kkdash.matching import CANDIDATE_LIMIT, HIT_LIMIT, Match, Matcher
from kkdash.names import normalize_name
from kkdash.similarity import NameIndex, to_one_byte
from tools.national import synthetic_sheet


def brute_nearest(names: list[str], query: str, limit: int) -> list[tuple[int, float]]:
    """Score every name, sort by score descending then index: the definition NameIndex must meet."""
    scores = [fuzz.ratio(query, name) for name in names]
    return sorted(((i, s) for i, s in enumerate(scores)), key=lambda hit: (-hit[1], hit[0]))[:limit]


def found(index: NameIndex, queries: list[str], limit: int) -> list[list[tuple[int, float]]]:
    return [list(zip(near.indices.tolist(), near.scores.tolist(), strict=True))
            for near in index.nearest(queries, limit)]


def fuzzy_keys(rows: int) -> tuple[Matcher, list[str]]:
    """A generated sheet's registry -> (a fresh Matcher, the typed names only fuzzy matching can place)."""
    sheet = synthetic_sheet(rows)
    matcher = Matcher(sheet.registry)
    keys = sorted({normalize_name(normalize_name(row[2])) for row in sheet.rows[1:]} - {""})
    return matcher, [key for key in keys if key not in matcher.choices]


def matched(matcher: Matcher, keys: list[str]) -> dict[str, Match]:
    """Keys -> their Matches through the bulk path the pipeline uses (Matcher.match_series)."""
    table = matcher.match_series(pd.Series(keys))
    return {key: Match(None if pd.isna(row.agency_id) else row.agency_id, row.match_method, row.match_score,
                       row.candidates) for key, row in zip(keys, table.itertuples(), strict=True)}


@pytest.fixture(scope="module")
def national():
    """Three provinces' registry (758 agencies) and the typed names of a generated 1 000-row sheet."""
    return fuzzy_keys(1_000)


@pytest.fixture(scope="module")
def larger():
    """33 provinces' registry (8 258 agencies) and the typed names of a generated 10 000-row sheet."""
    return fuzzy_keys(10_000)


def ranked_agencies(matcher: Matcher, key: str, picked: np.ndarray, scores: np.ndarray,
                    edits: np.ndarray) -> list[tuple[str, float, int]]:
    """Picked choices -> their agencies as (agency_id, best score, fewest edits), best first."""
    best: dict[str, tuple[float, int]] = {}
    for i in picked:
        agency = matcher.choices[matcher.choice_keys[i]]
        score, fewest = best.get(agency, (-1.0, int(edits[i])))
        best[agency] = (max(score, float(scores[i])), min(int(edits[i]), fewest))
    return sorted(((a, s, e) for a, (s, e) in best.items()), key=lambda item: (-item[1], item[2], item[0]))


def reference_match(matcher: Matcher, key: str) -> Match:
    """The fuzzy rule written out plainly, one name at a time (docs/decisions.md, "Matching names")."""
    scores = process.cdist([key], matcher.choice_keys, scorer=fuzz.ratio, dtype=np.float64)[0]
    edits = process.cdist([key], matcher.choice_keys, scorer=Levenshtein.distance, dtype=np.int64)[0]
    best = scores.max()
    if best < matcher.threshold:
        hits = np.lexsort((np.arange(len(scores)), -scores))[:HIT_LIMIT]  # score descending, then index
        ranked = ranked_agencies(matcher, key, hits, scores, edits)
        return Match(None, "unmatched", ranked[0][1],
                     tuple((matcher.names[a], round(s, 1)) for a, s, _ in ranked[:CANDIDATE_LIMIT]))
    limit = int(np.ceil(2 * edits[scores == best].min() + matcher.margin)) - 1
    ranked = ranked_agencies(matcher, key, np.flatnonzero((scores == best) | (edits <= limit)), scores, edits)
    rivals = [(a, s) for a, s, e in ranked[1:] if e <= limit]
    shown = tuple((matcher.names[a], round(s, 1)) for a, s in [ranked[0][:2], *rivals][:CANDIDATE_LIMIT])
    if rivals:
        return Match(None, "ambiguous", best, shown)
    return Match(ranked[0][0], "fuzzy", best, shown)


def brute_close(names: list[str], query: str, threshold: float, margin: float) -> tuple[int, list]:
    """Score every name: (limit, sorted (index, score, edits)) that NameIndex.close must give."""
    scores = [fuzz.ratio(query, name) for name in names]
    edits = [Levenshtein.distance(query, name) for name in names]
    best = max(scores)
    if best < threshold:
        return -1, []
    limit = int(np.ceil(2 * min(e for s, e in zip(scores, edits, strict=True) if s == best) + margin)) - 1
    return limit, [(i, scores[i], edits[i]) for i in range(len(names)) if scores[i] == best or edits[i] <= limit]


def found_close(index: NameIndex, queries: list[str], threshold: float, margin: float) -> list[tuple[int, list]]:
    return [(near.limit, sorted(zip(near.indices.tolist(), near.scores.tolist(), near.edits.tolist(), strict=True)))
            for near in index.close(queries, threshold=threshold, margin=margin)]


def test_national_names_match_exactly_as_the_plain_rule_says(national):
    matcher, keys = national
    got = matched(matcher, keys)
    methods = {method: sum(m.method == method for m in got.values()) for method in ("fuzzy", "unmatched", "ambiguous")}
    assert [key for key in keys if got[key] != reference_match(matcher, key)] == []
    assert (len(keys), methods) == (58, {"fuzzy": 48, "unmatched": 4, "ambiguous": 6})


def test_a_national_sheet_matches_the_plain_rule(larger):
    matcher, keys = larger
    got = matched(matcher, keys)
    assert (len(keys), len(matcher.choice_keys)) == (653, 13_873)
    assert [key for key in keys if got[key] != reference_match(matcher, key)] == []


def test_thai_relabelling_changes_no_score():
    pairs = [("สำนักงานจังหวัดขอนแก่น", "สำนักงานจังหวัดขอนแก่"), ("โรงเรียนบ้านโนนสวรรค์", "ที่ว่าการอำเภอพล"),
             ("ตำรวจภูธรภาค4", "police4"), ("àéî", "ก๙")]
    assert [fuzz.ratio(to_one_byte(a), to_one_byte(b)) for a, b in pairs] == [fuzz.ratio(a, b) for a, b in pairs]
    assert [to_one_byte(to_one_byte(a)) for a, _ in pairs] == [a for a, _ in pairs]


@pytest.mark.parametrize("query", ["ก", "x" * 300, "สำนักงาน", "ขอนแก่น" * 20])
def test_very_short_and_very_long_names_still_get_their_dozen(national, query):
    matcher, _ = national
    index = NameIndex(matcher.choice_keys)
    assert found(index, [query], HIT_LIMIT) == [brute_nearest(matcher.choice_keys, query, HIT_LIMIT)]


def test_fewer_names_than_the_limit_are_all_returned_best_first():
    names = ["กขค", "กข", "ขค", "กขคง", "abc"]
    index = NameIndex(names)
    assert found(index, ["กขค", "zz"], HIT_LIMIT) == [
        [(0, 100.0), (3, 100 * (1 - 1 / 7)), (1, 80.0), (2, 80.0), (4, 0.0)],
        [(0, 0.0), (1, 0.0), (2, 0.0), (3, 0.0), (4, 0.0)]]


# A small alphabet makes ties and near-ties everywhere: the tie-break by index must still hold.
names_strategy = st.lists(st.text(alphabet="กขคงจa", min_size=1, max_size=12), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(names=names_strategy, queries=st.lists(st.text(alphabet="กขคงจab", min_size=1, max_size=14),
                                              min_size=1, max_size=20),
       limit=st.integers(min_value=1, max_value=15))
def test_nearest_is_exactly_brute_force(names, queries, limit):
    index = NameIndex(names)
    assert found(index, queries, limit) == [brute_nearest(names, query, limit) for query in queries]


def test_matches_are_plain_values_equal_to_the_reference(national):
    matcher, keys = national
    match = matcher.match(keys[0])
    assert type(match.score) is float and all(type(score) is float for _, score in match.candidates)
    assert dataclasses.astuple(match) == dataclasses.astuple(reference_match(matcher, keys[0]))


@settings(max_examples=150, deadline=None)
@given(names=names_strategy, queries=st.lists(st.text(alphabet="กขคงจab", min_size=1, max_size=14),
                                              min_size=1, max_size=20),
       limit=st.integers(min_value=1, max_value=6))
def test_nearest_is_exactly_brute_force_with_many_small_batches_and_bars(names, queries, limit):
    # Tiny batches, no merging and a one-letter band exercise every window and group a national sheet meets.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(similarity, "QUERY_BATCH", 3)
        patch.setattr(similarity, "MIN_ROWS", 1)
        patch.setattr(similarity, "NEAR_SPAN", 0)
        patch.setattr(similarity, "BAR_STEP", 1.0)
        index = NameIndex(names)
        assert found(index, queries, limit) == [brute_nearest(names, query, limit) for query in queries]


@settings(max_examples=150, deadline=None)
@given(names=names_strategy, queries=st.lists(st.text(alphabet="กขคงจab", min_size=1, max_size=14),
                                              min_size=1, max_size=20),
       threshold=st.sampled_from([0.0, 40.0, 60.0, 75.0, 90.0, 100.0]), margin=st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_close_is_exactly_brute_force(names, queries, threshold, margin):
    index = NameIndex(names)
    assert found_close(index, queries, threshold, margin) == [
        brute_close(names, query, threshold, margin) for query in queries]


@settings(max_examples=150, deadline=None)
@given(names=names_strategy, queries=st.lists(st.text(alphabet="กขคงจab", min_size=1, max_size=14),
                                              min_size=1, max_size=20),
       threshold=st.sampled_from([0.0, 40.0, 60.0, 75.0]), margin=st.sampled_from([0.5, 1.0, 3.0]))
def test_close_is_exactly_brute_force_when_every_name_needs_a_wider_slice(names, queries, threshold, margin):
    # With no first band at all, every best and every limit of edits reaches past what was scored.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(similarity, "EDIT_SPAN", -1)
        index = NameIndex(names)
        assert found_close(index, queries, threshold, margin) == [
            brute_close(names, query, threshold, margin) for query in queries]


def test_close_reports_the_best_when_it_reaches_the_threshold():
    index = NameIndex(["กขคง", "กขคจ", "abc"])
    near, weak = index.close(["กขค", "zz"], threshold=50.0, margin=1.0)
    assert (near.best, near.limit, sorted(near.indices.tolist()), near.edits.tolist()) == (
        100 * (1 - 1 / 7), 2, [0, 1], [1, 1])
    assert (weak.limit, len(weak.indices)) == (-1, 0)
