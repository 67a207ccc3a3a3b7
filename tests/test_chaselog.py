"""The chase log in a real database (kkdash/store): SQLite files and a PostgreSQL server the tests start.

Every test that takes `db_url` runs once on each backend. PostgreSQL is skipped only when its binaries
are missing on a developer machine; with CI set, a missing server fails the run.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text, event, exc, insert

from kkdash.chase import Entry, EntryError, NewEntry, empty_entries, entries_frame, new_entry, summarize
from kkdash.dates import BANGKOK
from kkdash.store import ChaseLog, StoreError, default_database_url, migration
from kkdash.store.engine import build_engine, parse_url
from kkdash.store.schema import UtcDateTime
from tools.postgres import PostgresServer, free_port, pg_bin, unprivileged_user

CAMPAIGN = date(2023, 7, 7)
NEXT_CAMPAIGN = date(2024, 7, 5)
AGENCIES = frozenset({"KK001", "KK002", "KK003"})
_numbers = itertools.count(1)


# --- fixtures --------------------------------------------------------------------------------------

def require_postgres() -> None:
    """Skip when PostgreSQL is not installed on a developer machine; in CI its absence is a failure."""
    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL (initdb, pg_ctl) is required in CI: install Debian's postgresql")
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the session, in a throwaway data folder on a free loopback port."""
    require_postgres()
    with PostgresServer() as server:
        yield server


