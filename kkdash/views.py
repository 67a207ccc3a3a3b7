"""Outcome -> the tables and figures a page shows, in Thai, plus the follow-up filters.

Pure pandas (no Streamlit), so every page's logic is tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from kkdash.chase import promise_passed
from kkdash.contacts import first_phone
from kkdash.dates import format_thai_date, thai_times
from kkdash.formats import format_int, format_pct, int_texts
from kkdash.labels import (
    ACTIONS_TH,
    CALL_SOURCE_TH,
    CHASE_FILTER_TH,
    FATES_TH,
    FILTER_STATUS_TH,
    KINDS_TH,
    LATE,
    LINK_OK,
    LINK_STATUS_TH,
    MISSING,
    NEEDS_CORRECTION,
    NEEDS_CORRECTION_BADGE,
    NEEDS_CORRECTION_TH,
    NO_DECLARATION,
    NO_LINK,
    NOT_CHASED,
    NOT_FULLY_SIGNED,
    NOT_PUBLISHED,
    ON_TIME,
    OVERDUE_BADGE,
    OVERDUE_TH,
    PROMISE_PASSED,
    REJECTED,
    STATUS_BADGES,
    STATUS_TH,
    SUPERSEDED,
    UNCHECKED,
    UNREACHABLE,
    USED,
    WARNING,
)
from kkdash.linkreport import only_sample_links
from kkdash.matching import format_candidates
from kkdash.metrics import day_offset
from kkdash.names import normalize_name, normalize_names
from kkdash.pipeline import Outcome
from kkdash.redaction import mask_personal
from kkdash.schema import PERSONNEL_TYPES

PROVINCE_FILTER = "province"


@dataclass(frozen=True)
class Kpi:
    """One headline card: label, value, the detail under it in at most two parts (one line each on paper,
    joined by ``joiner`` on screen), and the status its value is coloured as on paper (ON_TIME, MISSING,
    or '' for ink)."""

    label: str
    value: str
    details: tuple[str, ...] = ()
    status: str = ""
    joiner: str = " · "

    @property
    def detail(self) -> str:
        """The detail as one line, as the overview shows it."""
        return self.joiner.join(self.details)


def headline(outcome: Outcome, *, verified: int | None = None, sample_links: bool = False) -> list[Kpi]:
    """The overview's KPI cards, in reading order (``verified``: links the checker found online;
    ``sample_links``: every link is the demo's made-up `.example` one, so none can be verified)."""
    p = outcome.province
    days = day_offset(outcome.deadline, outcome.as_of)
    missing_label = "เลยกำหนดแล้ว ยังไม่ส่ง" if p["agencies_overdue"] else "ยังไม่ส่ง"
    correcting = p["agencies_needing_correction"]
    # While any agency is missing, how many of them sent a report that must be corrected (0 says none did).
    missing_detail = ("หน่วยงาน", f"ส่งแล้วแต่ต้องแก้ไข {correcting:,}") if p["agencies_missing"] else ("หน่วยงาน",)
    return [
        Kpi("ส่งรายงานแล้ว", f"{p['agencies_reported']:,}/{p['agencies_expected']:,}",
            (format_pct(_share(p["agencies_reported"], p["agencies_expected"])) + " ของหน่วยงาน",)),
        Kpi("ส่งตรงเวลา", format_int(p["agencies_on_time"]), ("หน่วยงาน",), ON_TIME),
        Kpi("ส่งล่าช้า", format_int(p["agencies_late"]), ("หน่วยงาน",)),
        Kpi(missing_label, format_int(p["agencies_missing"]), missing_detail, MISSING if p["agencies_missing"] else ""),
        # A rate over the agencies that have reported: the card says so, and how many they are.
        Kpi("บุคลากรลงนาม", format_pct(p["signing_rate"] if p["agencies_reported"] else None),
            (f"{p['personnel_signed']:,}/{p['personnel_total']:,} คน",
             f"ของหน่วยงานที่ส่งแล้ว {p['agencies_reported']:,} แห่ง"), joiner=" "),
        Kpi("ลงนามครบทุกคน", format_int(p["agencies_fully_signed"]), ("หน่วยงาน",)),
        Kpi("เผยแพร่บนเว็บไซต์", format_int(p["agencies_published"]), _published_detail(verified, sample_links)),
        deadline_card(days, outcome),
    ]


