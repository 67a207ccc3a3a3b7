"""kkdash.registry: the registry file and matching typed names onto it (contract sections 2-3)."""

import pandas as pd
import pytest

from kkdash import pipeline
from kkdash.matching import Match, Matcher, format_candidates
from kkdash.names import normalize_name
from kkdash.paths import REGISTRY_PATH
from kkdash.registry import RegistryError, load_registry, registry_fingerprint, registry_warnings, validate_registry
from kkdash.schema import HEADERS_TH
from kkdash.sheet import sheet_from_rows


@pytest.fixture(scope="module")
def matcher(registry):
    """A Matcher over the real registry with the default threshold and margin."""
    return Matcher(registry)


def tiny_registry(*rows):
    """(agency_id, name_th, aliases, kind, district_code) tuples -> a raw registry table."""
    return pd.DataFrame(rows, columns=["agency_id", "name_th", "aliases", "kind", "district_code"])


@pytest.mark.parametrize(("typed", "key"), [
    ("สำนักงานจังหวัดขอนแก่น", "สำนักงานจังหวัดขอนแก่น"),
    (" สำนักงาน จังหวัด  ขอนแก่น ", "สำนักงานจังหวัดขอนแก่น"),
    ("สำนักงาน\u200bจังหวัด\u200cขอนแก่น\ufeff", "สำนักงานจังหวัดขอนแก่น"),
    ("สนง.จังหวัดขอนแก่น", "สำนักงานจังหวัดขอนแก่น"),
    ("สนง. จ.ขอนแก่น", "สำนักงานจังหวัดขอนแก่น"),
    ("สนง.จ.ขก.", "สำนักงานจังหวัดขอนแก่น"),  # ขก. before ขก: no stray dot left behind
    ("สนง.จ.ขก", "สำนักงานจังหวัดขอนแก่น"),
    ("ที่ว่าการ อ.พล", "ที่ว่าการอำเภอพล"),
    ("ตำรวจภูธรภาค ๔", "ตำรวจภูธรภาค4"),
    ("Khon Kaen HOSPITAL", "khonkaenhospital"),
    ("", ""),
    (None, ""),
])
def test_normalize_name(typed, key):
    assert normalize_name(typed) == key


def test_real_registry_loads(registry):
    assert (len(registry), registry["agency_id"].is_unique, registry["name_th"].is_unique,
            registry["kind"].value_counts().to_dict(), int(registry["district_code"].eq("").sum())) == (
        154, True, True,
        {"district_unit": 52, "central": 42, "provincial": 32, "district_office": 26, "other": 2}, 75)


def test_every_registry_name_and_alias_matches_its_own_agency(registry, matcher):
    expected, got = [], []
    for record in registry.itertuples():
        for typed in [record.name_th, *filter(None, record.aliases.split("|"))]:
            expected.append(record.agency_id)
            got.append(matcher.match(typed).agency_id)
    assert (got, matcher.fuzzy_comparisons) == (expected, 0)


@pytest.mark.parametrize(("typed", "agency_id", "method"), [
    ("สำนักงานจังหวัดขอนแก่น", "P01", "exact"),
    ("  สนง. จ.ขก. ", "P01", "exact"),
    ("ที่ว่าการ อำเภอพล", "D4012", "exact"),
    ("สนง.เกษตรอำเภอเมืองขอนแก่น", "U4001-2", "exact"),
    ("สสจ.ขก.", "P16", "alias"),
    ("สสจ. ขอนแก่น", "P16", "alias"),
    ("อำเภอพล", "D4012", "alias"),
    ("อ.พล", "D4012", "alias"),
    ("สสอ.พล", "U4012-1", "alias"),
    ("พมจ.ขอนแก่น", "P22", "alias"),
    ("ปภ.จ.ขก.", "P04", "alias"),
    ("สำนักงานพาณิชย์จังหวัดขอนแก่", "P14", "fuzzy"),
    ("สำนักงานสาธารณสุขจังหวัดขอนแก่", "P16", "fuzzy"),
    ("ที่ว่าการอำเภอแวงน้อ", "D4014", "fuzzy"),
    ("", None, "blank"),
    ("  \u200b ", None, "blank"),
    ("โรงเรียนบ้านโนนสวรรค์", None, "unmatched"),
    ("ศูนย์อนามัยที่ 7", None, "unmatched"),
    ("สำนักงานพาณิชย์", None, "unmatched"),
    ("ที่ว่าการอำเภอ", None, "ambiguous"),
    ("สำนักงานเกษตรอำเภอ", None, "ambiguous"),
    # one letter off, but เขต 1 and เขต 2 are a digit away from เขต 5: refused, not guessed
    ("สำนักงานเขตพื้นที่การศึกษาประถมศกษาขอนแก่น เขต 5", None, "ambiguous"),
])
def test_match_exact_then_alias_then_fuzzy(matcher, typed, agency_id, method):
    found = matcher.match(typed)
    assert (found.agency_id, found.method) == (agency_id, method)