@pytest.fixture
def open_folder():
    """An empty folder that an unprivileged process may also write in (pytest's tmp_path is private)."""
    folder = Path(tempfile.mkdtemp(prefix="kkdash-store-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, request, open_folder) -> str:
    """The URL of a database that does not hold a chase log yet, on the backend under test."""
    if backend == "sqlite":
        return f"sqlite:///{open_folder / 'chase.sqlite3'}"
    return request.getfixturevalue("pg_server").create_database(f"log{next(_numbers)}")


@pytest.fixture
def log(db_url):
    with ChaseLog(db_url) as opened:
        yield opened


def typed(agency_id: str = "KK001", action: str = "called", *, note: str = "", promised_on: date | None = None,
          by: str = "hr@khonkaen.example", campaign: date = CAMPAIGN, **more) -> NewEntry:
    return new_entry(campaign=campaign, agency_id=agency_id, action=action, note=note, promised_on=promised_on, by=by,
                     today=date(2023, 7, 5), known_agencies=AGENCIES, **more)


def bangkok(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2023, 7, day, hour, minute, tzinfo=BANGKOK)


def run_unprivileged(func, *args):
    """func(*args) in a forked process, as an unprivileged user when the tests run as root -> its result.

    Root writes through any file mode, so a read-only file is only read-only to someone else.
    """
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    def child() -> None:
        try:
            if os.geteuid() == 0:
                user = unprivileged_user()
                os.setgroups([])
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)
            results.put(("ok", func(*args)))
        except BaseException as error:  # the parent reports it; a child must not die silently
            results.put(("error", f"{type(error).__name__}: {error}"))

    process = context.Process(target=child)
    process.start()
    status, value = results.get(timeout=120)
    process.join(timeout=30)
    assert status == "ok", value
    return value


def try_to_add(url: str) -> tuple[str, str, int]:
    """Open the log, count its entries, try to add one -> (kind, message, entries before)."""
    with ChaseLog(url, timeout=1) as opened:
        count = len(opened.entries(campaign=CAMPAIGN))
        try:
            opened.add(typed(note="ไม่ควรถูกบันทึก"))
        except StoreError as error:
            return error.kind, str(error), count
    return "saved", "", count


# --- what is stored, and that it stays ---------------------------------------------------------------

def test_entries_survive_a_restart(db_url):
    added = []
    with ChaseLog(db_url) as first:
        added.append(first.add(typed("KK001", "no_answer", note="โทร 2 ครั้ง\nไม่มีผู้รับสาย"), at=bangkok(9, 5)))
        added.append(first.add(typed("KK002", "called", note="<b>ผอ.</b> =1+1 مرحبا 😀", promised_on=date(2023, 7, 7),
                                     by="สมศรี ใจดี"), at=bangkok(10)))
        added.append(first.add(typed("KK002", "email", subject="แจ้งเตือนการส่งรายงาน",
                                     recipients=["saraban@kk002.example", "hr@kk002.example"]), at=bangkok(11)))
        added.append(first.add(typed("KK001", "called", note="แก้: มีผู้รับสาย", corrects=added[0].id), at=bangkok(12)))
    with ChaseLog(db_url) as second:
        pd.testing.assert_frame_equal(second.entries(campaign=CAMPAIGN), entries_frame(added))
    assert [entry.id for entry in added] == [1, 2, 3, 4]
    assert added[1] == Entry(campaign=CAMPAIGN, agency_id="KK002", action="called", note="<b>ผอ.</b> =1+1 مرحبا 😀",
                             promised_on=date(2023, 7, 7), by="สมศรี ใจดี", id=2, at=bangkok(10))


def test_times_are_stored_in_utc_and_read_in_bangkok(log, backend):
    log.add(typed(), at=bangkok(16))
    stored = {"sqlite": "SELECT at FROM chase_log",
              "postgresql": "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM chase_log"}
    with log.engine.connect() as connection:
        assert connection.exec_driver_sql(stored[backend]).scalar_one() == "2023-07-05 09:00:00.000000"
    read = log.entries(campaign=CAMPAIGN)["at"]
    assert str(read.dtype) == "datetime64[us, Asia/Bangkok]"
    assert read.tolist() == [pd.Timestamp("2023-07-05 16:00", tz=BANGKOK)]


def test_an_entry_without_a_time_gets_the_current_time(log):
    before = datetime.now(UTC)
    added = log.add(typed())
    after = datetime.now(UTC)
    assert before <= added.at <= after
    assert added.at.tzinfo == BANGKOK
    assert log.entries(campaign=CAMPAIGN)["at"].tolist() == [pd.Timestamp(added.at)]


def test_a_naive_time_is_refused(log):
    with pytest.raises(ValueError, match="timezone-aware"):
        log.add(typed(), at=datetime(2023, 7, 5, 9))
    assert log.entries(campaign=CAMPAIGN).empty


def test_a_new_campaign_starts_clean_and_the_old_one_stays_readable(log):
    old = log.add(typed("KK001"), at=bangkok(9))
    new = log.add(typed("KK001", "letter", campaign=NEXT_CAMPAIGN), at=bangkok(9, day=6))
    assert log.entries(campaign=CAMPAIGN)["id"].tolist() == [old.id]
    assert log.entries(campaign=NEXT_CAMPAIGN)["id"].tolist() == [new.id]
    assert log.entries(campaign=date(2025, 1, 1)).empty
    assert log.campaigns() == [NEXT_CAMPAIGN, CAMPAIGN]


def test_entries_of_one_agency_and_up_to_a_moment(log):
    ids = [log.add(typed(agency), at=bangkok(hour)).id for agency, hour in
           [("KK001", 9), ("KK002", 10), ("KK001", 11), ("KK003", 12)]]
    assert log.entries(campaign=CAMPAIGN, agency_id="KK001")["id"].tolist() == [ids[0], ids[2]]
    assert log.entries(campaign=CAMPAIGN, until=bangkok(11))["id"].tolist() == ids[:3]
    assert log.entries(campaign=CAMPAIGN, agency_id="KK001", until=bangkok(10, 59))["id"].tolist() == [ids[0]]
    assert log.entries(campaign=CAMPAIGN, until=bangkok(8, 59)).empty


def test_entries_come_oldest_first_whatever_order_they_were_added_in(log):
    late = log.add(typed(), at=bangkok(15))
    early = log.add(typed(), at=bangkok(8))
    assert log.entries(campaign=CAMPAIGN)["id"].tolist() == [early.id, late.id]


def test_refresh_reads_only_what_was_added_since(log):
    first = log.add(typed("KK001"), at=bangkok(9))
    earlier = log.entries(campaign=CAMPAIGN)
    assert log.refresh(earlier, campaign=CAMPAIGN) is earlier  # nothing new: the same frame back
    later = [log.add(typed("KK002", note="ใหม่"), at=bangkok(10)), log.add(typed("KK003"), at=bangkok(8))]
    log.add(typed("KK001", campaign=NEXT_CAMPAIGN), at=bangkok(11))
    refreshed = log.refresh(earlier, campaign=CAMPAIGN)
    pd.testing.assert_frame_equal(refreshed, entries_frame([later[1], first, later[0]]))
    pd.testing.assert_frame_equal(refreshed, log.entries(campaign=CAMPAIGN))
    pd.testing.assert_frame_equal(log.refresh(empty_entries(), campaign=CAMPAIGN), refreshed)


def test_refresh_reads_everything_again_when_an_entry_is_missing(log):
    for hour in (9, 10, 11):
        log.add(typed(), at=bangkok(hour))
    whole = log.entries(campaign=CAMPAIGN)
    pd.testing.assert_frame_equal(log.refresh(whole.drop(index=1), campaign=CAMPAIGN), whole)


def test_refresh_finds_an_entry_whose_number_came_before_but_commit_after(log, db_url, backend, request):
    if backend != "postgresql":
        pytest.skip("SQLite numbers entries in commit order: one writer at a time")
    server = request.getfixturevalue("pg_server")
    with server.connect(parse_url(db_url).database, autocommit=False) as slow:
        slow.execute("INSERT INTO chase_log (campaign, agency_id, action, note, author, at) "
                     "VALUES ('2023-07-07', 'KK002', 'letter', 'ช้า', 'สมศรี', '2023-07-05 02:30+00')")
        fast = log.add(typed("KK001"), at=bangkok(10))
        seen = log.entries(campaign=CAMPAIGN)
        assert seen["id"].tolist() == [fast.id]
        slow.commit()
    refreshed = log.refresh(seen, campaign=CAMPAIGN)
    assert refreshed["id"].tolist() == [fast.id - 1, fast.id]
    pd.testing.assert_frame_equal(refreshed, log.entries(campaign=CAMPAIGN))


# --- append-only: corrections --------------------------------------------------------------------------

def test_a_correction_is_a_new_entry_that_replaces_the_old_in_the_summary(log):
    call = log.add(typed("KK002", "called", promised_on=date(2023, 7, 6)), at=bangkok(9))
    fix = log.add(typed("KK002", "no_answer", note="กดผิด", corrects=call.id), at=bangkok(9, 30))
    entries = log.entries(campaign=CAMPAIGN)
    assert entries[["id", "action", "corrects"]].astype(object).values.tolist() == [[call.id, "called", pd.NA],
                                                                                     [fix.id, "no_answer", call.id]]
    summary = summarize(entries)
    assert summary.loc["KK002", ["last_action", "last_note", "promised_on", "entries"]].tolist() == [
        "no_answer", "กดผิด", None, 1]


@pytest.mark.parametrize(("agency", "campaign", "corrects", "message"), [
    ("KK001", CAMPAIGN, 99, "ไม่พบบันทึกลำดับที่ 99 ที่จะแก้ไข"),
    ("KK003", CAMPAIGN, 1, "บันทึกลำดับที่ 1 เป็นของหน่วยงาน KK001 รอบ 7 ก.ค. 2566: "
                           "แก้ไขได้เฉพาะบันทึกของหน่วยงานและรอบเดียวกัน"),
    ("KK001", NEXT_CAMPAIGN, 1, "บันทึกลำดับที่ 1 เป็นของหน่วยงาน KK001 รอบ 7 ก.ค. 2566: "
                                "แก้ไขได้เฉพาะบันทึกของหน่วยงานและรอบเดียวกัน"),
])
def test_a_correction_must_point_at_an_entry_of_the_same_agency_and_campaign(log, agency, campaign, corrects,
                                                                              message):
    log.add(typed("KK001"), at=bangkok(9))
    with pytest.raises(EntryError) as refused:
        log.add(typed(agency, campaign=campaign, corrects=corrects))
    assert str(refused.value) == message
    assert len(log.entries(campaign=campaign)) == (1 if campaign == CAMPAIGN else 0)


def test_the_log_offers_no_way_to_change_or_remove_an_entry():
    public = sorted(name for name in dir(ChaseLog) if not name.startswith("_"))
    assert public == ["add", "campaigns", "close", "engine", "entries", "refresh"]


@pytest.mark.parametrize("statement", [
    "UPDATE chase_log SET note = 'แก้ย้อนหลัง'",
    "UPDATE chase_log SET corrects = NULL",
    "DELETE FROM chase_log",
    "DELETE FROM chase_log WHERE id = 1",
])
def test_the_database_itself_refuses_to_change_or_delete_an_entry(log, statement):
    kept = log.add(typed(note="ต้นฉบับ"), at=bangkok(9))
    with pytest.raises(exc.DBAPIError, match="append-only"), log.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    pd.testing.assert_frame_equal(log.entries(campaign=CAMPAIGN), entries_frame([kept]))


def test_postgresql_refuses_to_truncate_the_log(log, backend):
    if backend != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite's DELETE without WHERE is refused above)")
    log.add(typed(), at=bangkok(9))
    with pytest.raises(exc.DBAPIError, match="append-only"), log.engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE chase_log")
    assert len(log.entries(campaign=CAMPAIGN)) == 1


# --- two processes at once ------------------------------------------------------------------------------

def _add_many(url: str, tag: str, count: int, barrier) -> None:
    """Open the log (both processes at once: the schema is made once), then add `count` entries."""
    with ChaseLog(url, timeout=30) as opened:
        barrier.wait(timeout=60)
        for number in range(count):
            opened.add(typed("KK001" if tag == "a" else "KK002", note=f"{tag}-{number:03d}"))


def test_two_processes_adding_500_entries_each_lose_and_duplicate_none(db_url):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_add_many, args=(db_url, tag, 500, barrier)) for tag in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    assert [worker.exitcode for worker in workers] == [0, 0]
    with ChaseLog(db_url) as opened:
        entries = opened.entries(campaign=CAMPAIGN)
    assert len(entries) == 1_000
    assert entries["id"].is_unique
    assert sorted(entries["note"]) == sorted(f"{tag}-{n:03d}" for tag in "ab" for n in range(500))
    for tag, agency in (("a", "KK001"), ("b", "KK002")):
        mine = entries[entries["note"].str.startswith(f"{tag}-")].sort_values("id")
        assert mine["note"].tolist() == [f"{tag}-{n:03d}" for n in range(500)]  # in the order each added them
        assert set(mine["agency_id"]) == {agency}


