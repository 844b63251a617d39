"""Managers record observations and sign off, with a note, only for their own people; every decision is kept."""
from datetime import date

from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.competencies import services
from lms.competencies.models import Decision
from lms.competencies.rules import EvidenceSource, RecordStatus
from lms.extensions import db
from tests.integration.competencies.conftest import pass_course, record_of


def date_fields(prefix, day):
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def decisions():
    return db.session.scalar(select(func.count()).select_from(Decision))


def test_manager_records_an_observation_then_signs_off_with_a_note(client, login_as, team):
    pass_course(team.learner, "recognise-and-refer")
    login_as(team.manager)
    assert "0 records are waiting" in client.get("/competencies/sign-off").get_data(as_text=True)

    form = client.get(f"/people/{team.learner.id}/competencies/notes/new?unit=AA1").get_data(as_text=True)
    assert '<option value="AA1" selected>' in form
    missing = client.post(f"/people/{team.learner.id}/competencies/notes/new", data={"unit": "AA1", "source": "observation"})
    assert "There is a problem" in missing.get_data(as_text=True) and "Describe what you saw or discussed" in missing.get_data(as_text=True)
    response = client.post(f"/people/{team.learner.id}/competencies/notes/new", data={
        "unit": "AA1", "source": "observation", "note": "Saw Lee refer a parent to the alcohol team and tell the DSL."}
        | date_fields("occurred_on", date(2026, 3, 5)))
    assert response.status_code == 302
    record = record_of(team.learner, "AA1")
    assert record.ready

    queue = client.get("/competencies/sign-off").get_data(as_text=True)
    assert "1 record is waiting" in queue and "Lee Patel" in queue and f"/competencies/records/{record.id}" in queue
    page = client.get(f"/competencies/records/{record.id}").get_data(as_text=True)
    assert "Ready for sign-off" in page and "Why are you signing this off?" in page

    refused = client.post(f"/competencies/records/{record.id}/sign-off", data={"note": "  "})
    assert "There is a problem" in refused.get_data(as_text=True) and "Say why you are signing this off" in refused.get_data(as_text=True)
    assert decisions() == 0

    response = client.post(f"/competencies/records/{record.id}/sign-off", data={"note": "Knowledge and a referral seen: meets AA1."})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "AA1 is signed off for Lee Patel." in page
    assert "Signed off" in page and "Mark Hughes" in page and "Knowledge and a referral seen: meets AA1." in page
    assert record_of(team.learner, "AA1").status == RecordStatus.ACHIEVED
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "competency.signed_off"))
    assert (entry.actor_id, entry.person_id) == (team.manager.id, team.learner.id)
    assert "0 records are waiting" in client.get("/competencies/sign-off").get_data(as_text=True)


def test_a_withdrawal_needs_a_reason_and_the_sign_off_stays_on_the_record(client, login_as, team):
    pass_course(team.learner, "recognise-and-refer")
    services.add_note(team.learner, record_of(team.learner, "AA1").unit, EvidenceSource.OBSERVATION, date(2026, 3, 5),
                      "Good referral.", team.manager)
    services.sign_off(record_of(team.learner, "AA1"), team.manager, "Meets the standard.")
    db.session.commit()
    record = record_of(team.learner, "AA1")
    login_as(team.manager)

    refused = client.post(f"/competencies/records/{record.id}/withdraw", data={"reason": ""})
    assert "Say why you are withdrawing the sign-off" in refused.get_data(as_text=True) and decisions() == 1
    client.post(f"/competencies/records/{record.id}/withdraw", data={"reason": "Two referrals since were not followed up."})
    page = client.get(f"/competencies/records/{record.id}").get_data(as_text=True)
    assert "Withdrawn" in page and "Meets the standard." in page and "Two referrals since were not followed up." in page
    assert [d.action.value for d in record_of(team.learner, "AA1").decisions] == ["signed_off", "withdrawn"]


def test_sign_off_before_every_kind_of_evidence_is_there_is_refused(client, login_as, team):
    pass_course(team.learner, "recognise-and-refer")
    record = record_of(team.learner, "AA1")
    login_as(team.manager)
    assert "Why are you signing this off?" not in client.get(f"/competencies/records/{record.id}").get_data(as_text=True)
    page = client.post(f"/competencies/records/{record.id}/sign-off", data={"note": "Looks fine."}).get_data(as_text=True)
    assert "It cannot be signed off until there is evidence of observed practice" in page
    assert decisions() == 0


def test_nobody_signs_off_themselves_or_anyone_outside_their_line(client, login_as, make_person, team):
    # The manager's own AA1 is ready: their own manager observed them.
    lead = make_person(org=team.manager.organisation, roles=[Role.MANAGER])
    team.manager.manager = lead
    db.session.commit()
    pass_course(team.manager, "recognise-and-refer")
    services.add_note(team.manager, record_of(team.manager, "AA1").unit, EvidenceSource.OBSERVATION, date(2026, 3, 5),
                      "Seen at work.", lead)
    pass_course(team.learner, "recognise-and-refer")
    services.add_note(team.learner, record_of(team.learner, "AA1").unit, EvidenceSource.OBSERVATION, date(2026, 3, 5),
                      "Seen at work.", team.manager)
    db.session.commit()
    own, learners = record_of(team.manager, "AA1"), record_of(team.learner, "AA1")

    login_as(team.manager)
    page = client.post(f"/competencies/records/{own.id}/sign-off", data={"note": "I am good at this."}).get_data(as_text=True)
    assert "You cannot sign off your own competence" in page
    assert client.get(f"/people/{team.manager.id}/competencies/notes/new").status_code == 403
    client.post("/logout")

    login_as(team.outsider)  # a manager, but not in Lee's line
    assert client.post(f"/competencies/records/{learners.id}/sign-off", data={"note": "Fine."}).status_code == 404
    assert client.get(f"/competencies/records/{learners.id}").status_code == 404
    assert client.get(f"/people/{team.learner.id}/competencies/notes/new").status_code == 404
    client.post("/logout")

    login_as(make_person(org=team.manager.organisation, roles=[Role.COORDINATOR]))  # sees everyone, decides nothing
    assert client.get(f"/competencies/records/{learners.id}").status_code == 200
    assert client.post(f"/competencies/records/{learners.id}/sign-off", data={"note": "Fine."}).status_code == 403
    client.post("/logout")

    login_as(team.learner)
    assert client.post(f"/competencies/records/{own.id}/sign-off", data={"note": "Fine."}).status_code == 403
    assert decisions() == 0

    # The manager's manager may sign off the manager.
    client.post("/logout")
    login_as(lead)
    assert client.post(f"/competencies/records/{own.id}/sign-off", data={"note": "Seen it."}).status_code == 302
    assert decisions() == 1