def _published_detail(verified: int | None, sample_links: bool) -> tuple[str, ...]:
    if sample_links:
        return "หน่วยงาน", "ลิงก์สมมติของข้อมูลตัวอย่าง"
    return ("หน่วยงาน", "ยังไม่ตรวจลิงก์") if verified is None else (f"ลิงก์ใช้ได้จริง {verified:,} หน่วยงาน",)


def deadline_card(days: int, outcome: Outcome) -> Kpi:
    """Days left to (or past) the deadline -> its card (the value in the missing colour from the deadline on)."""
    when = (f"กำหนดส่ง {format_thai_date(outcome.deadline)}",)
    if days > 0:
        return Kpi("เหลือเวลา", f"{days:,} วัน", when)
    if days == 0:
        return Kpi("ครบกำหนด", "วันนี้", when, MISSING)
    return Kpi("เลยกำหนดมาแล้ว", f"{-days:,} วัน", when, MISSING)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class AgencyFilters:
    """The follow-up page's filters; they round-trip through the URL's query string."""

    statuses: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()  # district codes, or "province" for the province-level group
    kinds: tuple[str, ...] = ()
    query: str = ""
    links: tuple[str, ...] = ()  # link-check statuses
    chase: tuple[str, ...] = ()  # not_chased / promise_passed (the chase log: hr only)

    def to_params(self) -> dict[str, str]:
        """Filters -> query parameters (empty filters left out so links stay short)."""
        params = {"status": ",".join(self.statuses), "district": ",".join(self.districts),
                  "kind": ",".join(self.kinds), "q": self.query, "link": ",".join(self.links),
                  "chase": ",".join(self.chase)}
        return {k: v for k, v in params.items() if v}


def filters_from_params(params: Mapping[str, str]) -> AgencyFilters:
    """Query parameters -> AgencyFilters, ignoring values that are not options."""
    def listed(key: str, allowed) -> tuple[str, ...]:
        values = [v for v in str(params.get(key, "")).split(",") if v]
        return tuple(v for v in values if allowed is None or v in allowed)

    return AgencyFilters(
        statuses=listed("status", FILTER_STATUS_TH), districts=listed("district", None),
        kinds=listed("kind", KINDS_TH), query=str(params.get("q", "")).strip(),
        links=listed("link", LINK_STATUS_TH), chase=listed("chase", CHASE_FILTER_TH),
    )


def apply_filters(agencies: pd.DataFrame, filters: AgencyFilters) -> pd.DataFrame:
    """Agency statuses -> the rows matching every filter (statuses: any of the chosen)."""
    keep = pd.Series(True, index=agencies.index)
    if filters.statuses:
        keep &= _status_mask(agencies, filters.statuses)
    if filters.districts:
        codes = ["" if d == PROVINCE_FILTER else d for d in filters.districts]
        keep &= agencies["district_code"].isin(codes)
    if filters.kinds:
        keep &= agencies["kind"].isin(filters.kinds)
    if filters.links and "link_status" in agencies:
        keep &= agencies["link_status"].isin(filters.links)
    if filters.chase and "chased" in agencies:
        keep &= _chase_mask(agencies, filters.chase)
    if filters.query:
        keep &= search_mask(agencies, filters.query)
    return agencies[keep]


def _chase_mask(agencies: pd.DataFrame, chase: tuple[str, ...]) -> pd.Series:
    """Any of: nobody chased it yet (among those still owing a report) / it promised a date now past."""
    owing = agencies["status"].eq(MISSING)
    masks = {NOT_CHASED: owing & ~agencies["chased"], PROMISE_PASSED: owing & agencies["promise_passed"]}
    mask = pd.Series(False, index=agencies.index)
    for name in chase:
        mask |= masks[name]
    return mask


def with_chase(agencies: pd.DataFrame, summary: pd.DataFrame, *, today: date) -> pd.DataFrame:
    """Agencies + the chase log's summary (kkdash.chase.summarize) -> last action, when, by whom, the promise,
    whether it was chased at all and whether its promise has passed while it is still missing."""
    joined = agencies.join(summary[["last_action", "last_at", "last_by", "promised_on", "entries"]], on="agency_id")
    joined["chased"] = joined["entries"].notna()
    joined["entries"] = joined["entries"].fillna(0).astype("int64")
    passed = joined["agency_id"].map(promise_passed(summary, today=today)).fillna(False).astype(bool)
    joined["promise_passed"] = passed & joined["status"].eq(MISSING)
    promised = joined["promised_on"].map(lambda day: day if isinstance(day, date) else None)  # NaN where no entry
    return joined.assign(promised_on=promised.astype(object))