# --- schema versions --------------------------------------------------------------------------------------

# chase_log as revision 0001 made it: no subject, no recipients.
_OLD = Table(
    "chase_log", MetaData(),
    Column("id", Integer, primary_key=True), Column("campaign", Date), Column("agency_id", String(64)),
    Column("action", String(32)), Column("note", Text), Column("promised_on", Date), Column("author", String(200)),
    Column("at", UtcDateTime), Column("corrects", Integer),
)


def test_an_old_database_is_brought_forward_with_its_entries(db_url):
    engine = build_engine(parse_url(db_url), timeout=5)
    migration.upgrade(engine, "0001")
    old_rows = [
        {"campaign": CAMPAIGN, "agency_id": "KK001", "action": "called", "note": "รับปาก",
         "promised_on": date(2023, 7, 6), "author": "สมศรี", "at": bangkok(9), "corrects": None},
        {"campaign": CAMPAIGN, "agency_id": "KK001", "action": "no_answer", "note": "แก้ไข",
         "promised_on": None, "author": "สมศรี", "at": bangkok(10), "corrects": 1},
    ]
    with engine.begin() as connection:
        for row in old_rows:  # one by one, as the old code added them: ids 1 then 2
            connection.execute(insert(_OLD), row)
    engine.dispose()
    assert migration.current(build_engine(parse_url(db_url), timeout=5)) == "0001"

    with ChaseLog(db_url) as opened:
        migrated = opened.entries(campaign=CAMPAIGN)
        added = opened.add(typed("KK002", "email", subject="เตือน", recipients=["a@kk002.example"]), at=bangkok(11))
        after = opened.entries(campaign=CAMPAIGN)
        assert migration.current(opened.engine) == migration.head() == "0002"
    expected = [Entry(campaign=CAMPAIGN, agency_id="KK001", action="called", note="รับปาก",
                      promised_on=date(2023, 7, 6), by="สมศรี", id=1, at=bangkok(9)),
                Entry(campaign=CAMPAIGN, agency_id="KK001", action="no_answer", note="แก้ไข", promised_on=None,
                      by="สมศรี", corrects=1, id=2, at=bangkok(10))]
    pd.testing.assert_frame_equal(migrated, entries_frame(expected))
    pd.testing.assert_frame_equal(after, entries_frame([*expected, added]))
    assert added.id == 3


