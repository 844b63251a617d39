"""Commissioners' reports: plans against their trajectory, drill-down, charts, exports, published board reports."""
from datetime import date
from fractions import Fraction

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from lms.accounts.access import role_required
from lms.accounts.models import Organisation, Role, Sector, User
from lms.accounts.queries import visible_people
from lms.clock import today
from lms.compliance import rules
from lms.compliance.models import Requirement
from lms.compliance.queries import counts_on, organisations as all_organisations, requirements as all_requirements
from lms.extensions import db
from lms.paging import page_number
from lms.reports import charts, exports, queries, services
from lms.reports.forms import (
    MILESTONES, ActionForm, MeasureForm, MeasureValueForm, PlanForm, PublishForm, TargetForm, UpdateForm,
)
from lms.reports.models import ActionPlan, ActionStatus, PlanAction, PlanMeasure, PlanTarget, PublishedReport
from lms.reports.rules import (
    decode_milestones, milestones_after_start, previous_quarter_end, quarter_end_on_or_before, quarter_ends, rag_counts,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = (Role.COMMISSIONER, Role.COORDINATOR, Role.ADMIN)
EDITORS = (Role.COMMISSIONER, Role.ADMIN)


def _plan_or_404(slug: str) -> ActionPlan:
    plan = queries.plan_by_slug(slug)
    if plan is None:
        abort(404)
    return plan


def _day(name: str = "as_of", default: date | None = None) -> date:
    """A YYYY-MM-DD query argument; a malformed one is a 400, never a silent default."""
    value = request.args.get(name, "").strip()
    if not value:
        return default or today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description=f"{name} must be a date in the form YYYY-MM-DD")


def _filters() -> queries.Filters:
    sector = request.args.get("sector") or None
    return queries.Filters(
        organisation_id=request.args.get("organisation", type=int),
        sector=Sector(sector) if sector in {s.value for s in Sector} else None,
        requirement_id=request.args.get("requirement", type=int),
    )


@bp.get("/")
@role_required(*READERS)
def index():
    """Every plan with its RAG at a glance and what moved since the last quarter end."""
    day = today()
    since = previous_quarter_end(day)
    summaries, plans = [], queries.plans()
    # The counts are the same for every plan: two queries in all, not two a plan.
    counts, counts_since = (counts_on(day), counts_on(since)) if plans else ({}, {})
    for plan in plans:
        rows = queries.compliance_report(day, plan, counts)
        before = {(r.organisation.id, r.requirement.id): r for r in queries.compliance_report(since, plan, counts_since)}
        moves = []
        for row in rows:
            old = before.get((row.organisation.id, row.requirement.id))
            if old is not None and row.percent is not None and old.percent is not None and row.percent != old.percent:
                moves.append((row, old, row.percent - old.percent))
        moves.sort(key=lambda m: -abs(m[2]))
        summaries.append({"plan": plan, "rows": rows, "rags": rag_counts(rows), "moves": moves[:5],
                          "worse": sum(1 for m in moves if m[2] < 0), "better": sum(1 for m in moves if m[2] > 0),
                          "published": _published_of(plan)[:3]})
    return render_template("reports/index.html", summaries=summaries, day=day, since=since,
                           editor=current_user.has_role(*EDITORS))


def _published_of(plan: ActionPlan) -> list[PublishedReport]:
    return list(db.session.scalars(select(PublishedReport).where(PublishedReport.plan_id == plan.id)
                                   .order_by(PublishedReport.as_of.desc(), PublishedReport.id.desc())))


@bp.get("/plans/<slug>")
@role_required(*READERS)
def plan(slug: str):
    """One plan's report for a date: every §2.6 column, what lapses and who is booked before the next milestone."""
    plan = _plan_or_404(slug)
    day, filters = _day(), _filters()
    rows = [row for row in queries.compliance_report(day, plan) if filters.keep(row)]
    overview = []
    for target in plan.targets:
        target_rows = [r for r in rows if r.requirement.id == target.requirement_id]
        if target_rows:
            overview.append((target, charts.ranked_bars([(r.organisation.name, r.percent, r.target, r.rag) for r in target_rows])))
    return render_template(
        "reports/plan.html", plan=plan, day=day, rows=rows, pipeline=queries.pipeline(day, rows), overview=overview,
        filters=filters, organisations=all_organisations(), requirements=[t.requirement for t in plan.targets],
        sectors=list(Sector), actions=_actions_of(plan), measures=_measures_of(plan), published=_published_of(plan),
        editor=current_user.has_role(*EDITORS), quarter_end=quarter_end_on_or_before(day),
        publish_form=PublishForm(),
    )


