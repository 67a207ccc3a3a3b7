"""The shared Feed: one sheet read per interval for every viewer, last good data on every fault."""

import threading

import pytest

from kkdash import sheets
from kkdash.feed import MANUAL_REFRESH_GAP, Feed
from kkdash.settings import SheetSettings
from tools.fakesheets import FakeSheets, make_service_account_info

pytestmark = pytest.mark.timeout(60)

HEADER = ["ประทับเวลา", "ชื่อหน่วยงาน", "เบอร์โทรศัพท์"]
FIRST = [HEADER, ["26/6/2566, 9:15:02", "สำนักงานจังหวัดขอนแก่น", "0812345678"]]
SECOND = [*FIRST, ["27/6/2566, 10:00:00", "ที่ว่าการอำเภอพล", "0899999999"]]


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake():
    with FakeSheets({"Form Responses 1": FIRST}) as server:
        yield server


@pytest.fixture
def clock():
    return Clock()


def make_feed(fake, clock, tmp_path, **kwargs) -> Feed:
    """A Feed reading the fake sheet with the real gspread client, never sleeping between retries."""
    settings = SheetSettings(sheet_key=fake.key, service_account_info=make_service_account_info(),
                             refresh_seconds=60)
    session = fake.session()

    def fetch(s):
        return sheets.fetch_tables(s, session=session, sleep=lambda _: None, max_attempts=3)

    return Feed(settings, snapshot_path=tmp_path / "snap.json", fetch=fetch, clock=clock, **kwargs)


def view_concurrently(feed: Feed, viewers: int = 20) -> list:
    """``viewers`` sessions ask for the data at the same moment; returns what each saw."""
    barrier = threading.Barrier(viewers)
    seen = [None] * viewers

    def view(i):
        barrier.wait()
        seen[i] = feed.current()

    threads = [threading.Thread(target=view, args=(i,)) for i in range(viewers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen


def test_twenty_viewers_cost_one_read_per_interval(fake, clock, tmp_path):
    feed = make_feed(fake, clock, tmp_path)
    first = view_concurrently(feed)
    assert fake.count(fake.batch_get_path) == 1
    assert all(state.tables.responses == FIRST for state in first)
    clock.now += 30
    view_concurrently(feed)
    assert fake.count(fake.batch_get_path) == 1
    fake.set_worksheet("Form Responses 1", SECOND)
    clock.now += 30
    view_concurrently(feed)
    assert fake.count(fake.batch_get_path) == 2
    assert feed.current().tables.responses == SECOND


def test_a_fault_keeps_the_last_good_data_and_says_why(fake, clock, tmp_path):
    feed = make_feed(fake, clock, tmp_path)
    good = feed.current()
    fake.fail_next("500", times=3)
    clock.now += 60
    state = feed.current()
    assert state.tables is good.tables
    assert state.error == "ติดต่อ Google Sheets ไม่ได้ หลังลองแล้ว 3 ครั้ง (HTTP 500) จะลองใหม่ในรอบรีเฟรชถัดไป"
    assert state.fetched_at == good.fetched_at
    assert fake.count(fake.batch_get_path) == 4  # the good read, then three attempts


def test_the_next_interval_recovers(fake, clock, tmp_path):
    feed = make_feed(fake, clock, tmp_path)
    feed.current()
    fake.fail_next("429", times=3)
    clock.now += 60
    assert feed.current().error is not None
    fake.set_worksheet("Form Responses 1", SECOND)
    clock.now += 60
    state = feed.current()
    assert (state.error, state.tables.responses) == (None, SECOND)


def test_a_restart_during_an_outage_shows_the_snapshot(fake, clock, tmp_path):
    make_feed(fake, clock, tmp_path).current()
    fake.fail_next("403", times=5)
    restarted = make_feed(fake, Clock(), tmp_path)
    assert restarted.state.from_snapshot is True
    state = restarted.current()
    assert state.tables.responses == FIRST
    assert "แชร์" in state.error


def test_the_refresh_button_is_rate_limited(fake, clock, tmp_path):
    feed = make_feed(fake, clock, tmp_path)
    feed.current()
    assert feed.refresh_now() is True
    assert feed.refresh_now() is False
    clock.now += MANUAL_REFRESH_GAP
    assert feed.refresh_now() is True
    assert fake.count(fake.batch_get_path) == 3


def test_no_snapshot_and_a_fault_means_no_tables_and_a_reason(fake, clock, tmp_path):
    fake.fail_next("404", times=1)
    fake.remove_worksheet("Form Responses 1")
    state = make_feed(fake, clock, tmp_path).current()
    assert state.tables is None
    assert "Form Responses 1" in state.error
