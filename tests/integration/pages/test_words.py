"""Words that mean what they say: next steps that fit the status, titles rather than codes, true page names."""
from datetime import timedelta

from lms.clock import today
from lms.compliance.models import Exemption
from lms.extensions import db
from tests.integration.pages.conftest import text_of


def card_of(page: str, title: str) -> str:
    """The text of the summary card of one requirement."""
    card = page.split(f'class="govuk-summary-card__title">{title}<', 1)[1].split('class="govuk-summary-card"', 1)[0]
    return text_of(card)


def test_my_training_says_what_to_do_for_each_status(client, login_as, make_person, matrix, hold, courses):
    person = make_person()
    hold(person, "hidden-harm-awareness", "compliant")
    login_as(person)
    page = client.get("/training").get_data(as_text=True)
    up_to_date = card_of(page, "Hidden Harm awareness")
    assert "Up to date" in up_to_date and "Take the course" not in up_to_date and "Nothing to do yet" in up_to_date
    never = card_of(page, "Safeguarding children (level 2)")
    assert "Take the course: Safeguarding children in drug and alcohol services" in never


def test_due_soon_says_renew_and_exempt_says_nothing_to_do(client, login_as, make_person, matrix, hold, courses):
    person, admin = make_person(), make_person(roles=["admin"])
    hold(person, "hidden-harm-awareness", "due_soon")
    db.session.add(Exemption(user_id=person.id, requirement_id=matrix["safeguarding-children-l2"].id, reason="on leave",
                             starts_on=today() - timedelta(days=1), ends_on=today() + timedelta(days=90),
                             recorded_by_id=admin.id))
    db.session.commit()
    login_as(person)
    page = client.get("/training").get_data(as_text=True)
    assert "To renew it, take the course: Hidden Harm awareness" in card_of(page, "Hidden Harm awareness")
    exempt = card_of(page, "Safeguarding children (level 2)")
    assert "Exempt" in exempt and "Take the course" not in exempt and "Nothing to do while you are exempt" in exempt


def test_requirements_show_titles_not_codes(client, login_as, make_person, matrix, courses):
    login_as(make_person(roles=["admin"]))
    words = text_of(client.get("/admin/requirements").get_data(as_text=True))
    assert "Courses Safeguarding children in drug and alcohol services" in words
    assert "Sessions Sessions that count towards it" in words
    assert "Courses safeguarding-children-substance-misuse" not in words
    # The code is shown once, labelled for what it is for.
    assert "Code in import files safeguarding-children-l2" in words


def test_a_form_error_reads_as_a_sentence(client, login_as, make_person):
    login_as(make_person())
    page = text_of(client.post("/account/local-contacts", data={}).get_data(as_text=True))
    assert "Enter your service's designated safeguarding lead" in page
    assert "Enter the your" not in page


def test_the_managers_two_team_pages_have_different_names(client, login_as, make_person, matrix):
    login_as(make_person(roles=["manager"]))
    home = client.get("/").get_data(as_text=True)
    assert '>Team training</a>' in home and '>My team</a>' in home
    assert '<h1 class="govuk-heading-l">Team training</h1>' in client.get("/team").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">My team</h1>' in client.get("/people/").get_data(as_text=True)


def test_a_course_names_the_training_it_counts_towards(client, login_as, make_person, matrix, courses):
    login_as(make_person())
    words = text_of(client.get("/courses/safeguarding-children-substance-misuse").get_data(as_text=True))
    assert "Counts towards Safeguarding children (level 2)" in words
    assert "safeguarding-children-l2" not in words
