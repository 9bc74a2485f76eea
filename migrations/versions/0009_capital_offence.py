"""detentions: the optional capital_offence fact (Nigeria, Constitution s.35(7)(a))

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable and without default: existing detentions are "unknown", so the strict
    # 24/48 h limit keeps applying to them.
    with op.batch_alter_table('detentions') as batch:
        batch.add_column(sa.Column('capital_offence', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('detentions') as batch:
        batch.drop_column('capital_offence')
