"""safeguard facts and compliance counts: statistics without reading every outcome

/stats/compliance read and counted every matching detention's outcomes (25 s over
1,000,000 detentions); it now sums counts kept as outcomes are stored, and reads facts only
for the hour each median falls in (monitor.services.research.facts and .statistics). The
existing detentions' facts and counts are computed here from their stored outcomes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:30:00

"""
from collections import Counter
from datetime import timezone

import sqlalchemy as sa
from alembic import op

from monitor.domain.research import bucket_of, safeguard_facts

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CHUNK = 2000


def upgrade():
    op.create_table(
        'safeguard_facts',
        sa.Column('detention_id', sa.Uuid(), nullable=False),
        sa.Column('safeguard', sa.String(length=40), nullable=False),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('met_centi', sa.Integer(), nullable=True),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('facility_id', sa.Uuid(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('arrested_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['detention_id'], ['detentions.id']),
        sa.PrimaryKeyConstraint('detention_id', 'safeguard'),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_safeguard_facts_arrested_at', 'safeguard_facts', ['arrested_at'])
    met = sa.text('met_centi IS NOT NULL')
    op.create_index('ix_safeguard_facts_met', 'safeguard_facts',
                    ['safeguard', 'bucket', 'country', 'facility_id', 'month', 'arrested_at', 'met_centi'],
                    sqlite_where=met, postgresql_where=met)
    op.create_table(
        'compliance_counts',
        sa.Column('id', SERIAL, autoincrement=True, nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('facility_id', sa.Uuid(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('safeguard', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'compliance_sizes',
        sa.Column('id', SERIAL, autoincrement=True, nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('facility_id', sa.Uuid(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    _backfill(op.get_bind())


def _backfill(bind):
    """Every stored outcome list as facts, and the counts they sum to (one row per key)."""
    facts = sa.table('safeguard_facts', *(sa.column(name, kind) for name, kind in (
        ('safeguard', sa.String()), ('bucket', sa.Integer()), ('detention_id', sa.Uuid()),
        ('status', sa.String()), ('met_centi', sa.Integer()), ('country', sa.String()),
        ('facility_id', sa.Uuid()), ('month', sa.String()), ('arrested_at', sa.DateTime()))))
    keys = ('country', 'facility_id', 'month', 'safeguard', 'status', 'bucket')
    typed = {'facility_id': sa.Uuid()}
    counts = sa.table('compliance_counts', *(sa.column(name, typed.get(name)) for name in keys), sa.column('n'))
    sizes = sa.table('compliance_sizes', *(sa.column(name, typed.get(name)) for name in keys[:3]),
                     sa.column('n'))
    detentions = sa.table('detentions', sa.column('id', sa.Uuid()), sa.column('country', sa.String()),
                          sa.column('current_facility_id', sa.Uuid()),
                          sa.column('arrested_at', sa.DateTime()), sa.column('outcomes', sa.JSON()))
    count, size = Counter(), Counter()
    last = None
    while True:
        query = sa.select(detentions).where(detentions.c.outcomes.is_not(None))
        if last is not None:
            query = query.where(detentions.c.id > last)
        rows = bind.execute(query.order_by(detentions.c.id).limit(CHUNK)).all()
        if not rows:
            break
        last = rows[-1].id
        added = []
        for row in rows:
            arrested = row.arrested_at.replace(tzinfo=timezone.utc)
            month = f"{arrested.year:04d}-{arrested.month:02d}"
            found = safeguard_facts(row.outcomes, arrested)
            for name, status, centi in found:
                added.append({"safeguard": name, "bucket": bucket_of(centi), "detention_id": row.id,
                              "status": status, "met_centi": centi, "country": row.country,
                              "facility_id": row.current_facility_id, "month": month,
                              "arrested_at": row.arrested_at})
                count[row.country, row.current_facility_id, month, name, status, bucket_of(centi)] += 1
            if found:
                size[row.country, row.current_facility_id, month] += 1
        if added:
            bind.execute(facts.insert(), added)
    rows = [dict(zip(keys, key, strict=True), n=n) for key, n in count.items()]
    for start in range(0, len(rows), CHUNK):
        bind.execute(counts.insert(), rows[start:start + CHUNK])
    rows = [dict(zip(keys[:3], key, strict=True), n=n) for key, n in size.items()]
    for start in range(0, len(rows), CHUNK):
        bind.execute(sizes.insert(), rows[start:start + CHUNK])


def downgrade():
    op.drop_table('compliance_sizes')
    op.drop_table('compliance_counts')
    op.drop_index('ix_safeguard_facts_met', table_name='safeguard_facts')
    op.drop_index('ix_safeguard_facts_arrested_at', table_name='safeguard_facts')
    op.drop_table('safeguard_facts')
