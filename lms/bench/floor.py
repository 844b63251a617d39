"""The floor: the fastest correct SQL we could write by hand that counts what compliance.queries.counts_on counts,
straight from the records (no valid periods), for any day.

In scope: people in post counted per organisation and job role, multiplied through the requirements matrix.
Compliant: one ordered pass over the covering index ix_completions_valid (user, requirement, expiry, completed,
superseded) yields each (person, requirement) valid on the day once, without sorting; it joins users by primary
key. Exempt people are then taken out of both counts: there are few, so this is cheaper than testing everyone.
tests/integration/compliance/test_counts.py proves it returns exactly what the report does.
"""
from datetime import date

from sqlalchemy import Date, bindparam, text

FLOOR = text("""
SELECT organisation_id, requirement_id, sum(in_scope), sum(compliant) FROM (
  SELECT staff.organisation_id, rr.requirement_id, staff.n AS in_scope, 0 AS compliant
  FROM (SELECT organisation_id, job_role_id, count(*) AS n FROM users
        WHERE start_date <= :day AND (leaving_date IS NULL OR leaving_date >= :day)
        GROUP BY organisation_id, job_role_id) staff
  JOIN role_requirements rr ON rr.job_role_id = staff.job_role_id
  UNION ALL
  SELECT u.organisation_id, held.requirement_id, 0, count(*)
  FROM (SELECT DISTINCT user_id, requirement_id FROM completions
        WHERE superseded_at IS NULL AND completed_on <= :day AND expires_on > :day) held
  JOIN users u ON u.id = held.user_id
  JOIN role_requirements rr ON rr.job_role_id = u.job_role_id AND rr.requirement_id = held.requirement_id
  WHERE u.start_date <= :day AND (u.leaving_date IS NULL OR u.leaving_date >= :day)
  GROUP BY u.organisation_id, held.requirement_id
  UNION ALL
  SELECT u.organisation_id, exempt.requirement_id, -1,
         -CASE WHEN EXISTS (SELECT 1 FROM completions c
                            WHERE c.user_id = exempt.user_id AND c.requirement_id = exempt.requirement_id
                              AND c.superseded_at IS NULL AND c.completed_on <= :day AND c.expires_on > :day)
          THEN 1 ELSE 0 END
  FROM (SELECT DISTINCT user_id, requirement_id FROM exemptions WHERE starts_on <= :day AND ends_on >= :day) exempt
  JOIN users u ON u.id = exempt.user_id
  JOIN role_requirements rr ON rr.job_role_id = u.job_role_id AND rr.requirement_id = exempt.requirement_id
  WHERE u.start_date <= :day AND (u.leaving_date IS NULL OR u.leaving_date >= :day)
) parts
GROUP BY organisation_id, requirement_id
""").bindparams(bindparam("day", type_=Date))

# PostgreSQL gets the same settings as the report (no generic plans, no JIT) and room to de-duplicate in memory.
POSTGRES_SETTINGS = text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                         "set_config('jit', 'off', true), set_config('work_mem', '256MB', true)")


def floor_counts(session, day: date) -> dict[tuple[int, int], tuple[int, int]]:
    """{(organisation_id, requirement_id): (in_scope, compliant)}, the shape counts_on returns."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(POSTGRES_SETTINGS)
    return {(org, req): (int(n), int(ok)) for org, req, n, ok in session.execute(FLOOR, {"day": day}) if n}
