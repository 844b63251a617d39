"""Imports of organisations, job roles and staff (DESIGN §5)."""
from sqlalchemy import func, select

from lms.accounts.models import JobRole, Organisation, Sector, Team, User
from lms.accounts.rules import email_problem, normalise_email
from lms.clock import today
from lms.extensions import db
from lms.importing import ImportReport, check_required, csv_rows, importer, limit_of, parse_date, parse_yes_no

DATE = 50  # room for a wrong date to be quoted back, not just measured
ORGANISATION_COLUMNS = {"name": limit_of(Organisation.name), "sector": 50, "commissioned": 10}
JOB_ROLE_COLUMNS = {"name": limit_of(JobRole.name)}
STAFF_COLUMNS = {
    "employee_id": limit_of(User.employee_id), "given_name": limit_of(User.given_name),
    "family_name": limit_of(User.family_name), "email": limit_of(User.email),
    "organisation": limit_of(Organisation.name), "team": limit_of(Team.name), "job_role": limit_of(JobRole.name),
    "manager_email": limit_of(User.email), "start_date": DATE, "leaving_date": DATE,
}
SECTORS = ", ".join(s.value for s in Sector)


def _by_lower_name(model) -> dict:
    return {row.name.lower(): row for row in db.session.scalars(select(model))}


@importer("organisations", "Organisations (CSV: name, sector, commissioned)")
def import_organisations(text: str) -> ImportReport:
    report = ImportReport("organisations")
    existing = _by_lower_name(Organisation)
    seen: dict[str, int] = {}
    planned = []
    for line, row in csv_rows(text, ORGANISATION_COLUMNS):
        check_required(report, line, row, {"name", "sector", "commissioned"})
        name = row["name"]
        if name.lower() in seen:
            report.problem(line, "name", f"{name!r} is also on line {seen[name.lower()]}")
        seen[name.lower()] = line
        sector = None
        if row["sector"]:
            try:
                sector = Sector(row["sector"].lower())
            except ValueError:
                report.problem(line, "sector", f"{row['sector']!r} is not one of {SECTORS}")
        commissioned = parse_yes_no(report, line, "commissioned", row["commissioned"]) if row["commissioned"] else None
        planned.append((name, sector, commissioned))
    if not report.ok:
        return report
    for name, sector, commissioned in planned:
        org = existing.get(name.lower())
        if org is None:
            db.session.add(Organisation(name=name, sector=sector, commissioned=commissioned))
            report.count("created")
        elif (org.sector, org.commissioned) != (sector, commissioned):
            org.sector, org.commissioned = sector, commissioned
            report.count("updated")
        else:
            report.count("unchanged")
    db.session.flush()
    return report


@importer("job-roles", "Job roles (CSV: name)")
def import_job_roles(text: str) -> ImportReport:
    report = ImportReport("job-roles")
    existing = _by_lower_name(JobRole)
    seen: dict[str, int] = {}
    for line, row in csv_rows(text, JOB_ROLE_COLUMNS):
        check_required(report, line, row, {"name"})
        key = row["name"].lower()
        if key in seen:
            report.problem(line, "name", f"{row['name']!r} is also on line {seen[key]}")
        seen[key] = line
    if not report.ok:
        return report
    for line, row in csv_rows(text, JOB_ROLE_COLUMNS):
        if row["name"].lower() in existing:
            report.count("unchanged")
        else:
            role = JobRole(name=row["name"])
            db.session.add(role)
            existing[row["name"].lower()] = role
            report.count("created")
    db.session.flush()
    return report


