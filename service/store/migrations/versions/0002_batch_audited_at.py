"""batch.audited_at: when the units of a finished batch were re-audited; batch_item (batch_id, status) index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:50:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audited_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('batch_item', schema=None) as batch_op:
        batch_op.create_index('ix_batch_item_status', ['batch_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('batch_item', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_item_status')
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.drop_column('audited_at')
