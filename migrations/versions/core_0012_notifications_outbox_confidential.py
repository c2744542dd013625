"""notifications; outbox: confidential messages, printed status

Revision ID: core_0012
Revises: core_0011
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0012'
down_revision = 'core_0011'
branch_labels = None
depends_on = None

KINDS = (
    'full_powers_granted', 'full_powers_revoked', 'declaration_opened', 'signature_recorded',
    'signature_withdrawn', 'amendment_accepted', 'amendment_rejected', 'report_returned',
    'report_reviewed', 'report_overdue',
)


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum(*KINDS, name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('subject_key', sa.String(length=100), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('mail_message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_notifications_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mail_message_id'], ['mail_messages.id'], name=op.f('fk_notifications_mail_message_id_mail_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_conference_id'), ['conference_id'], unique=False)
        batch_op.create_index('ix_notifications_subject', ['kind', 'subject_key'], unique=False)
        batch_op.create_index('ix_notifications_user_id_desc', ['user_id', 'id'], unique=False)
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(op.f('ck_mail_messages_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=6), type_=sa.String(length=7), existing_nullable=False)
        batch_op.create_check_constraint(
            op.f('ck_mail_messages_status'), "status IN ('queued', 'sent', 'failed', 'printed')"
        )


def downgrade():
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_mail_messages_status'), type_='check')
    op.execute("UPDATE mail_messages SET status = 'sent' WHERE status = 'printed'")
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=7), type_=sa.String(length=6), existing_nullable=False)
        batch_op.create_check_constraint(
            op.f('ck_mail_messages_status'), "status IN ('queued', 'sent', 'failed')"
        )
        batch_op.drop_column('confidential')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')
        batch_op.drop_index('ix_notifications_user_id_desc')
        batch_op.drop_index('ix_notifications_subject')
        batch_op.drop_index(batch_op.f('ix_notifications_conference_id'))

    op.drop_table('notifications')
