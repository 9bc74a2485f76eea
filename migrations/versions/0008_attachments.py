"""attachments: evidence files, their sealed keys and their sealed content chunks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:20:00

"""
from alembic import op
import sqlalchemy as sa

from monitor.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

KINDS = ('photo', 'medico_legal_report', 'custody_register', 'document', 'audio')
STATUSES = ('uploading', 'complete')


def upgrade():
    op.create_table(
        'attachments',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('detention_id', sa.Uuid(), nullable=False),
        sa.Column('event_id', sa.Uuid(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('description_enc', sa.LargeBinary(), nullable=True),
        sa.Column('key_enc', sa.LargeBinary(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('received', sa.BigInteger(), nullable=False),
        sa.Column('chunks', sa.Integer(), nullable=False),
        sa.Column('keep_metadata', sa.Boolean(), nullable=False),
        sa.Column('gps_present', sa.Boolean(), nullable=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by', sa.Uuid(), nullable=True),
        sa.Column('received_at', UTCDateTime(), nullable=False),
        sa.Column('completed_at', UTCDateTime(), nullable=True),
        sa.Column('active_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint(f'kind IN {KINDS}', name='ck_attachments_kind'),
        sa.CheckConstraint(f'status IN {STATUSES}', name='ck_attachments_status'),
        sa.ForeignKeyConstraint(['detention_id'], ['detentions.id']),
        sa.ForeignKeyConstraint(['event_id'], ['custody_events.id']),
        sa.ForeignKeyConstraint(['uploaded_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_detention_id', ['detention_id'], unique=False)
        batch_op.create_index('ix_attachments_active_at', ['active_at'], unique=False)
    op.create_table(
        'attachment_chunks',
        sa.Column('attachment_id', sa.Uuid(), nullable=False),
        sa.Column('idx', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('start', sa.BigInteger(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id']),
        sa.PrimaryKeyConstraint('attachment_id', 'idx'),
    )


def downgrade():
    op.drop_table('attachment_chunks')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_active_at')
        batch_op.drop_index('ix_attachments_detention_id')
    op.drop_table('attachments')