def test_taking_the_schema_back_and_forward_keeps_the_entries(db_url):
    with ChaseLog(db_url) as opened:
        kept = opened.add(typed(note="อยู่ครบ"), at=bangkok(9))
        migration.downgrade(opened.engine, "0001")
        assert migration.current(opened.engine) == "0001"
    with ChaseLog(db_url) as reopened:
        pd.testing.assert_frame_equal(reopened.entries(campaign=CAMPAIGN), entries_frame([kept]))


def test_a_database_newer_than_the_code_is_refused(db_url):
    with ChaseLog(db_url) as opened, opened.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
        where = opened.where
    with pytest.raises(StoreError) as refused:
        ChaseLog(db_url)
    assert refused.value.kind == "version"
    assert str(refused.value) == ("เปิดฐานข้อมูลบันทึกการติดตามไม่ได้: ฐานข้อมูลเป็นรุ่นที่ใหม่กว่าโปรแกรมนี้ "
                                  f"ให้ปรับรุ่นโปรแกรมก่อน ({where} รุ่น 0099)")


def test_the_default_database_is_a_sqlite_file_in_wal_mode_made_on_first_use(tmp_path):
    url = default_database_url(tmp_path / "cache")
    assert url == f"sqlite:///{tmp_path}/cache/chase-log.sqlite3"
    with ChaseLog(url) as opened:
        opened.add(typed(), at=bangkok(9))
    with contextlib.closing(sqlite3.connect(tmp_path / "cache" / "chase-log.sqlite3")) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("SELECT count(*) FROM chase_log").fetchone() == (1,)