def test_ambiguous_name_shows_the_best_and_its_rivals(matcher):
    # พล is 2 edits away, so a rival is any other agency within 4: ชนบท is 4 away, the
    # capital district (เมืองขอนแก่น, 12 away) is not shown although it scores 84.8.
    assert matcher.match("ที่ว่าการอำเภอ") == Match(
        None, "ambiguous", pytest.approx(93.333, abs=0.001),
        (("ที่ว่าการอำเภอพล", 93.3), ("ที่ว่าการอำเภอชนบท", 87.5)))


def test_low_score_name_shows_the_best_candidates(matcher):
    assert matcher.match("ศูนย์อนามัยที่ 7").candidates == (
        ("ศูนย์อนามัยที่ 7 ขอนแก่น", 81.1), ("ศูนย์สุขภาพจิตที่ 7", 60.6), ("ศูนย์ส่งเสริมอุตสาหกรรมภาคที่ 5", 48.9))


def test_fuzzy_match_reports_its_score(matcher):
    found = matcher.match("สำนักงานพาณิชย์จังหวัดขอนแก่")
    assert (round(found.score, 1), found.candidates[0]) == (98.2, ("สำนักงานพาณิชย์จังหวัดขอนแก่น", 98.2))


@pytest.mark.parametrize(("threshold", "agency_id", "method"), [(90.0, "P14", "fuzzy"), (99.0, None, "unmatched")])
def test_fuzzy_threshold_is_configurable(registry, threshold, agency_id, method):
    found = Matcher(registry, threshold=threshold).match("สำนักงานพาณิชย์จังหวัดขอนแก่")
    assert (found.agency_id, found.method) == (agency_id, method)


def test_registry_names_and_aliases_get_the_same_normalisation(districts):
    registry = validate_registry(tiny_registry(
        ("A1", "สนง.ทดสอบ จ.ขก.", "ทดสอบ ขก", "provincial", ""),
    ), districts=districts)
    matcher = Matcher(registry)
    assert [matcher.match(t) for t in ("สำนักงานทดสอบจังหวัดขอนแก่น", "ทดสอบขอนแก่น")] == [
        Match("A1", "exact", 100.0), Match("A1", "alias", 100.0)]


def test_each_distinct_normalised_name_is_matched_once(registry):
    matcher = Matcher(registry)
    typed = pd.Series([
        "สำนักงานพาณิชย์จังหวัดขอนแก่", " สำนักงานพาณิชย์ จังหวัดขอนแก่ ", "สำนักงานพาณิชย์จังหวัด\u200bขอนแก่",
        "โรงเรียนบ้านโนนสวรรค์", "โรงเรียน บ้านโนนสวรรค์", "สสจ.ขก.", "สสจ.ขก.", "สำนักงานพาณิชย์จังหวัดขอนแก่",
    ], index=[10, 11, 12, 13, 14, 15, 16, 17])
    matched = matcher.match_series(typed)
    # Eight rows, two names only fuzzy matching can place: as many comparisons as those two alone,
    # and each row decided as a name typed on its own is.
    alone = Matcher(registry)
    alone.match_series(pd.Series(["สำนักงานพาณิชย์จังหวัดขอนแก่", "โรงเรียนบ้านโนนสวรรค์"]))
    one_by_one = [Matcher(registry).match(name) for name in typed]
    assert matched["match_method"].tolist() == [match.method for match in one_by_one]
    assert matched["candidates"].tolist() == [match.candidates for match in one_by_one]
    assert (matcher.fuzzy_comparisons == alone.fuzzy_comparisons, matched["agency_id"].fillna("-").tolist(),
            matched["match_method"].tolist(), matched.index.tolist()) == (
        True,
        ["P14", "P14", "P14", "-", "-", "P16", "P16", "P14"],
        ["fuzzy", "fuzzy", "fuzzy", "unmatched", "unmatched", "alias", "alias", "fuzzy"],
        [10, 11, 12, 13, 14, 15, 16, 17])