@importer("staff", "Staff from HR (CSV: " + ",".join(STAFF_COLUMNS) + ")")
def import_staff(text: str) -> ImportReport:
    """Upsert by employee_id; unknown organisations, teams and roles are errors; leavers are deactivated."""
    report = ImportReport("staff")
    orgs = _by_lower_name(Organisation)
    roles = _by_lower_name(JobRole)
    teams = {(t.organisation_id, t.name.lower()): t for t in db.session.scalars(select(Team))}
    people = {u.employee_id: u for u in db.session.scalars(select(User).where(User.employee_id.is_not(None)))}
    emails = dict(db.session.execute(select(func.lower(User.email), User.employee_id)).all())

    rows = csv_rows(text, STAFF_COLUMNS)
    file_ids: dict[str, int] = {}
    file_emails: dict[str, tuple[int, str]] = {}
    planned = []
    for line, row in rows:
        check_required(report, line, row, {"employee_id", "given_name", "family_name", "email", "organisation", "job_role", "start_date"})
        problems_before = len(report.problems)
        employee_id = row["employee_id"]
        if employee_id in file_ids:
            report.problem(line, "employee_id", f"{employee_id!r} is also on line {file_ids[employee_id]}")
        file_ids[employee_id] = line

        email = normalise_email(row["email"])
        if email:
            if email_problem(email):
                report.problem(line, "email", f"{row['email']!r} is not a valid email address")
            if email in file_emails:
                report.problem(line, "email", f"{email!r} is also on line {file_emails[email][0]}")
            elif emails.get(email, employee_id) != employee_id:
                report.problem(line, "email", f"{email!r} belongs to another person (employee {emails[email]})")
            file_emails[email] = (line, employee_id)

        org = orgs.get(row["organisation"].lower()) if row["organisation"] else None
        if row["organisation"] and org is None:
            report.problem(line, "organisation", f"no organisation called {row['organisation']!r}")
        team = None
        if row["team"] and org is not None:
            team = teams.get((org.id, row["team"].lower()))
            if team is None:
                report.problem(line, "team", f"{org.name} has no team called {row['team']!r}")
        role = roles.get(row["job_role"].lower()) if row["job_role"] else None
        if row["job_role"] and role is None:
            report.problem(line, "job_role", f"no job role called {row['job_role']!r}")

        start = parse_date(report, line, "start_date", row["start_date"]) if row["start_date"] else None
        leaving = parse_date(report, line, "leaving_date", row["leaving_date"]) if row["leaving_date"] else None
        if start and leaving and leaving < start:
            report.problem(line, "leaving_date", "must be on or after the start date")
        if len(report.problems) == problems_before:
            planned.append((line, row, email, org, team, role, start, leaving))

    # Managers may be existing people or people earlier or later in this file.
    for line, row, *_ in planned:
        manager_email = normalise_email(row["manager_email"])
        if manager_email and manager_email not in emails and manager_email not in file_emails:
            report.problem(line, "manager_email", f"no person with email {manager_email!r}")
        if manager_email and manager_email == normalise_email(row["email"]):
            report.problem(line, "manager_email", "a person cannot be their own manager")
    if not report.ok:
        return report

    day = today()
    touched: list[tuple[User, str]] = []
    for line, row, email, org, team, role, start, leaving in planned:
        person = people.get(row["employee_id"])
        values = dict(
            email=email, given_name=row["given_name"], family_name=row["family_name"],
            organisation_id=org.id, team_id=team.id if team else None, job_role_id=role.id,
            start_date=start, leaving_date=leaving,
        )
        leaver = leaving is not None and leaving < day
        if person is None:
            person = User(employee_id=row["employee_id"], active=not leaver, **values)
            db.session.add(person)
            report.count("created")
        else:
            changed = any(getattr(person, key) != value for key, value in values.items())
            for key, value in values.items():
                setattr(person, key, value)
            if leaver and person.active:
                person.active = False
                person.session_version += 1
                report.count("deactivated")
            elif not leaver and not person.active and leaving is None:
                person.active = True
                report.count("reactivated")
            elif changed:
                report.count("updated")
            else:
                report.count("unchanged")
        touched.append((person, normalise_email(row["manager_email"])))
    db.session.flush()

    by_email = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_({m for _, m in touched if m})))}
    for person, manager_email in touched:
        person.manager_id = by_email[manager_email].id if manager_email else None
    db.session.flush()
    return report