def _actions_of(plan: ActionPlan) -> list[PlanAction]:
    return list(db.session.scalars(select(PlanAction).where(PlanAction.plan_id == plan.id).order_by(PlanAction.position)))


def _measures_of(plan: ActionPlan) -> list[PlanMeasure]:
    return list(db.session.scalars(select(PlanMeasure).where(PlanMeasure.plan_id == plan.id).order_by(PlanMeasure.position)))


# --- drill-down ---

def _may_drill(organisation: Organisation) -> bool:
    return current_user.has_role(*READERS) or (current_user.has_role(Role.MANAGER)
                                                and current_user.organisation_id == organisation.id)


def _people_scope():
    """Whose names the viewer may see in a drill-down: None for everyone, or a select of ids.

    Who still needs training is part of the report (DESIGN §2.6), so commissioners see it; their view
    stops there (no records, no answers). An organisation's own manager sees their people."""
    if current_user.has_role(*READERS):
        return None
    return visible_people(current_user).with_only_columns(User.id)


@bp.get("/plans/<slug>/organisations/<int:organisation_id>")
@login_required
def organisation(slug: str, organisation_id: int):
    """One organisation against the plan: its trajectory chart, its teams, and (for those allowed) who is not trained."""
    plan = _plan_or_404(slug)
    org = db.get_or_404(Organisation, organisation_id)
    if not _may_drill(org):
        abort(403)
    targets = queries.targets_of(plan, org)
    if not targets:
        abort(404)
    requirement_id = request.args.get("requirement", type=int) or targets[0].requirement_id
    target = next((t for t in targets if t.requirement_id == requirement_id), None)
    if target is None:
        abort(404)
    day = _day()
    [series] = queries.series_for(plan, target, [org], day)
    milestones = decode_milestones(target.milestones)
    end = max([day] + [m.on for m in milestones])
    trajectory = charts.target_line(plan.starts_on, [(m.on, m.percent) for m in milestones], end)
    chart = charts.line_chart(series.percents(), trajectory, plan.starts_on, end)
    untrained = queries.untrained_on(day, org, target.requirement, _people_scope(), page=page_number(request.args.get("page")))
    # The series ends on the day itself, so its last point is this row's counts.
    row = queries.target_row(plan, target, org, day, series.points[-1][1:])
    return render_template(
        "reports/organisation.html", plan=plan, org=org, target=target, targets=targets, day=day, row=row,
        chart=chart, series=series, targets_by_day={d: rules.target_on(plan.starts_on, milestones, d) for d, _, _ in series.points},
        teams=queries.teams_on(day, org, target.requirement), untrained=untrained,
        opens_records=current_user.has_role(Role.ADMIN, Role.COORDINATOR, Role.MANAGER), pipeline=queries.pipeline(day, [row]).get((org.id, requirement_id)),
        readers=current_user.has_role(*READERS),
    )


# --- exports (DESIGN §5) ---

def _export_plan() -> ActionPlan | None:
    slug = request.args.get("plan")
    return _plan_or_404(slug) if slug else None