@pytest.mark.parametrize(("rows", "message"), [
    ([("A1", "หน่วยงาน ก", "", "provincial", ""), ("A1", "หน่วยงาน ข", "", "provincial", "")], "agency_id 'A1' ซ้ำกัน"),
    ([("A1", "หน่วยงาน ก", "", "provincial", ""), ("A2", "หน่วยงาน ก", "", "provincial", "")],
     "name_th 'หน่วยงาน ก' ซ้ำกัน"),
    ([("A1", "หน่วยงาน ก", "", "ministry", "")], "แถว 2: ประเภท 'ministry' ไม่รู้จัก"),
    ([("A1", "หน่วยงาน ก", "", "provincial", "4026")], "แถว 2: รหัสอำเภอ '4026' ไม่มีในรายชื่ออำเภอ"),
    ([("A1", "หน่วยงาน ก", "", "provincial", ""), ("", "หน่วยงาน ข", "", "provincial", "")],
     "แถว 3: ไม่มี agency_id หรือ name_th"),
])
def test_invalid_registry_is_refused_with_the_row(districts, rows, message):
    with pytest.raises(RegistryError) as caught:
        validate_registry(tiny_registry(*rows), districts=districts)
    assert str(caught.value) == f"ทะเบียนหน่วยงานไม่ถูกต้อง: {message}"


def test_registry_missing_a_column_is_refused(districts):
    table = tiny_registry(("A1", "หน่วยงาน ก", "", "provincial", "")).drop(columns=["kind"])
    with pytest.raises(RegistryError, match=r"^ทะเบียนหน่วยงานขาดคอลัมน์: kind$"):
        validate_registry(table, districts=districts)


def test_an_alias_shared_by_two_agencies_is_refused(districts):
    registry = validate_registry(tiny_registry(
        ("A1", "หน่วยงาน ก", "ชื่อย่อ", "provincial", ""),
        ("A2", "หน่วยงาน ข", "ชื่อ ย่อ", "provincial", ""),
    ), districts=districts)
    with pytest.raises(RegistryError, match="ชื่อย่อ 'ชื่อ ย่อ' ใช้ซ้ำกันระหว่าง A1 และ A2"):
        Matcher(registry)


def test_registry_cells_are_trimmed(districts):
    registry = validate_registry(tiny_registry((" A1 ", " หน่วยงาน ก\u200b", "", " provincial", " 4012 ")),
                                 districts=districts)
    assert registry.iloc[0].tolist() == ["A1", "หน่วยงาน ก", "", "provincial", "4012", "", "", "", "", ""]


def test_registry_contacts_are_optional_columns_under_english_or_thai_headers(districts):
    table = pd.DataFrame([("A1", "หน่วยงาน ก", "", "provincial", "", "043-012-345 / ๐๘๑ ๒๓๔ ๕๖๗๘",
                           " saraban@Hr.Example ", "นางมาลัย แก้วมณี", "นักทรัพยากรบุคคล")],
                         columns=["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ชื่อเรียกอื่น", "ประเภทหน่วยงาน", "รหัสอำเภอ",
                                  "เบอร์โทรสำนักงาน", "อีเมล", "ผู้ประสานงาน", "ตำแหน่งผู้ประสานงาน"])
    registry = validate_registry(table, districts=districts)
    assert registry.iloc[0].to_dict() == {
        "agency_id": "A1", "name_th": "หน่วยงาน ก", "aliases": "", "kind": "provincial", "district_code": "",
        "phone": "043012345, 0812345678", "email": "saraban@hr.example", "contact_name": "นางมาลัย แก้วมณี",
        "contact_position": "นักทรัพยากรบุคคล", "contact_warning": ""}


def test_a_malformed_registry_contact_is_a_warning_not_an_error(districts):
    table = tiny_registry(("A1", "หน่วยงาน ก", "", "provincial", ""), ("A2", "หน่วยงาน ข", "", "provincial", ""))
    table = table.assign(phone=["043-012-345 / 1234", "ไม่มี"], email=["hr@a.example, ผิด@", "ok@b.example"])
    registry = validate_registry(table, districts=districts)
    assert registry[["phone", "email"]].to_dict("list") == {
        "phone": ["043012345", ""], "email": ["hr@a.example", "ok@b.example"]}
    assert registry_warnings(registry).to_dict("records") == [
        {"agency_id": "A1", "name_th": "หน่วยงาน ก",
         "warning": "เบอร์โทร '1234' ไม่ครบหรืออ่านไม่ได้, อีเมล 'ผิด@' ไม่ถูกต้อง"},
        {"agency_id": "A2", "name_th": "หน่วยงาน ข", "warning": "เบอร์โทร 'ไม่มี' ไม่ครบหรืออ่านไม่ได้"}]


def test_the_demo_registry_gives_every_agency_invented_contacts(registry):
    assert (registry["phone"].ne("").all(), registry["contact_name"].ne("").all(),
            registry["phone"].str.fullmatch(r"0430\d{5}(, 0430\d{5})?").all(),
            registry["email"].str.endswith(".example").sum()) == (True, True, True, 153)
    # One e-mail is malformed on purpose, so the registry check has something to show.
    assert registry_warnings(registry)["agency_id"].tolist() == ["O02"]