def chase_progress(agencies: pd.DataFrame, chased: frozenset[str]) -> tuple[int, int]:
    """How many of the agencies still to chase (missing or late) have a chase-log entry -> (chased, to chase)."""
    to_chase = agencies.loc[agencies["status"].isin([MISSING, LATE]), "agency_id"]
    return int(to_chase.isin(chased).sum()), len(to_chase)


def chase_sentence(done: int, total: int) -> str:
    """`ติดตามแล้ว 12 จาก 68 หน่วยงานที่ยังไม่ส่งหรือส่งล่าช้า` (counts only: what a viewer may see of the log)."""
    return f"ติดตามแล้ว {done:,} จาก {total:,} หน่วยงานที่ยังไม่ส่งหรือส่งล่าช้า"


def district_names(agencies: pd.DataFrame) -> dict[str, str]:
    """The districts the agencies are in -> {code: Thai name}, in code order (the province group has no code)."""
    pairs = agencies[["district_code", "district_name_th"]].drop_duplicates().sort_values("district_code")
    return {code: name for code, name in pairs.itertuples(index=False) if code}


def search_mask(agencies: pd.DataFrame, query: str) -> pd.Series:
    """Agencies whose name, alias or code holds ``query``, both read as sheet names are (`สนง.`, `ขก`, spaces)."""
    needle = normalize_name(query)
    # "|" keeps an abbreviation from forming across the end of one field and the start of the next.
    haystack = normalize_names((agencies["name_th"] + "|" + agencies["aliases"] + "|" + agencies["agency_id"]).tolist())
    return pd.Series(haystack, index=agencies.index, dtype="object").str.contains(needle, regex=False)


def _status_mask(agencies: pd.DataFrame, statuses: tuple[str, ...]) -> pd.Series:
    reported = agencies["status"].ne(MISSING)
    masks = {
        MISSING: agencies["status"].eq(MISSING), NEEDS_CORRECTION: agencies["needs_correction"],
        LATE: agencies["status"].eq(LATE),
        ON_TIME: agencies["status"].eq(ON_TIME),
        NOT_FULLY_SIGNED: reported & ~agencies["fully_signed"],
        NOT_PUBLISHED: reported & ~agencies["published"],
    }
    mask = pd.Series(False, index=agencies.index)
    for status in statuses:
        mask |= masks[status]
    return mask


