"""declaration language versions: conference languages, one text per language in a revision,
out-of-step marks, per-language hashes of a frozen declaration, an amendment's language,
the translator permission

Revision ID: core_0010
Revises: core_0009
Create Date: 2026-12-01 13:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0010'
down_revision = 'core_0009'
branch_labels = None
depends_on = None


# The immutability trigger of core_0004 now guards the language versions too.
OLD_GUARDED = 'declaration_id, number, content, message, created_at'
NEW_GUARDED = OLD_GUARDED + ', languages, translations, out_of_step_marks'


def _trigger(guarded):
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS declaration_revisions_immutable')
        op.execute(
            f"""CREATE TRIGGER declaration_revisions_immutable
            BEFORE UPDATE OF {guarded} ON declaration_revisions
            BEGIN SELECT RAISE(ABORT, 'declaration revisions are immutable'); END"""
        )
    else:
        op.execute('DROP TRIGGER IF EXISTS declaration_revisions_immutable ON declaration_revisions')
        op.execute(
            f"""CREATE TRIGGER declaration_revisions_immutable
            BEFORE UPDATE OF {guarded} ON declaration_revisions
            FOR EACH ROW EXECUTE FUNCTION declaration_revisions_immutable()"""
        )


def upgrade():
    # Plain ADD COLUMN (no batch copy): a table rebuild on SQLite would drop the trigger.
    op.add_column('conferences', sa.Column('languages', sa.JSON(), server_default=sa.text('\'["en"]\''), nullable=False))
    op.add_column('declarations', sa.Column('language_hashes', sa.JSON(), nullable=True))
    op.add_column('declaration_revisions', sa.Column('languages', sa.JSON(), nullable=True))
    op.add_column('declaration_revisions', sa.Column('translations', sa.JSON(), nullable=True))
    op.add_column('declaration_revisions', sa.Column('out_of_step_marks', sa.JSON(), nullable=True))
    op.add_column('amendments', sa.Column('language', sa.String(length=16), nullable=True))
    op.add_column('users', sa.Column('is_translator', sa.Boolean(), server_default=sa.false(), nullable=False))
    _trigger(NEW_GUARDED)


def downgrade():
    _trigger(OLD_GUARDED)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_translator')
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.drop_column('language_hashes')
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_column('languages')
    # declaration_revisions: SQLite drops columns in place (3.35+), keeping the trigger.
    op.drop_column('declaration_revisions', 'out_of_step_marks')
    op.drop_column('declaration_revisions', 'translations')
    op.drop_column('declaration_revisions', 'languages')