def test_missing_registry_file_is_an_input_error(tmp_path, districts):
    with pytest.raises(RegistryError, match="ไม่พบไฟล์ทะเบียนหน่วยงาน"):
        load_registry(tmp_path / "agencies.csv", districts=districts)


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\xff\xfe", b"agency_id,name_th\n\xe9t\xe9,x\n", b""])
def test_unreadable_registry_file_is_an_input_error(tmp_path, districts, content):
    path = tmp_path / "agencies.csv"
    path.write_bytes(content)
    with pytest.raises(RegistryError, match="อ่านไฟล์ทะเบียนหน่วยงานไม่ได้"):
        load_registry(path, districts=districts)


def test_a_registry_saved_by_thai_windows_excel_reads_as_the_utf8_one(tmp_path, districts, registry):
    """Thai Excel's "CSV" is Windows-874: HR edits agencies.csv there and saves it; nothing may change."""
    path = tmp_path / "agencies.csv"
    text = REGISTRY_PATH.read_text(encoding="utf-8-sig")
    path.write_bytes(text.encode("cp874"))
    pd.testing.assert_frame_equal(load_registry(path, districts=districts), registry)


def test_registry_path_that_is_a_directory_is_an_input_error(tmp_path, districts):
    with pytest.raises(RegistryError, match="อ่านไฟล์ทะเบียนหน่วยงานไม่ได้"):
        load_registry(tmp_path, districts=districts)


def test_format_candidates():
    assert format_candidates((("ที่ว่าการอำเภอพล", 93.3), ("ที่ว่าการอำเภอชนบท", 87.5))) == \
        "ที่ว่าการอำเภอพล (93), ที่ว่าการอำเภอชนบท (88)"


def test_two_names_that_read_alike_are_a_registry_error(registry):
    doubled = pd.concat([registry, pd.DataFrame([{"agency_id": "X1", "name_th": "สนง.ที่ดิน จ.ขก.", "aliases": "",
                                                  "kind": "provincial", "district_code": ""}])], ignore_index=True)
    with pytest.raises(RegistryError, match="อ่านได้เหมือนชื่อของ P07"):
        Matcher(doubled)


def test_direction_marks_pasted_from_a_web_page_are_ignored(registry):
    assert Matcher(registry).match("\u200fสำนักงานที่ดินจังหวัดขอนแก่น\u200e") == Match("P07", "exact", 100.0)


def test_a_kept_matcher_matches_each_name_once_across_sheet_reads(registry):
    kept = Matcher(registry)
    first = kept.match_series(pd.Series(["สำนักงานพาณิชย์จังหวัดขอนแก่", "โรงเรียนบ้านโนนสวรรค์"]))
    first_cost = kept.fuzzy_comparisons
    again = ["สำนักงานพาณิชย์จังหวัดขอนแก่", "โรงเรียนบ้านโนนสวรรค์", "ที่ว่าการอำเภอแวงน้อ"]
    second = kept.match_series(pd.Series(again))
    fresh, alone = Matcher(registry), Matcher(registry)
    expected = fresh.match_series(pd.Series(again))
    alone.match_series(pd.Series(["ที่ว่าการอำเภอแวงน้อ"]))
    # The second read pays only for the name it brings; what it decides is what a new Matcher decides.
    assert first_cost > kept.fuzzy_comparisons == alone.fuzzy_comparisons > 0
    assert second.to_dict("list") == expected.to_dict("list")
    assert first.to_dict("list") == expected.iloc[:2].to_dict("list")


def test_the_registry_fingerprint_follows_its_content(registry):
    edited = registry.copy()
    edited.loc[0, "aliases"] = edited.loc[0, "aliases"] + "|ชื่อใหม่"
    assert registry_fingerprint(registry) == registry_fingerprint(registry.copy())
    assert registry_fingerprint(edited) != registry_fingerprint(registry)


def test_a_blank_cell_read_as_none_or_nan_is_a_blank_name(matcher):
    matched = matcher.match_series(pd.Series(["สสจ.ขก.", None, float("nan")], dtype=object))
    assert matched["match_method"].tolist() == ["alias", "blank", "blank"]


def test_a_matcher_is_used_only_with_its_own_threshold(registry, districts):
    sheet = sheet_from_rows([list(HEADERS_TH.values())])
    with pytest.raises(ValueError, match=r"threshold 90\.0 and margin 1\.0, not 95\.0 and 1\.0"):
        pipeline.prepare(sheet, registry, districts, threshold=95.0, matcher=Matcher(registry))
