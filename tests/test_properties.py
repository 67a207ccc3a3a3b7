"""Properties over random messy input: parsers never raise, and every sheet row is accounted for once."""

import csv
from datetime import datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kkdash import pipeline, sources
from kkdash.dates import BANGKOK
from kkdash.labels import AFTER_AS_OF, REJECTED, SUPERSEDED, USED
from kkdash.names import normalize_again, normalize_name, normalize_names
from kkdash.parsing import (
    parse_count,
    parse_date,
    parse_datetime,
    parse_datetime_series,
    parse_phone,
    parse_url,
    parse_url_series,
    parse_yes_no,
)
from kkdash.registry import load_districts, load_registry
from kkdash.schema import HEADERS_TH
from kkdash.sheet import sheet_from_rows
from kkdash.sources import read_responses_csv

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AS_OF = datetime(2023, 7, 10, 12, 0, tzinfo=BANGKOK)
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
REGISTRY = load_registry()
DISTRICTS = load_districts()
TYPED_NAMES = sorted({*REGISTRY["name_th"], *(a for x in REGISTRY["aliases"] for a in x.split("|") if a)})

messy_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
thai_or_ascii_digits = st.booleans().map(lambda thai: (lambda s: s.translate(THAI_DIGITS)) if thai else str)


@st.composite
def with_digits(draw, text):
    """Some text, now and then with its digits written in Thai."""
    return draw(thai_or_ascii_digits)(text) if isinstance(text, str) else text


@st.composite
def timestamps(draw):
    """A submission time in one of the sheet's forms, or junk, or blank."""
    moment = draw(st.datetimes(min_value=datetime(2023, 6, 20), max_value=datetime(2023, 7, 25)))
    form = draw(st.sampled_from(["forms", "nocomma", "iso", "serial", "ce", "junk", "blank"]))
    text = {
        "forms": f"{moment.day}/{moment.month}/{moment.year + 543}, {moment:%-H:%M:%S}",
        "nocomma": f"{moment.day}/{moment.month}/{moment.year + 543} {moment:%-H:%M:%S}",
        "iso": f"{moment:%Y-%m-%d %H:%M:%S}",
        "serial": f"{(moment - datetime(1899, 12, 30)).total_seconds() / 86400:.5f}",
        "ce": f"{moment.day}/{moment.month}/{moment.year} {moment:%-H:%M}",
        "junk": draw(messy_text),
        "blank": "",
    }[form]
    return draw(with_digits(text))


@st.composite
def agency_names(draw):
    """A registry name or alias, perhaps spaced, abbreviated, clipped or zero-width-spoiled, or random text."""
    name = draw(st.sampled_from(TYPED_NAMES))
    noise = draw(st.sampled_from(["none", "spaces", "abbreviate", "clip", "zero_width", "random", "blank"]))
    if noise == "spaces":
        return " ".join(name)
    if noise == "abbreviate":
        return name.replace("สำนักงาน", "สนง. ").replace("จังหวัด", "จ.").replace("ขอนแก่น", "ขก")
    if noise == "clip":
        cut = draw(st.integers(min_value=0, max_value=len(name) - 1))
        return name[:cut] + name[cut + 1:]
    if noise == "zero_width":
        return f" {name}\u200b "
    if noise == "random":
        return draw(messy_text)
    return "" if noise == "blank" else name


counts = st.one_of(
    st.integers(min_value=0, max_value=3000).map(str),
    st.integers(min_value=1000, max_value=99_999).map(lambda n: f"{n:,}"),
    st.integers(min_value=0, max_value=99).map(lambda n: f"{n} คน"),
    st.integers(min_value=0, max_value=99).map(lambda n: f"{n}.0"),
    st.sampled_from(["", "-", "-3", "12.5", "สิบ", " "]),
    messy_text,
).flatmap(with_digits)

cells = st.one_of(st.just(""), messy_text, st.sampled_from(["ใช่", "ไม่ใช่", "www.example.go.th/x",
                                                           "javascript:alert(1)", "26 มิ.ย. 66", "พล", "4012"]))


