"""documents plugin: sealed PDFs of final declarations

Revision ID: documents_0002
Revises: documents_0001
Create Date: 2026-12-01 10:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'documents_0002'
down_revision = 'documents_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sealed_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('signature_count', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('certificate_subject', sa.String(length=500), nullable=False),
    sa.Column('certificate_sha256', sa.String(length=64), nullable=False),
    sa.Column('sealed_by_id', sa.Integer(), nullable=True),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_sealed_documents_size_positive')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_sealed_documents_sha256_length')),
    sa.CheckConstraint('signature_count >= 0', name=op.f('ck_sealed_documents_signature_count_not_negative')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_sealed_documents_declaration_id_declarations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sealed_by_id'], ['users.id'], name=op.f('fk_sealed_documents_sealed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_documents'))
    )
    op.create_index(op.f('ix_sealed_documents_declaration_id'), 'sealed_documents', ['declaration_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sealed_documents_declaration_id'), table_name='sealed_documents')
    op.drop_table('sealed_documents')
