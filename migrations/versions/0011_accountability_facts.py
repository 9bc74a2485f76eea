"""accountability facts: impunity statistics without aggregating every hearing

/stats/accountability aggregated every counted event of every detention at each request
(7 to 8 s over 1,000,000 detentions, most of it reading hearings' details); the facts are
now kept per detention as events are stored, for the detentions whose events show
something. This computes them for the events already stored, with the service's own query
(monitor.services.research.impunity.event_facts) as it stands at this revision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accountability_facts',
        sa.Column('detention_id', sa.Uuid(), nullable=False),
        sa.Column('alleged_at', sa.DateTime(), nullable=True),
        sa.Column('complaint', sa.Boolean(), nullable=False),
        sa.Column('investigated_at', sa.DateTime(), nullable=True),
        sa.Column('prosecution', sa.Boolean(), nullable=False),
        sa.Column('conviction', sa.Boolean(), nullable=False),
        sa.Column('admitted_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['detention_id'], ['detentions.id']),
        sa.PrimaryKeyConstraint('detention_id'),
    )
    backfill(op.get_bind())
    # The statistics' group sizes per country, year or facility, scoped and filtered, from the
    # index alone (per year, or per facility within a scope, they read every detention row:
    # 1 to 3 s over 1,000,000).
    op.create_index('ix_detentions_country_arrested_at', 'detentions',
                    ['country', 'arrested_at', 'current_facility_id'])


def backfill(bind):
    """The facts of every detention's stored events, in one INSERT ... SELECT."""
    from monitor.services.research.impunity import FACTS, event_facts
    bind.execute(FACTS.insert().from_select([column.name for column in FACTS.columns], event_facts()))


def downgrade():
    op.drop_index('ix_detentions_country_arrested_at', table_name='detentions')
    op.drop_table('accountability_facts')