@bp.get("/compliance.csv")
@role_required(*READERS)
def compliance_csv():
    """The §2.6 rows, the same bytes as `lms report compliance --format csv`, streamed."""
    plan, day = _export_plan(), _day()
    name = f"compliance-{plan.slug if plan else 'all'}-{day.isoformat()}.csv"
    return Response(stream_with_context(exports.report_csv(day, plan)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/compliance.xlsx")
@role_required(*READERS)
def compliance_xlsx():
    """The same rows on the first sheet; each organisation's month-end series and target on the second."""
    plan, day = _export_plan(), _day()
    name = f"compliance-{plan.slug if plan else 'all'}-{day.isoformat()}.xlsx"
    return Response(exports.report_xlsx(day, plan),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/plans/<slug>/board")
@role_required(*READERS)
def board(slug: str):
    """A printable board report for a quarter end: trajectory, every organisation, actions and measures."""
    plan = _plan_or_404(slug)
    day = _day(default=quarter_end_on_or_before(today()))
    rows = queries.compliance_report(day, plan)
    overview = [(t, charts.ranked_bars([(r.organisation.name, r.percent, r.target, r.rag)
                                        for r in rows if r.requirement.id == t.requirement_id])) for t in plan.targets]
    return render_template("reports/board.html", plan=plan, day=day, rows=rows, overview=overview,
                           pipeline=queries.pipeline(day, rows), actions=_actions_of(plan), measures=_measures_of(plan),
                           rags=rag_counts(rows))


# --- publishing ---

@bp.post("/plans/<slug>/publish")
@role_required(*EDITORS)
def publish(slug: str):
    """Store the figures for a date, for good."""
    plan = _plan_or_404(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        day = date.fromisoformat(request.form.get("as_of") or today().isoformat())
    except ValueError:
        abort(400)
    if day > today():
        flash("A report can only be published for today or a past date.")
        return redirect(url_for("reports.plan", slug=plan.slug))
    report = services.publish(plan, day, current_user, (form.note.data or "").strip())
    db.session.commit()
    flash(f"The report for {day:%d %B %Y} is published. Its figures will not change.")
    return redirect(url_for("reports.published", report_id=report.id))


@bp.get("/published/<int:report_id>")
@role_required(*READERS)
def published(report_id: int):
    """A published report as it was published, and where today's recalculation for its date differs and why."""
    report = db.get_or_404(PublishedReport, report_id)
    now = {r["organisation"] + "\x00" + r["requirement"]: r for r in
           (row.as_record() for row in queries.compliance_report(report.as_of, report.plan))}
    changes, total = services.differences(report)
    return render_template("reports/published.html", report=report, now=now, changes=changes, total=total)


# --- editing plans ---

def _quarter_choices(plan: ActionPlan) -> list[SelectChoice]:
    ends = quarter_ends(plan.starts_on, max(today(), plan.starts_on))
    return [SelectChoice(d.isoformat(), f"Quarter ending {d.day} {d:%B %Y}") for d in reversed(ends)]


@bp.route("/plans/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new_plan():
    form = PlanForm()
    if form.validate_on_submit():
        plan = services.save_plan(None, form.title.data.strip(), form.owner.data.strip(), form.starts_on.data)
        db.session.commit()
        flash(f"{plan.title} is created. Add its training targets, actions and measures.")
        return redirect(url_for("reports.plan", slug=plan.slug))
    return render_template("reports/form.html", form=form, heading="New action plan", plan=None)


@bp.route("/plans/<slug>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_plan(slug: str):
    plan = _plan_or_404(slug)
    form = PlanForm(obj=plan) if request.method == "GET" else PlanForm()
    if form.validate_on_submit():
        if not milestones_after_start(form.starts_on.data,
                                      [m.on for t in plan.targets for m in decode_milestones(t.milestones)]):
            form.starts_on.errors.append("The plan must start before its first milestone")
        else:
            services.save_plan(plan, form.title.data.strip(), form.owner.data.strip(), form.starts_on.data)
            db.session.commit()
            flash(f"{plan.title} is saved.")
            return redirect(url_for("reports.plan", slug=plan.slug))
    return render_template("reports/form.html", form=form, heading="Change the plan", plan=plan)


def _target_form(plan: ActionPlan, target: PlanTarget | None) -> TargetForm:
    if request.method == "GET" and target is not None:
        data = {"requirement": str(target.requirement_id), "scope": "all" if target.all_organisations else "some",
                "organisations": [str(i) for i in target.organisation_ids]}
        for n, m in enumerate(decode_milestones(target.milestones), start=1):
            data[f"milestone_{n}_on"], data[f"milestone_{n}_percent"] = m.on, m.percent
        form = TargetForm(data=data)
    else:
        form = TargetForm()
    form.requirement.choices = [SelectChoice("", "Choose the training")] + [SelectChoice(str(r.id), r.title) for r in all_requirements()]
    form.organisations.choices = [SelectChoice(str(o.id), o.name) for o in all_organisations()]
    return form


@bp.route("/plans/<slug>/targets/new", methods=["GET", "POST"])
@bp.route("/plans/<slug>/targets/<int:target_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def target(slug: str, target_id: int | None = None):
    """A training target: which training, which organisations, the percent trained by each date."""
    plan = _plan_or_404(slug)
    target = None
    if target_id is not None:
        target = db.get_or_404(PlanTarget, target_id)
        if target.plan_id != plan.id:
            abort(404)
    form = _target_form(plan, target)
    if form.validate_on_submit():
        milestones = [rules.Milestone(on, Fraction(percent)) for on, percent in form.milestones()]
        if not milestones_after_start(plan.starts_on, [m.on for m in milestones]):
            form.milestone_1_on.errors.append(f"Every milestone must be after the plan starts ({plan.starts_on:%d/%m/%Y})")
        else:
            requirement = db.get_or_404(Requirement, int(form.requirement.data))
            services.save_target(plan, target, requirement,
                                 None if form.scope.data == "all" else [int(i) for i in form.organisations.data],
                                 milestones)
            db.session.commit()
            flash("The target is saved.")
            return redirect(url_for("reports.plan", slug=plan.slug))
    return render_template("reports/target_form.html", form=form, plan=plan, target=target, milestones=MILESTONES)


def _action_form(plan: ActionPlan, action: PlanAction | None, submitted: bool = False) -> ActionForm:
    """The action's form with the plan's targets to choose from: what was submitted, else the action as stored."""
    form = ActionForm() if submitted else ActionForm(obj=action, target=str(action.target_id or "") if action else "")
    form.target.choices = [SelectChoice("", "Not a training line")] + [
        SelectChoice(str(t.id), f"{t.requirement.title} ({'every organisation' if t.all_organisations else f'{len(t.organisation_ids)} organisations'})")
        for t in plan.targets]
    return form


@bp.route("/plans/<slug>/actions/new", methods=["GET", "POST"])
@bp.route("/plans/<slug>/actions/<int:action_id>", methods=["GET", "POST"])
@role_required(*READERS)
def action(slug: str, action_id: int | None = None):
    """One line of the plan: recommendation, action, owner, budget, timescale, and the target that measures it.
    Readers see its dated updates; only editors add one or change the action."""
    plan = _plan_or_404(slug)
    editor = current_user.has_role(*EDITORS)
    if not editor and (request.method == "POST" or action_id is None):
        abort(403)
    action = None
    if action_id is not None:
        action = db.get_or_404(PlanAction, action_id)
        if action.plan_id != plan.id:
            abort(404)
    form = _action_form(plan, action, submitted=request.method == "POST")
    if form.validate_on_submit():
        fields = {name: (getattr(form, name).data or "").strip()
                  for name in ("recommendation", "action", "owner", "budget", "timescale")}
        services.save_action(plan, action, fields, int(form.target.data) if form.target.data else None)
        db.session.commit()
        flash("The action is saved.")
        return redirect(url_for("reports.plan", slug=plan.slug, _anchor="actions"))
    update_form = UpdateForm(data={"on": today(), "status": action.status.value}) if action else None
    return render_template("reports/action_form.html", form=form, plan=plan, action=action, update_form=update_form,
                           editor=editor)


@bp.post("/plans/<slug>/actions/<int:action_id>/updates")
@role_required(*EDITORS)
def add_update(slug: str, action_id: int):
    plan = _plan_or_404(slug)
    action = db.get_or_404(PlanAction, action_id)
    if action.plan_id != plan.id:
        abort(404)
    form = UpdateForm()
    if form.validate_on_submit():
        services.add_update(action, form.on.data, form.note.data.strip(), ActionStatus(form.status.data), current_user)
        db.session.commit()
        flash("The update is added.")
        return redirect(url_for("reports.action", slug=plan.slug, action_id=action.id))
    return render_template("reports/action_form.html", form=_action_form(plan, action), plan=plan, action=action,
                           update_form=form, editor=True), 400


@bp.route("/plans/<slug>/measures/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new_measure(slug: str):
    plan = _plan_or_404(slug)
    form = MeasureForm()
    if form.validate_on_submit():
        services.add_measure(plan, form.title.data.strip(), (form.description.data or "").strip())
        db.session.commit()
        flash("The measure is added. Enter its figure each quarter.")
        return redirect(url_for("reports.plan", slug=plan.slug, _anchor="measures"))
    return render_template("reports/form.html", form=form, heading="Add a quarterly measure", plan=plan)


@bp.route("/plans/<slug>/measures/<int:measure_id>", methods=["GET", "POST"])
@role_required(*READERS)
def measure(slug: str, measure_id: int):
    """A measure's figures by quarter, as a table and a trend; editors enter a quarter's figure."""
    plan = _plan_or_404(slug)
    measure = db.get_or_404(PlanMeasure, measure_id)
    if measure.plan_id != plan.id:
        abort(404)
    form = MeasureValueForm()
    form.quarter_end.choices = _quarter_choices(plan)
    editor = current_user.has_role(*EDITORS)
    if request.method == "POST":
        if not editor:
            abort(403)
        if form.validate_on_submit():
            services.record_measure(measure, date.fromisoformat(form.quarter_end.data), form.value.data,
                                    (form.note.data or "").strip(), current_user)
            db.session.commit()
            flash("The figure is saved.")
            return redirect(url_for("reports.measure", slug=plan.slug, measure_id=measure.id))
    trend = charts.column_chart([(v.quarter_end, v.value) for v in measure.values])
    return render_template("reports/measure.html", plan=plan, measure=measure, form=form, editor=editor, trend=trend)
