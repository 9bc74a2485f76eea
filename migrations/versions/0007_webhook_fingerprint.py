"""webhooks: a fingerprint of the registration, so the same id sent again is a replay or a conflict

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Existing webhooks get none: a replay of their id is then a conflict (409), never a
    # silent success, since what was sent cannot be compared any more.
    with op.batch_alter_table('webhooks') as batch:
        batch.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('webhooks') as batch:
        batch.drop_column('fingerprint')
