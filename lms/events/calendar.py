"""iCalendar (RFC 5545/5546) for sessions: invitations, updates, cancellations and personal feeds."""
import hashlib
import hmac
from datetime import datetime

from icalendar import Calendar, Event as VEvent, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

from lms.clock import LONDON

PRODID = "-//Hidden Harm training//lms//EN"


def london_timezone() -> Timezone:
    """Europe/London as one compact VTIMEZONE with the rules in force since 1996, as calendar programs write it."""
    zone = Timezone()
    zone.add("tzid", "Europe/London")
    summer = TimezoneDaylight()
    summer.add("tzname", "BST")
    summer.add("dtstart", datetime(1981, 3, 29, 1, 0))
    summer.add("tzoffsetfrom", LONDON.utcoffset(datetime(2026, 1, 1)))
    summer.add("tzoffsetto", LONDON.utcoffset(datetime(2026, 7, 1)))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("dtstart", datetime(1996, 10, 27, 2, 0))
    winter.add("tzoffsetfrom", LONDON.utcoffset(datetime(2026, 7, 1)))
    winter.add("tzoffsetto", LONDON.utcoffset(datetime(2026, 1, 1)))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = vText(value)
    return address


def session_component(event, *, sequence: int, cancelled: bool, organizer: tuple[str, str], description: str,
                      stamp: datetime, attendee=None) -> VEvent:
    """One VEVENT for a session, its times in London time with TZID=Europe/London."""
    component = VEvent()
    component.add("uid", event.uid)
    component.add("sequence", sequence)
    component.add("dtstamp", stamp)
    component.add("dtstart", event.starts_at.astimezone(LONDON))
    component.add("dtend", event.ends_at.astimezone(LONDON))
    component.add("summary", event.title)
    component.add("description", description)
    component.add("location", event.venue or event.online_link or "Online")
    if event.online_link:
        component.add("url", event.online_link)
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    component.add("transp", "OPAQUE")
    component.add("organizer", _address(organizer[0], organizer[1]))
    if attendee is not None:
        component.add("attendee", _address(attendee.email, attendee.name, role="REQ-PARTICIPANT",
                                           partstat="NEEDS-ACTION", rsvp="FALSE"))
    return component


def calendar(method: str, components: list[VEvent]) -> bytes:
    """A VCALENDAR with METHOD and the London VTIMEZONE its times refer to."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(london_timezone())
    for component in components:
        cal.add_component(component)
    return cal.to_ical()


def feed_token(secret_key: str, user_id: int, version: int) -> str:
    """A feed address that cannot be guessed and is not stored: the person's id, the feed version and an HMAC."""
    digest = hmac.new(secret_key.encode(), f"calendar-feed:{user_id}:{version}".encode(), hashlib.sha256).hexdigest()
    return f"{user_id}-{version}-{digest[:40]}"


def parse_feed_token(token: str) -> tuple[int, int, str] | None:
    parts = token.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def verified_feed_token(secret_key: str, token: str) -> tuple[int, int] | None:
    """(person's id, feed version) when the token was made with our key; the caller checks the version is current."""
    parsed = parse_feed_token(token)
    if parsed is None:
        return None
    user_id, version, _ = parsed
    return (user_id, version) if hmac.compare_digest(feed_token(secret_key, user_id, version), token) else None
