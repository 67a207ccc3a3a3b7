"""The shared Feed: one background read per interval for every viewer, last good data on every fault."""

import threading

import pytest

from kkdash import sheets, snapshot
from kkdash.errors import InputError
from kkdash.feed import MANUAL_REFRESH_GAP, Feed, read_once
from kkdash.settings import SheetSettings
from tools.fakesheets import FakeSheets, make_service_account_info

pytestmark = pytest.mark.timeout(60)

HEADER = ["ประทับเวลา", "ชื่อหน่วยงาน", "เบอร์โทรศัพท์"]
FIRST = [HEADER, ["26/6/2566, 9:15:02", "สำนักงานจังหวัดขอนแก่น", "0812345678"]]
SECOND = [*FIRST, ["27/6/2566, 10:00:00", "ที่ว่าการอำเภอพล", "0899999999"]]
FOUR = [HEADER] + [[f"2{i}/6/2566, 9:00:00", f"หน่วยงาน {i}", ""] for i in range(4)]


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


def sheet_settings(fake) -> SheetSettings:
    return SheetSettings(sheet_key=fake.key, service_account_info=make_service_account_info(), refresh_seconds=60)


class Gate:
    """Holds reads at Google's door while closed: a stuck network the test opens when it is ready."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.waiting = threading.Event()

    def close(self) -> None:
        self.open.clear()
        self.waiting.clear()

    def pass_through(self) -> None:
        if not self.open.is_set():
            self.waiting.set()
            self.open.wait(30)


def make_feed(fake, clock, tmp_path, *, settings=None, gate=None, **kwargs) -> Feed:
    """A Feed reading the fake sheet with the real gspread client, never sleeping between retries."""
    session = fake.session()

    def fetch(s):
        if gate is not None:
            gate.pass_through()
        return sheets.fetch_tables(s, session=session, sleep=lambda _: None, max_attempts=3)

    return Feed(settings or sheet_settings(fake), snapshot_path=tmp_path / "snap.json", fetch=fetch, clock=clock,
                **kwargs)


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


def settle(feed: Feed):
    """Wait for the background read under way (a signal, not a sleep), then the state every viewer sees."""
    assert feed.wait(timeout=30)
    return feed.current()


def test_twenty_viewers_cost_one_read_per_interval(fake, clock, tmp_path):
    feed = make_feed(fake, clock, tmp_path)
    first = view_concurrently(feed)
    assert fake.count(fake.batch_get_path) == 1
    assert all(state.tables.responses == FIRST for state in first)
    clock.now += 30
    view_concurrently(feed)
    assert feed.wait(timeout=30)
    assert fake.count(fake.batch_get_path) == 1
    fake.set_worksheet("Form Responses 1", SECOND)
    clock.now += 30
    view_concurrently(feed)
    assert settle(feed).tables.responses == SECOND
    assert fake.count(fake.batch_get_path) == 2


def test_a_viewer_never_waits_for_google_once_there_is_data(fake, clock, tmp_path):
    gate = Gate()
    feed = make_feed(fake, clock, tmp_path, gate=gate)
    feed.current()
    gate.close()  # Google is stuck until the test lets go
    fake.set_worksheet("Form Responses 1", SECOND)
    clock.now += 60
    during = feed.current()  # returns although the read it started cannot finish
    assert gate.waiting.wait(30)
    assert (during.tables.responses, during.reading, feed.state.reading) == (FIRST, True, True)
    gate.open.set()
    after = settle(feed)
    assert (after.tables.responses, after.reading, after.error) == (SECOND, False, None)


def test_a_fault_keeps_the_last_good_data_and_says_why(fake, clock, tmp_path):
    feed = make_feed(fake, clock, tmp_path)
    good = feed.current()
    fake.fail_next("500", times=3)
    clock.now += 60
    feed.current()
    state = settle(feed)
    assert state.tables is good.tables
    assert state.error == "ติดต่อ Google Sheets ไม่ได้ หลังลองแล้ว 3 ครั้ง (HTTP 500) จะลองใหม่ในรอบรีเฟรชถัดไป"
    assert state.fetched_at == good.fetched_at
    assert fake.count(fake.batch_get_path) == 4  # the good read, then three attempts
    assert snapshot.load_snapshot(tmp_path / "snap.json").responses == FIRST


def test_the_next_interval_recovers(fake, clock, tmp_path):
    feed = make_feed(fake, clock, tmp_path)
    feed.current()
    fake.fail_next("429", times=3)
    clock.now += 60
    feed.current()
    assert settle(feed).error is not None
    fake.set_worksheet("Form Responses 1", SECOND)
    clock.now += 60
    feed.current()
    state = settle(feed)
    assert (state.error, state.tables.responses) == (None, SECOND)


def test_a_restart_during_an_outage_shows_the_snapshot(fake, clock, tmp_path):
    make_feed(fake, clock, tmp_path).current()
    fake.fail_next("403", times=5)
    restarted = make_feed(fake, Clock(), tmp_path)
    assert restarted.state.from_snapshot is True
    restarted.current()
    state = settle(restarted)
    assert state.tables.responses == FIRST
    assert "แชร์" in state.error


def test_the_refresh_button_is_rate_limited(fake, clock, tmp_path):
    feed = make_feed(fake, clock, tmp_path)
    feed.current()
    assert feed.refresh_now() is True
    assert feed.wait(timeout=30)
    assert feed.refresh_now() is False
    clock.now += MANUAL_REFRESH_GAP
    assert feed.refresh_now() is True
    assert feed.wait(timeout=30)
    assert fake.count(fake.batch_get_path) == 3


def test_no_snapshot_and_a_fault_means_no_tables_and_a_reason(fake, clock, tmp_path):
    fake.fail_next("404", times=1)
    fake.remove_worksheet("Form Responses 1")
    state = make_feed(fake, clock, tmp_path).current()
    assert state.tables is None
    assert "Form Responses 1" in state.error


def test_an_unusable_read_keeps_the_last_good_data_and_the_snapshot(fake, clock, tmp_path):
    def check(tables):
        if tables.responses[0][1] != "ชื่อหน่วยงาน":
            raise InputError("ไม่พบคอลัมน์ที่จำเป็นในแผ่นงานคำตอบ: 'ชื่อหน่วยงาน'")
        return "checked"

    feed = make_feed(fake, clock, tmp_path, check=check)
    assert feed.current().checked == "checked"
    fake.set_worksheet("Form Responses 1", [["ประทับเวลา", "ชื่อ", "เบอร์โทรศัพท์"], *FIRST[1:]])
    clock.now += 60
    feed.current()
    state = settle(feed)
    assert (state.tables.responses, state.unusable, state.error) == (
        FIRST, True, "ไม่พบคอลัมน์ที่จำเป็นในแผ่นงานคำตอบ: 'ชื่อหน่วยงาน'")
    assert snapshot.load_snapshot(tmp_path / "snap.json").responses == FIRST


@pytest.mark.parametrize(("rows", "after"), [([HEADER], 0), (FOUR[:2], 1)])
def test_a_read_that_lost_most_answers_is_held_until_hr_confirms(fake, clock, tmp_path, rows, after):
    fake.set_worksheet("Form Responses 1", FOUR)
    feed = make_feed(fake, clock, tmp_path)
    good = feed.current()
    fake.set_worksheet("Form Responses 1", rows)
    clock.now += 60
    feed.current()
    state = settle(feed)
    assert (state.tables.responses, state.error, state.held.before, state.held.after) == (FOUR, None, 4, after)
    assert state.held.tables.responses == rows
    assert snapshot.load_snapshot(tmp_path / "snap.json").responses == FOUR
    # Every viewer sees the same held read; the confirmation names it, so a stale one changes nothing.
    assert {id(s.held) for s in view_concurrently(feed, 5)} == {id(state.held)}
    assert feed.confirm(good.fetched_at) is False
    assert feed.confirm(state.held.fetched_at) is True
    confirmed = feed.current()
    assert (confirmed.tables.responses, confirmed.held) == (rows, None)
    assert snapshot.load_snapshot(tmp_path / "snap.json").responses == rows


def test_losing_no_more_than_half_is_an_ordinary_read(fake, clock, tmp_path):
    fake.set_worksheet("Form Responses 1", FOUR)
    feed = make_feed(fake, clock, tmp_path)
    feed.current()
    fake.set_worksheet("Form Responses 1", FOUR[:3])
    clock.now += 60
    feed.current()
    state = settle(feed)
    assert (state.tables.responses, state.held) == (FOUR[:3], None)


def test_a_header_only_sheet_with_nothing_shown_before_is_the_truth(fake, clock, tmp_path):
    fake.set_worksheet("Form Responses 1", [HEADER])
    state = make_feed(fake, clock, tmp_path).current()
    assert (state.tables.responses, state.held) == ([HEADER], None)


def test_a_restart_while_a_read_is_held_still_shows_the_last_good_snapshot(fake, clock, tmp_path):
    make_feed(fake, clock, tmp_path).current()
    fake.set_worksheet("Form Responses 1", [HEADER])
    restarted = make_feed(fake, Clock(), tmp_path)
    restarted.current()
    state = settle(restarted)
    assert (state.tables.responses, state.from_snapshot, state.held.after) == (FIRST, True, 0)


def test_the_cli_read_holds_back_a_lost_sheet_unless_told_to_accept_it(fake, tmp_path):
    settings, session, path = sheet_settings(fake), fake.session(), tmp_path / "snap.json"

    def fetch(s):
        return sheets.fetch_tables(s, session=session, sleep=lambda _: None)

    assert read_once(settings, snapshot_path=path, fetch=fetch).tables.responses == FIRST
    fake.set_worksheet("Form Responses 1", [HEADER])
    held = read_once(settings, snapshot_path=path, fetch=fetch)
    assert (held.tables.responses, held.from_snapshot, held.held.after) == (FIRST, True, 0)
    accepted = read_once(settings, snapshot_path=path, fetch=fetch, accept_drop=True)
    assert (accepted.tables.responses, accepted.held) == ([HEADER], None)
    assert snapshot.load_snapshot(path).responses == [HEADER]


def test_a_read_stuck_past_its_deadline_does_not_block_the_next(fake, clock, tmp_path):
    settings = SheetSettings(sheet_key=fake.key, service_account_info=make_service_account_info(),
                             refresh_seconds=60, read_deadline_seconds=5)
    gate = Gate()
    feed = make_feed(fake, clock, tmp_path, settings=settings, gate=gate)
    feed.current()
    gate.close()
    clock.now += 60
    feed.current()
    assert gate.waiting.wait(30)  # this read hangs (a resolver that never answers)
    fake.set_worksheet("Form Responses 1", SECOND)
    clock.now += 60  # past twice the deadline: the stuck read is given up
    started = feed.current()
    assert started.reading is True
    gate.open.set()  # both reads now go ahead; only the newer one counts
    state = settle(feed)
    assert state.tables.responses == SECOND
