"""indexes of the double-publicity query (双公示)

Partial indexes of licences and penalties: one in the query's order (publication start, decision date, id)
and one per filter, each but the document number and the decision date followed by that order, so a page
of a filtered query is the first rows of one index range.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PUBLICATION_KINDS = "kind IN ('licence', 'penalty')"
ORDER = ["publication_start", "decision_date", "id"]
INDEXES = {
    "order": ORDER,
    "authority": ["authority_name", *ORDER],
    "authority_code": ["authority_uscc", *ORDER],
    "department": ["department_code", *ORDER],
    "document": ["document_no"],
    "decision": ["decision_date"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(
            f"ix_record_publication_{name}",
            "record",
            columns,
            unique=False,
            sqlite_where=sa.text(PUBLICATION_KINDS),
            postgresql_where=sa.text(PUBLICATION_KINDS),
        )


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(f"ix_record_publication_{name}", table_name="record")
