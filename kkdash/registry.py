"""The registry of agencies that must report: reading it, checking it, and its fingerprint."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd

from kkdash.contacts import parse_phone_list_series, split_addresses
from kkdash.errors import InputError
from kkdash.files import NOT_THAI_TEXT, decode_thai_text
from kkdash.labels import KINDS_TH, REGISTRY_HEADERS_TH
from kkdash.parsing import CLEAN
from kkdash.paths import DISTRICTS_PATH, REGISTRY_PATH
from kkdash.schema import normalize_header
from kkdash.text import one_line

# What matching needs (and the registry's fingerprint covers), then the optional contacts HR calls.
REGISTRY_COLUMNS = ("agency_id", "name_th", "aliases", "kind", "district_code")
CONTACT_COLUMNS = ("phone", "email", "contact_name", "contact_position")


class RegistryError(InputError):
    """The registry file is unusable; the message says which row and why, in Thai."""


def registry_fingerprint(registry: pd.DataFrame) -> str:
    """A registry's content -> a short id: the same rows give the same id, any edit another."""
    return fingerprint(registry[list(REGISTRY_COLUMNS)])


def fingerprint(data: pd.DataFrame | pd.Series) -> str:
    """Cells, in order -> a short id for a cache key: cheap to hash where a national list's 19 000 values
    as a tuple would cost a tenth of a second on every rerun."""
    hashed = pd.util.hash_pandas_object(data, index=False)
    return hashlib.sha1(hashed.to_numpy().tobytes()).hexdigest()


def read_table(path: Path | str) -> pd.DataFrame:
    """A CSV file, UTF-8 or as Thai Excel saves it (Windows-874) -> DataFrame of text cells (nothing guessed
    as numbers or NaN); UnicodeError for a file that is neither."""
    text, _ = decode_thai_text(Path(path).read_bytes())
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def load_districts(path: Path | str = DISTRICTS_PATH) -> pd.DataFrame:
    """The official district list -> DataFrame[district_code, name_th, name_en]."""
    return read_table(path)[["district_code", "name_th", "name_en"]]


def load_registry(path: Path | str = REGISTRY_PATH, *, districts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The registry CSV -> validated DataFrame; raises RegistryError with a Thai reason."""
    try:
        table = read_table(path)
    except FileNotFoundError as exc:
        raise RegistryError(f"ไม่พบไฟล์ทะเบียนหน่วยงาน: {path}") from exc
    except UnicodeError as exc:
        raise RegistryError(f"อ่านไฟล์ทะเบียนหน่วยงานไม่ได้ ({path}): {NOT_THAI_TEXT}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        detail = one_line(str(exc))  # pandas' parser messages end in a newline
        raise RegistryError(f"อ่านไฟล์ทะเบียนหน่วยงานไม่ได้ ({path}): {detail}") from exc
    return validate_registry(table, districts=load_districts() if districts is None else districts)


def validate_registry(table: pd.DataFrame, *, districts: pd.DataFrame) -> pd.DataFrame:
    """A raw registry table -> the same rows, checked and trimmed, with every contact column; raises RegistryError.

    Headers may be the canonical names or their Thai forms (REGISTRY_HEADERS_TH). The contact columns
    are optional: a malformed phone or e-mail is not an error but a line in ``contact_warning``, since
    one typo in a coordinator's address must not stop the dashboard.
    """
    table = table.rename(columns=_canonical_headers(table.columns))
    missing = [c for c in REGISTRY_COLUMNS if c not in table.columns]
    if missing:
        raise RegistryError(f"ทะเบียนหน่วยงานขาดคอลัมน์: {', '.join(missing)}")
    registry = pd.DataFrame({column: _clean_column(table[column]) if column in table else ""
                             for column in (*REGISTRY_COLUMNS, *CONTACT_COLUMNS)}).reset_index(drop=True)
    problems = _registry_problems(registry, set(districts["district_code"]))
    if problems:
        raise RegistryError("ทะเบียนหน่วยงานไม่ถูกต้อง: " + "; ".join(problems[:10]))
    return _with_contacts(registry)


def _canonical_headers(headers: pd.Index) -> dict[str, str]:
    """The registry file's headers -> {header: canonical column} for those kkdash knows."""
    lookup = {normalize_header(column): column for column in (*REGISTRY_COLUMNS, *CONTACT_COLUMNS)}
    lookup |= {normalize_header(th): column for column, names in REGISTRY_HEADERS_TH.items() for th in names}
    return {header: lookup[normalize_header(header)] for header in headers if normalize_header(header) in lookup}


def _clean_column(values: pd.Series) -> pd.Series:
    """clean_text for a whole column at once (a national registry has ~19 000 rows)."""
    return values.fillna("").astype("str").str.translate(CLEAN).str.strip()


def _registry_problems(registry: pd.DataFrame, codes: set[str]) -> list[str]:
    """Every reason the registry cannot be trusted, with its file row (header = row 1)."""
    problems = [f"{column} '{value}' ซ้ำกัน" for column in ("agency_id", "name_th")
                for value in registry.loc[registry[column].duplicated(), column]]
    line = registry.index + 2
    checks = [
        (registry["agency_id"].eq("") | registry["name_th"].eq(""), lambda _: "ไม่มี agency_id หรือ name_th"),
        (~registry["kind"].isin(list(KINDS_TH)), lambda row: f"ประเภท '{row.kind}' ไม่รู้จัก"),
        (registry["district_code"].ne("") & ~registry["district_code"].isin(list(codes)),
         lambda row: f"รหัสอำเภอ '{row.district_code}' ไม่มีในรายชื่ออำเภอ"),
    ]
    found = [(number, order, f"แถว {number}: {describe(row)}")
             for order, (mask, describe) in enumerate(checks)
             for number, row in zip(line[mask.to_numpy()], registry[mask].itertuples(), strict=True)]
    return problems + [text for _, _, text in sorted(found)]


def _with_contacts(registry: pd.DataFrame) -> pd.DataFrame:
    """Phones as dialled (one or more, `, `-separated), e-mails checked; what cannot be read goes to
    ``contact_warning`` (and a bad e-mail is left out, so no reminder is sent to it)."""
    phones = parse_phone_list_series(registry["phone"])
    emails = registry["email"].map(split_addresses)
    registry["phone"] = phones["phones"]
    registry["email"] = emails.map(lambda found: ", ".join(found[0]))
    warnings = [", ".join(filter(None, parts)) for parts in zip(
        phones["bad"].map(lambda bad: f"เบอร์โทร '{bad}' ไม่ครบหรืออ่านไม่ได้" if bad else ""),
        emails.map(lambda found: f"อีเมล '{found[1]}' ไม่ถูกต้อง" if found[1] else ""), strict=True)]
    registry["contact_warning"] = pd.Series(warnings, index=registry.index, dtype="str")
    return registry


def registry_warnings(registry: pd.DataFrame) -> pd.DataFrame:
    """Agencies whose registry contact could not be read -> DataFrame[agency_id, name_th, warning] (personal data)."""
    flagged = registry[registry["contact_warning"].ne("")]
    return pd.DataFrame({"agency_id": flagged["agency_id"], "name_th": flagged["name_th"],
                         "warning": flagged["contact_warning"]}).reset_index(drop=True)
