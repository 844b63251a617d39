"""The `lms` command group: thin commands over the same services the web uses."""
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup, with_appcontext

from lms.extensions import db


@click.group(cls=FlaskGroup, create_app=lambda: _create_app(), add_default_commands=True)
def cli():
    """Hidden Harm training platform."""


def _create_app():
    from lms import create_app

    return create_app()


def init_app(app) -> None:
    """Commands live on app.cli, so `lms`, `flask` and the test runner all see them."""
    for command in (import_command, demo_command, outbox_group, courses_group, report_group, reminders_group,
                    events_group, audit_group, bench_command, periods_group):
        app.cli.add_command(command)


@click.command("import")
@click.argument("kind")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change, changing nothing.")
@with_appcontext
def import_command(kind: str, file: Path, dry_run: bool):
    """Import KIND from FILE: the whole file is checked first; any problem and nothing changes."""
    from lms import import_kinds  # noqa: F401 - registers every kind
    from lms.importing import KINDS, ImportFileError, decode, refresh_statistics, run_import

    if kind not in KINDS:
        raise click.UsageError(f"unknown kind {kind!r}; choose from {', '.join(sorted(KINDS))}")
    try:
        report = run_import(kind, decode(file.read_bytes()))
    except ImportFileError as error:
        click.echo(f"line {error.line}: file: {error}", err=True)
        sys.exit(1)
    if not report.ok:
        db.session.rollback()
        for problem in report.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{file}: {len(report.problems)} problem(s); nothing was changed.", err=True)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo(f"{file}: no problems. Would change: {report.summary()} (dry run: nothing was changed).")
    else:
        db.session.commit()
        refresh_statistics(report)
        for line in report.lines:
            click.echo(line)
        click.echo(f"{file}: {report.summary()}.")


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete everything and build the demo again.")
@with_appcontext
def demo_command(reset: bool):
    """Build the demo partnership (idempotent) and print the demo accounts."""
    from lms.demo import build_demo

    accounts = build_demo(reset=reset)
    db.session.commit()
    click.echo("Demo partnership ready. Sign in at http://127.0.0.1:5000 with password 'hidden-harm-demo':")
    for email, roles in accounts:
        click.echo(f"  {email:28} {roles}")


@click.group("outbox")
def outbox_group():
    """The email outbox."""


@outbox_group.command("send")
@with_appcontext
def outbox_send():
    """Deliver queued email; safe to run on several hosts at once."""
    from lms.notify.services import deliver_pending

    report = deliver_pending()
    click.echo(f"sent {report.sent}, will retry {report.retrying}, gave up {report.failed}, "
               f"cancelled {report.cancelled} no longer needed")


@click.group("courses")
def courses_group():
    """Course content."""


@courses_group.command("sync")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding courses/, quizzes/ and frameworks/.")
@with_appcontext
def courses_sync(root: Path | None):
    """Check every course, question bank and framework, then load them; any problem and nothing changes."""
    from flask import current_app

    from lms.sync import load_shipped, read_shipped

    shipped = read_shipped(root or current_app.config["CONTENT_ROOT"])
    if shipped.problems:
        for problem in shipped.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(shipped.problems)} problem(s); nothing was changed.", err=True)
        sys.exit(1)
    lines = load_shipped(shipped)
    db.session.commit()
    for line in lines:
        click.echo(line)
    content = shipped.content
    click.echo(f"{len(content.courses)} courses, {len(content.banks)} question banks and "
               f"{len(shipped.frameworks)} competency framework(s) are up to date.")


@click.group("report")
def report_group():
    """Reports."""


