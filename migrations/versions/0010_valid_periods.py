"""valid periods: each person's merged runs of validity per requirement, and people in post, for the report at scale

Revision ID: 7c2d5a0e8f31
Revises: 8d3be46c2545
Create Date: 2026-11-23 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2d5a0e8f31'
down_revision = '8d3be46c2545'
branch_labels = None
depends_on = None

# The rows lms.compliance.periods.periods_of() builds, as they stood when this migration was written.
FILL = """
INSERT INTO valid_periods (user_id, requirement_id, valid_from, valid_until, organisation_id, job_role_id,
                           start_date, leaving_date)
SELECT runs.user_id, runs.requirement_id, runs.valid_from, runs.valid_until, u.organisation_id, u.job_role_id,
       u.start_date, u.leaving_date
FROM (SELECT user_id, requirement_id, min(completed_on) AS valid_from, max(expires_on) AS valid_until
      FROM (SELECT user_id, requirement_id, completed_on, expires_on,
                   sum(opens) OVER (PARTITION BY user_id, requirement_id ORDER BY completed_on, expires_on, id
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
            FROM (SELECT user_id, requirement_id, completed_on, expires_on, id,
                         CASE WHEN completed_on <= max(expires_on) OVER (
                                  PARTITION BY user_id, requirement_id ORDER BY completed_on, expires_on, id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS opens
                  FROM completions WHERE superseded_at IS NULL AND expires_on > completed_on) held) numbered
      GROUP BY user_id, requirement_id, run) runs
JOIN users u ON u.id = runs.user_id
"""


def upgrade():
    op.create_table('valid_periods',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('job_role_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('leaving_date', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('user_id', 'requirement_id', 'valid_from', name=op.f('pk_valid_periods'))
    )
    with op.batch_alter_table('valid_periods', schema=None) as batch_op:
        batch_op.create_index('ix_valid_periods_report', ['valid_until', 'valid_from', 'requirement_id', 'organisation_id', 'job_role_id', 'start_date', 'leaving_date'], unique=False)
    op.execute(FILL)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_in_post', ['organisation_id', 'job_role_id', 'start_date', 'leaving_date'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_in_post')

    with op.batch_alter_table('valid_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_valid_periods_report')

    op.drop_table('valid_periods')
