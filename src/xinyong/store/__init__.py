"""The store: SQLAlchemy Core tables, migrations and every SQL statement of the platform."""