@st.composite
def answers(draw):
    """One sheet row: mostly plausible, anything can be spoiled, and some rows are wholly blank."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return [""] * len(HEADERS_TH)
    return [draw(timestamps()), draw(agency_names()), draw(cells), draw(cells), draw(cells),
            *[draw(counts) for _ in range(8)], draw(cells), draw(cells), draw(cells), draw(cells)]


@FAST
@given(rows=st.lists(answers(), max_size=20))
def test_messy_sheets_never_raise_and_every_row_has_exactly_one_fate(rows):
    sheet = sheet_from_rows([list(HEADERS_TH.values()), *rows])
    outcome = pipeline.run(sheet, REGISTRY, DISTRICTS, as_of=AS_OF)
    fates = outcome.rows["fate"]
    counts = outcome.counts
    assert counts["rows_total"] == counts["rows_used"] + counts["rows_superseded"] + counts["rows_rejected"]
    assert len(outcome.rows) + outcome.blank_rows == len(rows)
    assert outcome.rows["row_number"].is_unique
    assert set(fates) <= {USED, SUPERSEDED, REJECTED, AFTER_AS_OF}
    assert counts["rows_total"] == int(fates.ne(AFTER_AS_OF).sum())
    # one used row per reporting agency, and the figures add up
    assert counts["rows_used"] == outcome.province["agencies_reported"] == outcome.rows.loc[
        fates.eq(USED), "agency_id"].nunique()
    assert outcome.province["agencies_on_time"] + outcome.province["agencies_late"] \
        + outcome.province["agencies_missing"] == 154
    assert 0 <= outcome.province["personnel_signed"] <= outcome.province["personnel_total"]
    # every rejected row has a reason; no other row has one
    assert (outcome.rows["reason"].ne("") == fates.eq(REJECTED)).all()


@FAST
@given(text=st.one_of(messy_text, st.text(max_size=30)))
def test_parsers_never_raise_on_any_text(text):
    results = (parse_datetime(text), parse_date(text), parse_count(text), parse_phone(text), parse_url(text),
               parse_yes_no(text), normalize_name(text))
    count, url = results[2], results[4]
    assert count is None or count >= 0
    assert url is None or url.lower().startswith(("http://", "https://"))


@FAST
@given(n=st.integers(min_value=0, max_value=10_000_000))
def test_counts_read_back_in_every_written_form(n):
    forms = [str(n), str(n).translate(THAI_DIGITS), f"{n:,}", f"{n} คน", f"{n}.0"]
    assert [parse_count(text) for text in forms] == [n] * len(forms)


@FAST
@given(moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31)))
def test_forms_timestamps_read_back_exactly(moment):
    moment = moment.replace(microsecond=0)
    text = f"{moment.day}/{moment.month}/{moment.year + 543}, {moment:%-H:%M:%S}"
    assert parse_datetime(text) == parse_datetime(text.translate(THAI_DIGITS)) == moment.replace(tzinfo=BANGKOK)


@pytest.mark.parametrize("name", TYPED_NAMES[::7])
def test_a_registry_name_survives_spacing_and_zero_width(name):
    assert normalize_name(" ".join(name) + "\u200b") == normalize_name(name)


url_like = st.text(alphabet="abcXY09-.:/?#@[]% กข๑\u200b", max_size=25)
stamp_like = st.text(alphabet="0123456789/,: .-๑", max_size=22)


@FAST
@given(texts=st.lists(st.one_of(url_like, st.sampled_from(["https://", "http://", "www.", ".go.th"]).flatmap(
    lambda head: url_like.map(lambda tail: head + tail))), max_size=15))
def test_bulk_link_reading_agrees_with_parse_url(texts):
    read = parse_url_series(pd.Series(texts, dtype="str"))
    assert [None if pd.isna(v) else v for v in read] == [parse_url(text) for text in texts]


@FAST
@given(texts=st.lists(st.one_of(
    stamp_like,
    st.datetimes(min_value=datetime(1890, 1, 1), max_value=datetime(2700, 1, 1))
    .map(lambda m: f"{m.day}/{m.month}/{m.year}, {m:%-H:%M:%S}"),
    st.tuples(st.datetimes(min_value=datetime(1890, 1, 1), max_value=datetime(2700, 1, 1)),
              st.sampled_from([" ", "T", "  ", "\t"]), st.booleans())
    .map(lambda t: f"{t[0].year:04d}-{t[0].month}-{t[0]:%d}{t[1]}{t[0].hour if t[2] else f'{t[0]:%H}'}:{t[0]:%M:%S}"),
), max_size=15))
def test_bulk_timestamp_reading_agrees_with_parse_datetime(texts):
    parsed = parse_datetime_series(pd.Series(texts, dtype="str"))
    assert [None if pd.isna(v) else v.to_pydatetime() for v in parsed] == [parse_datetime(text) for text in texts]


# Cells as people type them into a form: Thai, commas, quotes, line breaks, blanks and padding.
# (A bare carriage return is left out: a writer ending lines with "\n" would not quote it.)
csv_cell = st.text(alphabet=st.sampled_from(list('กขค ๑2,"\n\tab\u200b')), max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(width=st.integers(min_value=1, max_value=5), data=st.data(), line_end=st.sampled_from(["\n", "\r\n"]),
       bom=st.booleans())
def test_the_fast_csv_reader_reads_what_the_pandas_reader_reads(tmp_path, width, data, line_end, bom):
    headers = data.draw(st.lists(st.text(alphabet="กขคงจ (ทั้งหมด)", min_size=1, max_size=6), min_size=width,
                                 max_size=width))
    rows = data.draw(st.lists(st.lists(csv_cell, min_size=width, max_size=width), max_size=12))
    path = tmp_path / "responses.csv"
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, lineterminator=line_end).writerows([headers, *rows])
    fast = read_responses_csv(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources, "_read_even_csv", lambda _: None)
        slow = read_responses_csv(path)
    assert sources._read_even_csv(path) is not None
    assert (fast.headers, fast.cells.to_dict("list"), fast.cells.dtypes.tolist()) == (
        slow.headers, slow.cells.to_dict("list"), slow.cells.dtypes.tolist())


# What people type into a name: Thai, abbreviations with their dots, every kind of space, zero-width
# marks, Latin case, and the joining character normalize_names itself uses.
name_piece = st.sampled_from(["สนง.", "ขก.", "ขก", "จ.", "อ.", ".", "อ..", " ", "\u00a0", "\t", "\u200b", "\u202e",
                              "\u00ad", "๑", "๙", "A", "ß", "İ", "\x00", "\x1f", "ที่ว่าการ", "ขอนแก่น"])


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.lists(name_piece, max_size=6).map("".join), max_size=8))
def test_names_normalised_together_are_normalised_one_by_one(names):
    assert normalize_names(names) == [normalize_name(name) for name in names]
    assert normalize_again(normalize_names(names)) == [normalize_name(normalize_name(name)) for name in names]


# What the Sheets API sends (text, with short rows), and what a caller might (None, numbers, NaN).
sheet_text = st.one_of(st.text(alphabet="กข 1,\n", max_size=4), st.none())
sheet_value = st.one_of(sheet_text, st.integers(-5, 5), st.just(float("nan")))


@settings(max_examples=100, deadline=None)
@given(rows=st.one_of(st.lists(st.lists(sheet_text, max_size=4), min_size=1, max_size=8),
                      st.lists(st.lists(sheet_value, max_size=4), min_size=1, max_size=8)))
def test_sheet_rows_become_the_text_a_dataframe_of_objects_would_give(rows):
    width = max(map(len, rows))
    body = [[*row, *[""] * (width - len(row))] for row in rows[1:]]
    plain = pd.DataFrame(body, columns=range(width), dtype="object").fillna("").astype("str")
    cells = sheet_from_rows(rows).cells
    assert (cells.to_dict("list"), cells.dtypes.tolist()) == (plain.to_dict("list"), plain.dtypes.tolist())
