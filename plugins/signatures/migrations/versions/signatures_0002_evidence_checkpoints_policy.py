"""signed checkpoints of the chain, passkey evidence and the signing policy

Revision ID: signatures_0002
Revises: signatures_0001
Create Date: 2026-12-01 10:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'signatures_0002'
down_revision = 'signatures_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signature_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('server_signature', sa.String(length=100), nullable=False),
    sa.CheckConstraint('sequence >= 1', name=op.f('ck_signature_checkpoints_sequence_positive')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_signature_checkpoints_declaration_id_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_checkpoints')),
    sa.UniqueConstraint('declaration_id', 'sequence', name='uq_signature_checkpoints_one_per_position')
    )


def downgrade():
    op.drop_table('signature_checkpoints')
