"""assessment integrity: pages a learner must re-read after repeated fails

Revision ID: 9b4e1f27c6d3
Revises: 4e1fa9814911
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b4e1f27c6d3'
down_revision = '4e1fa9814911'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pages_to_reread', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('progress', schema=None) as batch_op:
        batch_op.drop_column('pages_to_reread')
