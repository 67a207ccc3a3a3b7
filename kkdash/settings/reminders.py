"""How reminders are written and paced (`[reminders]` in secrets.toml, KKDASH_REMINDER_* variables)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kkdash.errors import SettingsError
from kkdash.paths import DATA_DIR
from kkdash.settings.values import Lookup

TEMPLATES_DIR = DATA_DIR / "templates"
# The demo's form is on the reserved .example domain: a demo reminder can never send anyone to a real form.
DEMO_FORM_URL = "https://forms.example/kkdash-moral-province"
DEFAULT_HR_CONTACT = "กลุ่มงานบริหารทรัพยากรบุคคล สำนักงานจังหวัดขอนแก่น"
ENV = {"form_url": "KKDASH_REMINDER_FORM_URL", "hr_contact": "KKDASH_REMINDER_HR_CONTACT",
       "resend_hours": "KKDASH_REMINDER_RESEND_HOURS", "pace_seconds": "KKDASH_REMINDER_PACE_SECONDS",
       "templates": "KKDASH_REMINDER_TEMPLATES"}


@dataclass(frozen=True)
class ReminderSettings:
    """The form's link and HR's contact line every message cites; how often one agency may be e-mailed; pacing."""

    form_url: str = DEMO_FORM_URL
    hr_contact: str = DEFAULT_HR_CONTACT
    resend_hours: float = 24.0  # an agency e-mailed within this many hours is held back unless sent again on purpose
    pace_seconds: float = 1.0  # between two messages, so an office server does not throttle the sender
    templates: Path = TEMPLATES_DIR


def load_reminders(table: Mapping | None, environ: Mapping) -> ReminderSettings:
    """`[reminders]` and the environment (which wins) -> ReminderSettings; SettingsError names a bad key."""
    source = Lookup("reminders", dict(table or {}), environ, ENV)
    form_url = source.text("form_url") or DEMO_FORM_URL
    if not form_url.startswith("https://"):
        raise SettingsError(f"{source.where('form_url')} ต้องเป็นลิงก์ https:// ของแบบรายงาน (ได้ค่า {form_url!r})")
    return ReminderSettings(
        form_url=form_url,
        hr_contact=source.text("hr_contact") or DEFAULT_HR_CONTACT,
        resend_hours=_number(source, "resend_hours", 24.0, 0, 24 * 30),
        pace_seconds=_number(source, "pace_seconds", 1.0, 0, 60),
        templates=Path(source.text("templates") or TEMPLATES_DIR),
    )


def _number(source: Lookup, key: str, default: float, low: float, high: float) -> float:
    return source.number(key, default=default, accept=lambda number: low <= number <= high,
                         must=f"ต้องเป็นตัวเลข {low:g} ถึง {high:g}")
