"""Snapshot files: atomic JSON round-trips, and corrupt files read as absent."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

import pytest

from kkdash.sheets.tables import SheetTables
from kkdash.snapshot import load_snapshot, save_snapshot

pytestmark = pytest.mark.timeout(60)

TABLES = SheetTables(
    responses=[["ประทับเวลา", "ชื่อ", "เบอร์โทร"], ["26/6/2566, 9:15:02", "สมชาย ใจดี", "0812345678"]],
    registry=[["อำเภอ", "จำนวนครัวเรือน"], ["ชุมแพ", "1,234"]],
    fetched_at=datetime(2025, 6, 26, 2, 15, 2, 123456, tzinfo=UTC),
)


def test_round_trip_keeps_every_value(tmp_path):
    path = tmp_path / "snapshot.json"
    save_snapshot(path, TABLES)
    assert load_snapshot(path) == TABLES
    assert "สมชาย ใจดี" in path.read_text(encoding="utf-8")  # readable UTF-8, not \\u escapes


def test_round_trip_without_registry(tmp_path):
    tables = SheetTables(responses=[["ชื่อ"]], registry=None, fetched_at=TABLES.fetched_at)
    save_snapshot(tmp_path / "s.json", tables)
    assert load_snapshot(tmp_path / "s.json") == tables


def test_save_creates_the_directory_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "cache" / "snapshot.json"
    save_snapshot(path, TABLES)
    save_snapshot(path, SheetTables([["ใหม่"]], None, TABLES.fetched_at))
    assert os.listdir(path.parent) == ["snapshot.json"]
    assert load_snapshot(path).responses == [["ใหม่"]]


def test_failed_write_keeps_the_old_snapshot(tmp_path, monkeypatch):
    path = tmp_path / "snapshot.json"
    save_snapshot(path, TABLES)

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_snapshot(path, SheetTables([["ใหม่"]], None, TABLES.fetched_at))
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["snapshot.json"]
    assert load_snapshot(path) == TABLES


def test_missing_snapshot_is_none(tmp_path, caplog):
    assert load_snapshot(tmp_path / "absent.json") is None
    assert caplog.records == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b'{"version": 1, "fetched_at": "2025-06-26T02:15:02+00:00", "responses": [["a"]]',
        b"\xff\xfe garbage",
        b"[]",
        json.dumps({"version": 99, "fetched_at": "2025-06-26T02:15:02+00:00", "responses": [["a"]]}).encode(),
        json.dumps({"version": 1, "fetched_at": "yesterday", "responses": [["a"]], "registry": None}).encode(),
        json.dumps(
            {"version": 1, "fetched_at": "2025-06-26T02:15:02", "responses": [["a"]], "registry": None}
        ).encode(),
        json.dumps(
            {"version": 1, "fetched_at": "2025-06-26T02:15:02+00:00", "responses": [[1]], "registry": None}
        ).encode(),
        json.dumps(
            {"version": 1, "fetched_at": "2025-06-26T02:15:02+00:00", "responses": [], "registry": None}
        ).encode(),
        json.dumps({"version": 1, "fetched_at": "2025-06-26T02:15:02+00:00", "responses": [["a"]]}).encode(),
        json.dumps({"version": 1, "fetched_at": 5, "responses": [["a"]], "registry": None}).encode(),
    ],
)
def test_corrupt_snapshot_is_none_with_a_warning(tmp_path, caplog, content):
    path = tmp_path / "snapshot.json"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="kkdash.snapshot"):
        assert load_snapshot(path) is None
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert str(path) in caplog.text
