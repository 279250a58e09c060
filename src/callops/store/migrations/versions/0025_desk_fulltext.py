"""service desk: a full-text index for the knowledge scripts (character bigrams, Chinese and English alike)

``desk_scripts.search_terms`` holds ``callops.desk.search_terms.index_terms(title, body)``, written by the store
with each script; existing scripts get theirs here. The index over it depends on the database:

- PostgreSQL: a GIN index over ``string_to_array(search_terms, ' ')``, asked with ``@>`` (every term present).
- SQLite: an FTS5 table ``desk_scripts_fts`` (tokenizer ``ascii``: each term is one token; ``detail=none``:
  only presence counts) with ``desk_scripts`` as its external content, kept by three triggers. A later
  migration that rebuilds ``desk_scripts`` on SQLite (batch mode copies the table) drops the triggers and must
  create them again, then ``INSERT INTO desk_scripts_fts(desk_scripts_fts) VALUES ('rebuild')``.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from callops.desk.search_terms import index_terms

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER desk_scripts_fts_insert AFTER INSERT ON desk_scripts BEGIN
         INSERT INTO desk_scripts_fts (rowid, search_terms) VALUES (new.id, new.search_terms);
       END""",
    """CREATE TRIGGER desk_scripts_fts_delete AFTER DELETE ON desk_scripts BEGIN
         INSERT INTO desk_scripts_fts (desk_scripts_fts, rowid, search_terms)
         VALUES ('delete', old.id, old.search_terms);
       END""",
    """CREATE TRIGGER desk_scripts_fts_update AFTER UPDATE OF search_terms ON desk_scripts BEGIN
         INSERT INTO desk_scripts_fts (desk_scripts_fts, rowid, search_terms)
         VALUES ('delete', old.id, old.search_terms);
         INSERT INTO desk_scripts_fts (rowid, search_terms) VALUES (new.id, new.search_terms);
       END""",
)


def upgrade() -> None:
    op.add_column('desk_scripts', sa.Column('search_terms', sa.Text(), server_default='', nullable=False))
    conn = op.get_bind()
    scripts = sa.table('desk_scripts', sa.column('id'), sa.column('title'), sa.column('body'),
                       sa.column('search_terms'))
    rows = conn.execute(sa.select(scripts.c.id, scripts.c.title, scripts.c.body)).all()
    for row in rows:
        conn.execute(scripts.update().where(scripts.c.id == row.id).values(
            search_terms=index_terms(row.title, row.body)))
    if conn.dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_desk_scripts_search_terms ON desk_scripts "
                   "USING gin (string_to_array(search_terms, ' '))")
    else:
        op.execute("CREATE VIRTUAL TABLE desk_scripts_fts USING fts5(search_terms, content='desk_scripts', "
                   "content_rowid='id', tokenize='ascii', detail=none)")
        for ddl in _SQLITE_TRIGGERS:
            op.execute(ddl)
        op.execute("INSERT INTO desk_scripts_fts (desk_scripts_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_desk_scripts_search_terms")
    else:
        for name in ('insert', 'delete', 'update'):
            op.execute(f"DROP TRIGGER desk_scripts_fts_{name}")
        op.execute("DROP TABLE desk_scripts_fts")
    with op.batch_alter_table('desk_scripts') as batch_op:
        batch_op.drop_column('search_terms')
