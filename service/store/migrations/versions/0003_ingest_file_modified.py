"""submission.file_modified and batch_item.file_modified: the file's own time, which orders two versions of one form

Revision ID: 0003_ingest
Revises: 0002
Create Date: 2026-12-03 21:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003_ingest'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_modified', sa.DateTime(), nullable=True))
    with op.batch_alter_table('batch_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_modified', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('batch_item', schema=None) as batch_op:
        batch_op.drop_column('file_modified')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('file_modified')
