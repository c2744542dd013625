"""accreditation badges and check-in

Revision ID: core_0011
Revises: core_0010
Create Date: 2026-12-01 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0011'
down_revision = 'core_0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('badges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('excellency', sa.Boolean(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revocation_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('(revoked_at IS NULL) = (revocation_reason IS NULL)', name=op.f('ck_badges_revocation_has_reason')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_badges_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_badges_delegation_id_delegations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_badges_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_badges_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_badges_revoked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badges')),
    sa.UniqueConstraint('public_id', name='uq_badges_public_id')
    )
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badges_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ix_badges_delegation_revoked', ['delegation_id', 'revoked_at'], unique=False)
        batch_op.create_index('ix_badges_conference_revoked', ['conference_id', 'revoked_at'], unique=False)
        batch_op.create_index('uq_badges_one_active_per_registration', ['registration_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('badge_checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('door', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badges.id'], name=op.f('fk_badge_checkins_badge_id_badges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_badge_checkins_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_badge_checkins_checked_in_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_checkins')),
    sa.UniqueConstraint('badge_id', name='uq_badge_checkins_badge_id')
    )
    with op.batch_alter_table('badge_checkins', schema=None) as batch_op:
        batch_op.create_index('ix_badge_checkins_conference', ['conference_id', 'checked_in_at'], unique=False)


def downgrade():
    with op.batch_alter_table('badge_checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_badge_checkins_conference')
    op.drop_table('badge_checkins')
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.drop_index('uq_badges_one_active_per_registration', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index('ix_badges_conference_revoked')
        batch_op.drop_index('ix_badges_delegation_revoked')
        batch_op.drop_index(batch_op.f('ix_badges_registration_id'))
    op.drop_table('badges')
