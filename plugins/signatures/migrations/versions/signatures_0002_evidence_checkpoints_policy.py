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
depends_on = 'core_0007'


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
    op.create_table('signature_policies',
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('password', 'passkey_preferred', 'passkey_required', name='mode', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('email_code', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_signature_policies_declaration_id_declarations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_signature_policies_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('declaration_id', name=op.f('pk_signature_policies'))
    )
    # A new sign-in method: the CHECK on auth_method lists the allowed values.
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passkey_evidence', sa.JSON(), nullable=True))
        batch_op.drop_constraint(op.f('ck_signatures_auth_method'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_signatures_auth_method'),
            "auth_method IN ('password', 'password+email_code', 'passkey')",
        )


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_signatures_auth_method'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_signatures_auth_method'), "auth_method IN ('password', 'password+email_code')"
        )
        batch_op.drop_column('passkey_evidence')
    op.drop_table('signature_policies')
    op.drop_table('signature_checkpoints')
