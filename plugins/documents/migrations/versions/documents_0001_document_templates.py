"""documents plugin: Word templates per conference

Revision ID: documents_0001
Revises:
Create Date: 2026-11-28 12:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'documents_0001'
down_revision = None
branch_labels = ('documents',)
depends_on = 'core_0004'


def upgrade():
    op.create_table('document_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_document_templates_size_positive')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_document_templates_sha256_length')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_document_templates_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_document_templates_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_templates')),
    sa.UniqueConstraint('conference_id', name=op.f('uq_document_templates_conference_id'))
    )


def downgrade():
    op.drop_table('document_templates')
