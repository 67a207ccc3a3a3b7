"""Ways to reach an agency: e-mail addresses checked offline, phones as typed, and whom to call.

Contacts are personal data: they are shown to the hr role only (kkdash/access.py decides who that is).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def valid_address(address: str) -> str | None:
    """An e-mail address -> its ASCII form (lower-case domain, IDN as punycode), or None when malformed."""
    try:
        # No DNS look-up (pure, offline); no SMTPUTF8, which office servers seldom accept.
        return validate_email(address, check_deliverability=False, allow_smtputf8=False).ascii_email
    except (EmailNotValidError, TypeError):
        return None