def with_link_status(agencies: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Add `link_status` (ok / unreachable / no_declaration / unchecked / no_link) from link-check results."""
    by_url = dict(zip(results["url"], results["status"], strict=True)) if len(results) else {}
    status = agencies["published_url"].map(
        lambda url: by_url.get(url, UNCHECKED) if isinstance(url, str) else NO_LINK)
    return agencies.assign(link_status=status)


def verified_count(agencies: pd.DataFrame) -> int | None:
    """Agencies whose published link the checker opened and found the declaration on (None: nothing checked)."""
    status = agencies["link_status"].where(agencies["published"])
    if not status.isin([LINK_OK, UNREACHABLE, NO_DECLARATION]).any():
        return None
    return int(status.eq(LINK_OK).sum())


def headline_links(agencies: pd.DataFrame) -> dict:
    """Agencies with their link status -> headline's link arguments: how many links the checker found
    online, and whether every link is one of the demo's made-up ones."""
    return {"verified": verified_count(agencies), "sample_links": only_sample_links(agencies["published_url"])}


def by_follow_up_priority(agencies: pd.DataFrame) -> pd.DataFrame:
    """Agencies to call first on top: missing, then late, then incomplete or unpublished, then the rest."""
    # Missing first (a rejected report's agency first among them: it tried, and one call may fix it).
    status_rank = agencies["status"].map({MISSING: 1, LATE: 2, ON_TIME: 3}).where(~agencies["needs_correction"], 0)
    incomplete = ~(agencies["fully_signed"] & agencies["published"])
    keys = pd.DataFrame({"s": status_rank, "i": ~incomplete, "d": agencies["district_code"],
                         "a": agencies["agency_id"]})
    return agencies.loc[keys.sort_values(["s", "i", "d", "a"]).index]


def follow_up_list(agencies: pd.DataFrame, filters: AgencyFilters) -> pd.DataFrame:
    """The agencies the filters choose, those to call first on top: what the follow-up page lists and the
    CLI exports and reminds."""
    return by_follow_up_priority(apply_filters(agencies, filters))


def followup_table(agencies: pd.DataFrame, *, include_personal: bool) -> pd.DataFrame:
    """Agency statuses -> the follow-up table's display columns (Thai headers are set by the page)."""
    badge = status_words(agencies, badges=True)
    reported = agencies["status"].ne(MISSING)
    link_status = agencies.get("link_status", pd.Series(UNCHECKED, index=agencies.index)).map(LINK_STATUS_TH)
    table = pd.DataFrame({
        "agency_id": agencies["agency_id"],
        "status": badge,
        "name_th": agencies["name_th"],
        "district": agencies["district_name_th"],
        "kind": agencies["kind"].map(KINDS_TH),
        "first_submitted": thai_times(agencies["first_submitted_at"]),
        "last_submitted": thai_times(agencies["last_submitted_at"]),
        "signed": _signed_column(agencies),
        "signing_rate": (agencies["signing_rate"] * 100).where(reported),  # percent, for one-decimal display
        # An agency that has not reported has nothing to show here: blank, not "no" or "None".
        "fully_signed": agencies["fully_signed"].astype("object").where(reported, None),
        "published_url": agencies["published_url"].fillna(""),
        "link_status": link_status.where(reported, ""),
    })
    # The reason quotes typed text: a viewer sees what looks like a phone, e-mail or name masked.
    table["rejected"] = rejected_note(agencies, include_personal=include_personal)
    if include_personal and "last_action" in agencies:
        table["last_action"] = agencies["last_action"].map(ACTIONS_TH).fillna("")
        table["last_at"] = thai_times(agencies["last_at"]).replace("-", "")
        table["last_by"] = agencies["last_by"].fillna("")
        table["promised_on"] = agencies["promised_on"].map(
            lambda day: format_thai_date(day) if isinstance(day, date) else "")
    if include_personal:
        table["call_name"] = agencies["call_name"]
        table["call_position"] = agencies["call_position"]
        # One number to tap: a registry may list several (`043060552, 043089367`); the panel shows them all.
        table["call_phone"] = agencies["call_phone"].map(lambda phones: tel_link(first_phone(phones))).fillna("")
        table["call_source"] = agencies["call_source"].map(CALL_SOURCE_TH).fillna("")
    return table.reset_index(drop=True)


def status_words(agencies: pd.DataFrame, *, badges: bool = False) -> pd.Series:
    """Each agency's follow-up status in Thai: sent on time / late / needs correction / missing (overdue).

    The one wording for the page and the exports (``badges`` adds the coloured dot for the screen).
    """
    words = agencies["status"].map(STATUS_BADGES if badges else STATUS_TH)
    words = words.where(~agencies["overdue"], OVERDUE_BADGE if badges else OVERDUE_TH)
    return words.where(~agencies["needs_correction"], NEEDS_CORRECTION_BADGE if badges else NEEDS_CORRECTION_TH)


def rejected_note(agencies: pd.DataFrame, *, include_personal: bool = True) -> pd.Series:
    """For an agency that must correct its report: `แถว 28 (1 ก.ค. 2566 09:00 น.): reason`; '' for the others
    (the reason's typed text masked where it looks personal, unless ``include_personal``)."""
    reason = agencies["rejected_reason"].fillna("")
    if not include_personal:
        reason = reason.map(mask_personal)
    note = ("แถว " + agencies["rejected_row"].astype("string").fillna("") + " (" + thai_times(agencies["rejected_at"])
            + "): " + reason)
    return note.where(agencies["needs_correction"], "").astype("str")


def _signed_column(agencies: pd.DataFrame) -> pd.Series:
    """_signed_text for every agency, built column-wise."""
    if agencies.empty:
        return agencies.apply(_signed_text, axis=1)
    signed = int_texts(agencies["personnel_signed"]) + "/" + int_texts(agencies["personnel_total"])
    return signed.where(agencies["status"].ne(MISSING), "-")


def _signed_text(agency: pd.Series) -> str:
    if agency["status"] == MISSING:
        return "-"
    return f"{format_int(agency['personnel_signed'])}/{format_int(agency['personnel_total'])}"


def tel_link(phone) -> str | None:
    """A phone as stored -> a `tel:` link of its digits (None when there is nothing to dial)."""
    if not isinstance(phone, str):
        return None
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"tel:{digits}" if len(digits) >= 6 else None


def submission_history(outcome: Outcome, agency_id: str, *, include_personal: bool = True) -> pd.DataFrame:
    """Every row an agency sent (and rows after the as-of time), with which one counts and why
    (typed text masked where it looks personal, unless ``include_personal``)."""
    rows = outcome.rows[outcome.rows["agency_id"] == agency_id].sort_values("row_number")
    history = pd.DataFrame({
        "row_number": rows["row_number"],
        "submitted_at": rows["submitted_at"].map(lambda t: format_thai_date(t, with_time=True)),
        "typed_name": rows["agency_name"],
        "fate": rows["fate"].map(FATES_TH),
        "why": rows.apply(_why, axis=1),
        "personnel": rows.apply(_row_personnel, axis=1),
    }).reset_index(drop=True)
    return history if include_personal else masked(history, ("typed_name", "why"))


def masked(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """A table with what looks like a phone, e-mail or person's name masked in its typed-text ``columns``."""
    present = [column for column in columns if column in table]
    return table.assign(**{column: table[column].map(lambda v: mask_personal(v) if isinstance(v, str) else v)
                           for column in present})


def _why(row: pd.Series) -> str:
    if row["fate"] == USED:
        return "รายงานล่าสุดที่ใช้ได้ — ใช้ตัวเลขจากแถวนี้" + (f" (คำเตือน: {row['warnings']})" if row["warnings"] else "")
    if row["fate"] == SUPERSEDED:
        return "มีรายงานที่ส่งภายหลังแทนที่แล้ว"
    if row["fate"] == REJECTED:
        return row["reason"]
    return "ส่งหลังเวลาที่เลือกดู จึงยังไม่นับ"


def _row_personnel(row: pd.Series) -> str:
    totals = [row[f"{k}_total"] for k in PERSONNEL_TYPES]
    signed = [row[f"{k}_signed"] for k in PERSONNEL_TYPES]
    if any(pd.isna(v) for v in totals + signed):
        return "-"
    return f"{int(sum(signed)):,}/{int(sum(totals)):,}"


def rejected_rows(outcome: Outcome, *, include_personal: bool = True) -> pd.DataFrame:
    """Rejected rows: sheet row, typed name, Thai reason and suggested registry matches (typed text
    masked where it looks personal, unless ``include_personal``)."""
    rows = outcome.rows[outcome.rows["fate"] == REJECTED]
    table = pd.DataFrame({
        "row_number": rows["row_number"],
        "submitted_at": rows["submitted_at_raw"],
        "typed_name": rows["agency_name"],
        "reason": rows["reason"],
        "suggestions": rows["candidates"].map(format_candidates),
    }).reset_index(drop=True)
    return table if include_personal else masked(table, ("submitted_at", "typed_name", "reason"))


def warning_rows(outcome: Outcome, *, include_personal: bool = True) -> pd.DataFrame:
    """One line per warning on a row that counts (used or superseded); typed text masked as in rejected_rows."""
    notes = outcome.notes[outcome.notes["severity"] == WARNING]
    names = outcome.rows.set_index("row_number")["agency_name_registry"]
    table = pd.DataFrame({
        "row_number": notes["row_number"],
        "typed_name": notes["agency_name"],
        "agency": notes["row_number"].map(names),
        "warning": notes["message"],
    }).reset_index(drop=True)
    return table if include_personal else masked(table, ("typed_name", "warning"))


def superseded_rows(outcome: Outcome, *, include_personal: bool = True) -> pd.DataFrame:
    """Rows replaced by a later report from the same agency, with the row that replaced them."""
    rows = outcome.rows
    latest = rows[rows["fate"] == USED].set_index("agency_id")["row_number"]
    old = rows[rows["fate"] == SUPERSEDED]
    table = pd.DataFrame({
        "row_number": old["row_number"],
        "submitted_at": thai_times(old["submitted_at"]),
        "typed_name": old["agency_name"],
        "agency": old["agency_name_registry"],
        "replaced_by_row": old["agency_id"].map(latest).astype("Int64"),
    }).reset_index(drop=True)
    return table if include_personal else masked(table, ("typed_name",))


def row_arithmetic(counts: Mapping[str, int]) -> str:
    """`แถวทั้งหมด 148 = ใช้ 119 + ถูกแทนที่ 11 + ถูกปฏิเสธ 11` — so HR can see nothing was lost."""
    c = counts
    return (f"แถวทั้งหมด {c['rows_total']:,} = ใช้ {c['rows_used']:,} + ถูกแทนที่ {c['rows_superseded']:,}"
            f" + ถูกปฏิเสธ {c['rows_rejected']:,}")

