"""document: one 文号 sequence per 机关代字 and year, so the backstop is a unique number_text
(drafts have none) instead of (campaign_id, kind, number)

Revision ID: 0003_documents
Revises: 0003_ingest
Create Date: 2026-12-03 22:00:00

"""
from typing import Sequence, Union

from alembic import op


revision: str = '0003_documents'
down_revision: Union[str, Sequence[str], None] = '0003_ingest'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint('uq_document_number', type_='unique')
        batch_op.create_unique_constraint('uq_document_number_text', ['number_text'])


def downgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint('uq_document_number_text', type_='unique')
        batch_op.create_unique_constraint('uq_document_number', ['campaign_id', 'kind', 'number'])
