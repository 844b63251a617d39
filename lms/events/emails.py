"""The words of session emails. Each template's first line is its subject; the rest is the body."""
from flask import render_template

from lms.clock import format_session_time


def booking_email(template: str, **context) -> tuple[str, str]:
    event = context["event"]
    text = render_template(f"email/sessions/{template}.txt", when=format_session_time(event.starts_at, event.ends_at),
                           **context)
    subject, _, body = text.partition("\n")
    return subject.removeprefix("Subject: ").strip(), body.lstrip("\n")


def calendar_attachment(method: str, ics: bytes) -> dict:
    """The .ics part: its Content-Type names the same METHOD as the calendar inside it (RFC 6047)."""
    name = "cancel.ics" if method == "CANCEL" else "invite.ics"
    return {"filename": name, "content_type": f"text/calendar; method={method}; charset=UTF-8", "data": ics.decode("utf-8")}