# --- faults: one clear message, nothing lost --------------------------------------------------------------

@contextlib.contextmanager
def writer_holding_the_lock(backend: str, url: str):
    """Another connection in the middle of a write transaction on the chase log."""
    if backend == "sqlite":
        holder = sqlite3.connect(parse_url(url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        target = parse_url(url)
        holder = psycopg.connect(host=target.host, port=target.port, user=target.username, password=target.password,
                                 dbname=target.database)
        holder.execute("LOCK TABLE chase_log IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def test_a_locked_database_refuses_the_write_and_still_reads(db_url, backend):
    with ChaseLog(db_url) as opened:
        first = opened.add(typed(), at=bangkok(9))
    with writer_holding_the_lock(backend, db_url), ChaseLog(db_url, timeout=0.3) as busy:
        with pytest.raises(StoreError) as refused:
            busy.add(typed(note="รอไม่ไหว"))
        pd.testing.assert_frame_equal(busy.entries(campaign=CAMPAIGN), entries_frame([first]))
    assert refused.value.kind == "locked"
    assert str(refused.value) == "ยังไม่ได้บันทึก: ฐานข้อมูลไม่ว่าง มีผู้อื่นกำลังบันทึกอยู่ ลองอีกครั้งในอีกสักครู่"
    with ChaseLog(db_url) as free:
        free.add(typed(note="บันทึกได้แล้ว"))
        assert free.entries(campaign=CAMPAIGN)["note"].tolist() == ["", "บันทึกได้แล้ว"]


def make_read_only(backend: str, url: str, server: PostgresServer | None) -> str:
    """Take away the right to write -> the URL a reader opens the log with."""
    if backend == "sqlite":
        Path(parse_url(url).database).chmod(0o444)
        return url
    database = parse_url(url).database
    with server.connect(database) as admin:
        admin.execute("CREATE ROLE reader LOGIN PASSWORD 'reader-secret'")
        admin.execute(f'GRANT CONNECT ON DATABASE "{database}" TO reader')
        admin.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    return server.url(database, user="reader", password="reader-secret")


def test_a_read_only_database_refuses_the_write_and_still_reads(db_url, backend, request):
    with ChaseLog(db_url) as opened:
        opened.add(typed(), at=bangkok(9))
        where = opened.where
    server = request.getfixturevalue("pg_server") if backend == "postgresql" else None
    reader_url = make_read_only(backend, db_url, server)
    if backend == "postgresql":
        where = ChaseLog(reader_url).where
    kind, message, count = run_unprivileged(try_to_add, reader_url)
    assert (kind, count) == ("read_only", 1)
    with ChaseLog(db_url) as owner:
        assert owner.entries(campaign=CAMPAIGN)["note"].tolist() == [""]
    assert message == f"ยังไม่ได้บันทึก: ฐานข้อมูลเปิดได้แบบอ่านอย่างเดียว แจ้งผู้ดูแลระบบให้ตรวจสิทธิ์การเขียน ({where})"
    assert "reader-secret" not in message


@pytest.fixture
def small_disk(backend, request):
    """For PostgreSQL, a 1 MB file system as the default tablespace of the database under test."""
    if backend == "sqlite":
        yield None
        return
    server = request.getfixturevalue("pg_server")
    folder = Path(tempfile.mkdtemp(prefix="kkdash-disk-"))
    owner = unprivileged_user() if os.geteuid() == 0 else None
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip("a full disk for PostgreSQL needs a small file system; mounting one needs root")
    if owner:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    name = f"tight{next(_numbers)}"
    with server.connect() as admin:
        admin.execute(f"CREATE TABLESPACE {name} LOCATION '{folder}'")
    yield name
    subprocess.run(["umount", "-l", str(folder)], check=False)
    shutil.rmtree(folder, ignore_errors=True)


def _cap_sqlite_size(log: ChaseLog) -> None:
    """Let the SQLite file grow by a few pages only: SQLite's own "database or disk is full"."""
    with log.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
    event.listen(log.engine, "connect", lambda raw, _: raw.execute(f"PRAGMA max_page_count = {pages + 8}"))
    log.engine.dispose()


def test_a_full_disk_refuses_the_write_and_loses_nothing(db_url, backend, small_disk, request):
    if backend == "postgresql":
        database = parse_url(db_url).database
        with request.getfixturevalue("pg_server").connect() as admin:
            admin.execute(f'ALTER DATABASE "{database}" SET default_tablespace = {small_disk}')
    saved = []
    words = random.Random(14)
    with ChaseLog(db_url) as opened:
        if backend == "sqlite":
            _cap_sqlite_size(opened)
        with pytest.raises(StoreError) as refused:
            for _ in range(2_000):  # 1 MB holds about 170 notes of 2 000 Thai letters
                note = "".join(words.choice("กขคงจฉชซญฎฐณดตถทนบปผพฟภมยรลวศษสหอฮะาิีึืุู") for _ in range(2_000))
                saved.append(opened.add(typed(note=note), at=bangkok(9)))
        read_back = opened.entries(campaign=CAMPAIGN)
        where = opened.where
    assert refused.value.kind == "full"
    assert str(refused.value) == f"ยังไม่ได้บันทึก: พื้นที่เก็บฐานข้อมูลเต็ม แจ้งผู้ดูแลระบบให้เพิ่มพื้นที่ ({where})"
    assert len(saved) >= 1
    pd.testing.assert_frame_equal(read_back, entries_frame(saved))


def unreachable_url(backend: str, folder: Path, server_password: str) -> str:
    """A database that cannot be reached: a file under a file; a port nothing listens on."""
    if backend == "sqlite":
        (folder / "a-file").write_text("not a folder")
        return f"sqlite:///{folder / 'a-file' / 'chase.sqlite3'}"
    return f"postgresql://kkdash:{server_password}@127.0.0.1:{free_port()}/kkdash"


def test_an_unreachable_database_gives_one_message_without_the_password(backend, open_folder):
    url = unreachable_url(backend, open_folder, "s3cret-pass")
    with pytest.raises(StoreError) as refused:
        ChaseLog(url, timeout=2)
    where = (str(open_folder / "a-file" / "chase.sqlite3") if backend == "sqlite"
             else f"postgresql+psycopg://kkdash:***@127.0.0.1:{parse_url(url).port}/kkdash")
    assert refused.value.kind == "unreachable"
    assert str(refused.value) == ("เปิดฐานข้อมูลบันทึกการติดตามไม่ได้: ติดต่อฐานข้อมูลไม่ได้ "
                                  f"ตรวจที่อยู่ฐานข้อมูลและการเชื่อมต่อ ({where})")
    assert "s3cret-pass" not in str(refused.value) + refused.value.detail
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def try_to_open(url: str) -> tuple[str, str]:
    """Open the log -> (kind, message) of the StoreError it raised, or ("opened", "")."""
    try:
        ChaseLog(url, timeout=1).close()
    except StoreError as error:
        return error.kind, str(error)
    return "opened", ""


@pytest.mark.parametrize("inside", ["chase.sqlite3", "new-folder/chase.sqlite3"])
def test_a_sqlite_file_in_a_read_only_folder_is_unreachable(open_folder, inside):
    locked = open_folder / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    assert run_unprivileged(try_to_open, f"sqlite:///{locked / inside}") == (
        "unreachable", f"เปิดฐานข้อมูลบันทึกการติดตามไม่ได้: ติดต่อฐานข้อมูลไม่ได้ ตรวจที่อยู่ฐานข้อมูลและการเชื่อมต่อ ({locked / inside})")


def test_a_file_that_is_not_a_database_is_named_as_such(open_folder):
    path = open_folder / "agencies.csv"
    path.write_text("agency_id,name_th\nKK001,สำนักงานจังหวัดขอนแก่น\n" * 50)
    with pytest.raises(StoreError) as refused:
        ChaseLog(f"sqlite:///{path}")
    assert refused.value.kind == "corrupt"
    assert str(refused.value) == f"เปิดฐานข้อมูลบันทึกการติดตามไม่ได้: ไฟล์ฐานข้อมูลเสียหายหรือไม่ใช่ฐานข้อมูล ({path})"


def test_a_server_that_goes_away_after_start_up_gives_one_message_per_action():
    require_postgres()
    with PostgresServer() as server:  # its own server: this one is stopped half-way
        log = ChaseLog(server.create_database("gone"), timeout=2)
        log.add(typed(), at=bangkok(9))
        server.stop()
        with pytest.raises(StoreError) as writing:
            log.add(typed(note="ยังอยู่ในแบบฟอร์ม"))
        with pytest.raises(StoreError) as reading:
            log.entries(campaign=CAMPAIGN)
    reason = f"ติดต่อฐานข้อมูลไม่ได้ ตรวจที่อยู่ฐานข้อมูลและการเชื่อมต่อ ({log.where})"
    assert (writing.value.kind, str(writing.value)) == ("unreachable", f"ยังไม่ได้บันทึก: {reason}")
    assert (reading.value.kind, str(reading.value)) == ("unreachable", f"อ่านบันทึกการติดตามไม่ได้: {reason}")


def test_a_wrong_password_is_refused_without_showing_it(pg_server):
    url = pg_server.url("postgres", password="not-the-password")
    with pytest.raises(StoreError) as refused:
        ChaseLog(url)
    assert refused.value.kind == "denied"
    assert str(refused.value) == ("เปิดฐานข้อมูลบันทึกการติดตามไม่ได้: ฐานข้อมูลไม่ยอมรับชื่อผู้ใช้หรือรหัสผ่าน "
                                  f"(postgresql+psycopg://kkdash:***@127.0.0.1:{pg_server.port}/postgres)")
    assert "not-the-password" not in str(refused.value) + refused.value.detail + repr(refused.value)


@pytest.mark.parametrize("url", ["mysql://user@host/db", "not a url", "sqlite://", "sqlite:///:memory:", ""])
def test_a_url_kkdash_cannot_use_is_a_setting_to_fix(url):
    with pytest.raises(StoreError) as refused:
        ChaseLog(url)
    assert refused.value.kind == "config"
    assert str(refused.value) == ("เปิดฐานข้อมูลบันทึกการติดตามไม่ได้: ที่อยู่ฐานข้อมูลไม่ถูกต้อง ใช้ sqlite:///ไฟล์.db "
                                  "หรือ postgresql://ผู้ใช้@เครื่อง:พอร์ต/ฐานข้อมูล")


def test_postgres_urls_without_a_driver_use_psycopg_3():
    assert parse_url("postgres://u:p@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgresql://u:p@h:5433/db").render_as_string(hide_password=False) == (
        "postgresql+psycopg://u:p@h:5433/db")


def test_the_log_shows_where_it_is_without_the_password(pg_server):
    url = pg_server.create_database(f"shown{next(_numbers)}")
    with ChaseLog(url) as opened:
        where = f"postgresql+psycopg://kkdash:***@127.0.0.1:{pg_server.port}/{parse_url(url).database}"
        assert repr(opened) == f"ChaseLog({where!r})"
        assert pg_server.password not in repr(opened)


def test_an_entry_recorded_for_an_earlier_moment_keeps_that_moment(log):
    old = log.add(typed(), at=bangkok(9) - timedelta(days=400))
    assert log.entries(campaign=CAMPAIGN)["at"].tolist() == [pd.Timestamp(old.at)]
