"""One secrets table and the environment, read together.

The sheet, SMTP and reminder settings look their values up alike: a non-blank environment variable
wins over the table's key, and a bad value's error names where it came from, as the officer would
look for it (`KKDASH_SMTP_PORT` or `[smtp] port`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kkdash.errors import SettingsError


@dataclass(frozen=True)
class Lookup:
    """`[name]` of secrets.toml and the environment variables that override its keys."""

    name: str
    table: Mapping
    environ: Mapping
    variables: Mapping[str, str] = field(default_factory=dict)  # key -> the variable that overrides it

    def _from_environment(self, key: str) -> str | None:
        variable = self.variables.get(key)
        value = self.environ.get(variable) if variable else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    def where(self, key: str) -> str:
        """The variable when it gives the value, else `[name] key`."""
        return self.variables[key] if self._from_environment(key) is not None else f"[{self.name}] {key}"

    def raw(self, key: str) -> Any:
        """The value as given: the variable's (stripped), else the table's, else None."""
        value = self._from_environment(key)
        return value if value is not None else self.table.get(key)

    def text(self, key: str) -> str | None:
        """Stripped text; None when unset or blank."""
        return as_text(self.raw(key), self.where(key)) or None

    def number(self, key: str, *, default: float, accept: Callable[[float], bool], must: str) -> float:
        """A number (text from a variable is read too); ``default`` when unset; SettingsError saying
        ``must`` when it is not one ``accept`` takes (a bool, NaN and infinity never are)."""
        value = self.raw(key)
        if value is None or value == "":
            return default
        try:
            number = math.nan if isinstance(value, bool) else float(value)
        except (TypeError, ValueError):
            number = math.nan
        if math.isnan(number) or math.isinf(number) or not accept(number):
            raise SettingsError(f"{self.where(key)} {must} (ได้ค่า {value!r})")
        return number

    def whole_number(self, key: str, *, default: int, low: int, high: int, must: str) -> int:
        """A whole number from ``low`` to ``high`` (TOML's or a variable's digits); ``default`` when unset."""
        value = self.raw(key)
        if value is None:
            return default
        number = as_whole_number(value)
        if number is None or not low <= number <= high:
            raise SettingsError(f"{self.where(key)} {must} (ได้ค่า {value!r})")
        return number


def as_text(value: Any, where: str) -> str:
    """A setting as stripped text ('' when unset); SettingsError when TOML gave a number, a list …"""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SettingsError(f"{where} ต้องเป็นข้อความ (ได้ค่า {value!r})")
    return value.strip()


def as_whole_number(value: Any) -> int | None:
    """An int from a TOML integer or a string of digits; None otherwise (a bool is not a number here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def secrets_table(secrets: Mapping | None, name: str) -> dict:
    """A table of secrets.toml as a plain dict ({} when absent; st.secrets without a file is empty);
    SettingsError when the name holds something else (`smtp = "host"`)."""
    if secrets is None:
        return {}
    try:
        table = secrets.get(name)
    except FileNotFoundError:
        return {}
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise SettingsError(f"[{name}] ในไฟล์ secrets ต้องเป็นตาราง (table) ของ TOML")
    return {str(key): value for key, value in table.items()}
