"""Who may see what, on the page: sign-in controls, the wall's gate, and the role of this visitor.

The rules are kkdash.access (pure); this module feeds them ``st.secrets``, ``st.user`` and the
password grant of this session.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from kkdash import access, redaction
from kkdash.app import data
from kkdash.dates import BANGKOK
from kkdash.errors import SettingsError
from kkdash.intake import Dataset
from kkdash.text import literal

ACCESS_GRANT_KEY = "access_grant"
APP_TITLE = "ติดตามการประกาศเจตนารมณ์ จังหวัดคุณธรรม ขอนแก่น"


@st.cache_resource(show_spinner=False)
def password_gate() -> access.PasswordGate:
    """The server's one record of wrong passwords per visitor address (survives reloads)."""
    return access.PasswordGate()


def visitor_address() -> str:
    """Where this visitor connects from (the throttle's key); one shared key when Streamlit cannot tell."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "unknown"


def access_settings() -> tuple[access.AccessSettings, str | None]:
    """The `[access]`/`[auth]` settings, and a Thai problem when they are unusable (then: no sign-in)."""
    try:
        return access.load_access(data.secrets()), None
    except (access.AccessError, SettingsError) as exc:  # an unreadable secrets file too: fail closed
        return access.AccessSettings(), redaction.redact(str(exc))


def access_decision(dataset: Dataset) -> access.Decision:
    """This visitor's role, from secrets.toml, ``st.user`` and a password given in this session."""
    settings, problem = access_settings()
    if problem:
        return access.Decision(None, why=f"การตั้งค่าสิทธิ์ไม่ถูกต้อง: {problem}")  # fail closed
    return access.decide(settings, st.user.to_dict(), grant=st.session_state.get(ACCESS_GRANT_KEY),
                         demo=dataset.is_demo)


def author(decision: access.Decision) -> str:
    """Who writes a chase-log entry: the signed-in e-mail; '' when the visitor must type a name
    (a shared password or open demo access names nobody)."""
    return decision.who if "@" in decision.who else ""


def can_see_contacts(dataset: Dataset) -> bool:
    """Reporter names, positions and phones: only for the hr role (rules in kkdash.access)."""
    return access_decision(dataset).contacts


def sign_in_panel(dataset: Dataset) -> None:
    """The sidebar's sign-in block; stops the run when this visitor may see nothing."""
    redaction.install_log_redaction()
    settings, problem = access_settings()
    decision = access_decision(dataset)
    with st.sidebar:
        st.markdown("### สิทธิ์การเข้าถึง")
        if problem:
            st.error(literal(problem, limit=400), icon=":material/error:")
        elif not settings.sign_in and decision.role is not None:
            _open_access_note(dataset, decision)
        else:
            _sign_in_controls(settings, decision)
    if decision.role is None:
        st.title(APP_TITLE)
        st.info(f"{literal(decision.why, limit=400)} — เข้าสู่ระบบได้ที่แถบด้านข้าง", icon=":material/lock:")
        st.stop()


def wall_gate(dataset: Dataset) -> None:
    """The wall screen has no sidebar: with sign-in on, it shows nothing until this browser signed in."""
    redaction.install_log_redaction()
    decision = access_decision(dataset)
    if decision.role is None:
        st.title(APP_TITLE)
        st.info(f"{literal(decision.why, limit=400)} — เปิดหน้าปกติ (ไม่มี ?view=wall) เพื่อเข้าสู่ระบบก่อน",
                icon=":material/lock:")
        st.stop()


def _open_access_note(dataset: Dataset, decision: access.Decision) -> None:
    st.caption(decision.why)
    if not dataset.is_demo:
        st.caption("เปิดการเข้าสู่ระบบเพื่อให้ฝ่ายบุคคลเห็นชื่อและเบอร์โทร: ใส่ตาราง `[auth]` (บัญชี Google)"
                   " หรือ `hr_password_sha256` ในตาราง `[access]` ของไฟล์ `.streamlit/secrets.toml`"
                   " — ดู docs/access.md")


def _sign_in_controls(settings: access.AccessSettings, decision: access.Decision) -> None:
    if decision.role is not None:
        st.caption(f"{literal(decision.who)} · {decision.why}" if decision.who else decision.why)
    elif decision.who:
        st.warning(f"{literal(decision.who)}: {decision.why}", icon=":material/block:")
    if decision.role is not None or decision.who:  # a refused account must be able to switch
        st.button("ออกจากระบบ", icon=":material/logout:", key="access_logout", on_click=_sign_out,
                  width="stretch")
    if decision.role == access.HR:
        return
    if settings.oidc and not decision.who:
        st.button("เข้าสู่ระบบด้วยบัญชีอีเมล", icon=":material/login:", key="access_login", on_click=st.login,
                  type="primary", width="stretch")
    if settings.passwords:
        with st.expander("เข้าสู่ระบบด้วยรหัสผ่าน", expanded=not settings.oidc and decision.role is None):
            _password_form(settings)


def _password_form(settings: access.AccessSettings) -> None:
    """A shared-password form; the password never reaches the URL and is cleared on submit."""
    with st.form("access_password_form", clear_on_submit=True, border=False):
        attempt = st.text_input("รหัสผ่าน", type="password", key="access_password", autocomplete="current-password")
        sent = st.form_submit_button("เข้าสู่ระบบ", width="stretch")
    if not sent:
        return
    result = password_gate().try_password(settings, attempt, who=visitor_address(),
                                          now=datetime.now(BANGKOK).timestamp())
    if result.grant is None:
        st.error(result.message, icon=":material/error:")
        return
    st.session_state[ACCESS_GRANT_KEY] = result.grant
    st.rerun()


def _sign_out() -> None:
    """Forget the password grant; end the OIDC session too when there is one."""
    st.session_state.pop(ACCESS_GRANT_KEY, None)
    if st.user.to_dict().get("is_logged_in") is True:
        st.logout()
