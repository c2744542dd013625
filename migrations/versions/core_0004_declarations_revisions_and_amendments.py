"""declarations, revisions and amendments

Revision ID: core_0004
Revises: core_0001
Create Date: 2026-11-28 12:17:01.059345

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'core_0004'
down_revision = 'core_0001'
branch_labels = None
depends_on = None


FROZEN_FK = 'fk_declarations_frozen_revision_id'
# Revisions are immutable in the database too: the text and identity of a saved revision can
# never be updated (ON DELETE SET NULL may still clear author_id and amendment_id).
GUARDED = 'declaration_id, number, content, message, created_at'
IMMUTABLE_SQLITE = [
    f"""CREATE TRIGGER declaration_revisions_immutable
    BEFORE UPDATE OF {GUARDED} ON declaration_revisions
    BEGIN SELECT RAISE(ABORT, 'declaration revisions are immutable'); END"""
]
IMMUTABLE_POSTGRESQL = [
    """CREATE FUNCTION declaration_revisions_immutable() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'declaration revisions are immutable'; END
    $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER declaration_revisions_immutable
    BEFORE UPDATE OF {GUARDED} ON declaration_revisions
    FOR EACH ROW EXECUTE FUNCTION declaration_revisions_immutable()""",
]


def upgrade():
    # declarations.frozen_revision_id and declaration_revisions.declaration_id refer to each
    # other: SQLite accepts the forward reference in CREATE TABLE (and cannot ALTER a foreign key
    # in without rebuilding the table); PostgreSQL gets it once both tables exist.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    frozen_fk = [sa.ForeignKeyConstraint(['frozen_revision_id'], ['declaration_revisions.id'], name=FROZEN_FK, ondelete='SET NULL')] if sqlite else []
    op.create_table('declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('state', sa.Enum('draft', 'consultation', 'open', 'closed', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('current_revision_number', sa.Integer(), nullable=False),
    sa.Column('frozen_revision_id', sa.Integer(), nullable=True),
    sa.Column('text_hash', sa.String(length=64), nullable=True),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'consultation') OR text_hash IS NOT NULL", name=op.f('ck_declarations_open_or_closed_is_frozen')),
    sa.CheckConstraint('text_hash IS NULL OR length(text_hash) = 64', name=op.f('ck_declarations_text_hash_is_sha256')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_declarations_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declarations')),
    *frozen_fk
    )
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declarations_conference_id'), ['conference_id'], unique=False)

    op.create_table('amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'submitted', 'accepted', 'rejected', 'withdrawn', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('kind', sa.Enum('replace', 'insert_after', 'delete', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('target_key', sa.String(length=40), nullable=False),
    sa.Column('base_revision_number', sa.Integer(), nullable=False),
    sa.Column('proposed_title', sa.String(length=200), nullable=True),
    sa.Column('proposed_text', sa.Text(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('accepted_revision_number', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind = 'delete' OR proposed_text IS NOT NULL", name=op.f('ck_amendments_replace_or_insert_has_text')),
    sa.CheckConstraint("state != 'accepted' OR accepted_revision_number IS NOT NULL", name=op.f('ck_amendments_accepted_has_revision')),
    sa.CheckConstraint("state != 'rejected' OR rejection_reason IS NOT NULL", name=op.f('ck_amendments_rejected_has_reason')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_amendments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_amendments_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_amendments_declaration_id_declarations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_amendments_delegation_id_delegations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendments'))
    )
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.create_index('ix_amendments_declaration_state', ['declaration_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_amendments_delegation_id'), ['delegation_id'], unique=False)

    op.create_table('amendment_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_comments_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_amendment_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_amendment_comments_delegation_id_delegations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_comments'))
    )
    with op.batch_alter_table('amendment_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendment_comments_amendment_id'), ['amendment_id'], unique=False)

    op.create_table('amendment_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_supports_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegations.id'], name=op.f('fk_amendment_supports_delegation_id_delegations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_amendment_supports_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_supports')),
    sa.UniqueConstraint('amendment_id', 'delegation_id', name='uq_amendment_supports_one_per_delegation')
    )
    op.create_table('declaration_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('number >= 1', name=op.f('ck_declaration_revisions_number_positive')),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_declaration_revisions_amendment_id_amendments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_declaration_revisions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_declaration_revisions_declaration_id_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_revisions')),
    sa.UniqueConstraint('declaration_id', 'number', name='uq_declaration_revisions_one_number_per_declaration')
    )
    for statement in IMMUTABLE_SQLITE if sqlite else IMMUTABLE_POSTGRESQL:
        op.execute(statement)
    if not sqlite:
        op.create_foreign_key(FROZEN_FK, 'declarations', 'declaration_revisions', ['frozen_revision_id'], ['id'], ondelete='SET NULL')
    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.execute('DROP TRIGGER IF EXISTS declaration_revisions_immutable' + ('' if op.get_bind().dialect.name == 'sqlite' else ' ON declaration_revisions'))
    if op.get_bind().dialect.name != 'sqlite':
        op.execute('DROP FUNCTION IF EXISTS declaration_revisions_immutable()')
        op.drop_constraint(FROZEN_FK, 'declarations', type_='foreignkey')
    op.drop_table('declaration_revisions')
    op.drop_table('amendment_supports')
    with op.batch_alter_table('amendment_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_comments_amendment_id'))

    op.drop_table('amendment_comments')
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendments_delegation_id'))
        batch_op.drop_index('ix_amendments_declaration_state')

    op.drop_table('amendments')
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declarations_conference_id'))

    op.drop_table('declarations')
    # ### end Alembic commands ###