@report_group.command("compliance")
@click.option("--plan", "plan_slug", help="An action plan's slug: its organisations, requirements and targets.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to report on (default today).")
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@with_appcontext
def report_compliance(plan_slug: str | None, as_of, output: str):
    """Percent trained per organisation and requirement, against the plan's targets (DESIGN §2.6)."""
    import json

    from lms.clock import today
    from lms.reports.queries import REPORT_COLUMNS, compliance_report, plan_by_slug

    plan = None
    if plan_slug:
        plan = plan_by_slug(plan_slug)
        if plan is None:
            raise click.UsageError(f"no action plan {plan_slug!r}")
    rows = [row.as_record() for row in compliance_report(as_of.date() if as_of else today(), plan)]
    if output == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    from lms.spreadsheet import csv_lines

    for line in csv_lines(REPORT_COLUMNS, rows):
        click.echo(line, nl=False)


@click.group("reminders")
def reminders_group():
    """Reminder emails."""


@reminders_group.command("send")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to act as (default today).")
@with_appcontext
def reminders_send(as_of):
    """Queue due reminders in the outbox; each stage once, safe to run twice or on several hosts."""
    from lms.clock import today
    from lms.compliance.services import send_manager_digests, send_reminders

    day = as_of.date() if as_of else today()
    queued = send_reminders(day)
    digests = send_manager_digests(day)
    db.session.commit()
    click.echo(f"queued {queued} reminder(s) and {digests} manager digest(s); `lms outbox send` delivers them")


@click.group("events")
def events_group():
    """Multi-agency sessions."""


@events_group.command("release-held")
@with_appcontext
def events_release_held():
    """Open places held for a sector once their date has passed, and fill them from the waiting lists (cron)."""
    from lms.db import utcnow
    from lms.events.services import release_held_places

    promoted = release_held_places(utcnow())
    db.session.commit()
    click.echo(f"{len(promoted)} moved up from waiting lists; `lms outbox send` delivers their invitations")


@click.group("audit")
def audit_group():
    """The tamper-evident audit trail."""


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Walk the hash chain and check every chained table against it; exit 1 naming each row that no longer matches."""
    from lms.audit.verify import verify

    result = verify()
    for finding in result.findings:
        click.echo(str(finding))
    if result.findings:
        click.echo(f"{len(result.findings)} problem(s): the records no longer match the audit trail.", err=True)
        sys.exit(1)
    rows = ", ".join(f"{table} {count}" for table, count in sorted(result.rows.items()))
    click.echo(f"The audit trail holds: {result.entries} entries ({rows}); last hash {result.head_hash}.")


@click.command("bench")
@click.option("--database-url", help="Build into this database instead of a throwaway SQLite file: an empty one, or "
                                     "one the bench built before (reused at the same size, else rebuilt).")
@click.option("--staff", default=50_000, show_default=True)
@click.option("--completions", default=600_000, show_default=True)
@click.option("--repeats", default=5, show_default=True, help="Runs of each timing; the medians are reported.")
def bench_command(database_url: str | None, staff: int, completions: int, repeats: int):
    """Time the compliance report against the fastest hand-written SQL, and a learner's page (DESIGN §6)."""
    from lms.bench import BenchError, Size, run
    from lms.config import driver_url

    try:
        run(driver_url(database_url) if database_url else None, Size(staff=staff, completions=completions), repeats,
            echo=click.echo)
    except BenchError as error:
        click.echo(str(error), err=True)
        sys.exit(1)


@click.group("periods")
def periods_group():
    """The valid periods the compliance report counts (kept in step with every change to the records)."""


@periods_group.command("rebuild")
@with_appcontext
def periods_rebuild():
    """Recompute every valid period from completions and people, e.g. after bulk SQL changed them."""
    from lms.compliance.periods import rebuild, vacuum

    count = rebuild()
    db.session.commit()
    vacuum()
    click.echo(f"{count} valid periods rebuilt from the records")


@periods_group.command("check")
@with_appcontext
def periods_check():
    """Compare the valid periods with the records, changing nothing; exit 1 if they differ."""
    from lms.compliance.periods import differences

    missing, extra = differences()
    if missing or extra:
        click.echo(f"{missing} valid period(s) missing and {extra} out of date; run `lms periods rebuild`", err=True)
        sys.exit(1)
    click.echo("valid periods match the records")
