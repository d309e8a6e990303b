"""The migrations and the table definitions describe the same schema, on both engines: Alembic's
autogenerate comparison of a migrated store with ``store.tables`` finds nothing to add, drop or alter."""

from __future__ import annotations

import json
from decimal import Decimal

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from xinyong.store.db import alembic_config, make_engine
from xinyong.store.tables import metadata

CENT = Decimal("0.01")


def test_migrations_and_tables_agree(platform):
    with platform.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_0003_upgrades_a_store_with_data_and_downgrades(database_url):
    """Batches loaded before warnings count none; registered capital read so far was 人民币; the one stored
    status that is not a term of the vocabulary (在业) becomes 存续."""
    engine = make_engine(database_url)
    config = alembic_config(engine)
    command.upgrade(config, "0002")
    now = "2026-11-20 08:00:00"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO department (code, name, created_at) VALUES ('D', '部门', '{now}')"))
        conn.execute(
            text(
                "INSERT INTO batch (department_code, kind, file_name, file_sha256, file_format, channel,"
                " received_at, received_on, rows_total, accepted, rejected, duplicates, review, late,"
                f" timeliness_unknown) VALUES ('D', 'entity', 'e.csv', 'x', 'csv', 'cli', '{now}',"
                " '2026-11-20', 2, 2, 0, 0, 0, 0, 0)"
            )
        )
        for code, status, capital in (("A", "在业", "10"), ("B", "注销", None)):
            conn.execute(
                text(
                    "INSERT INTO entity (uscc, name, authority_code, category_code, entity_type, region_code,"
                    " status, registered_capital, provisional, created_at, updated_at) VALUES"
                    " (:code, 'n', '9', '1', 't', '330206', :status, :capital, false, :now, :now)"
                ),
                {"code": code, "status": status, "capital": capital, "now": now},
            )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT warnings FROM batch")).scalar_one() == 0
        query = "SELECT uscc, status, registered_capital_currency FROM entity ORDER BY uscc"
        rows = conn.execute(text(query))
        assert [tuple(r) for r in rows] == [("A", "存续", "人民币"), ("B", "注销", None)]
    command.downgrade(config, "0002")
    command.upgrade(config, "head")
    engine.dispose()


def test_0012_keeps_each_result_s_points_with_it_and_downgrades(database_url):
    """The points of runs made before 0012 move into their results, in indicator, factor and record order,
    amounts to the cent; the downgrade gives them back their rows."""
    engine = make_engine(database_url)
    config = alembic_config(engine)
    command.upgrade(config, "0011")
    now = "2026-11-20 08:00:00"
    points = [  # uscc, indicator, factor, record_id, order_key, raw, points
        ("B", "law_abiding", "law_abiding.penalty_general", 7, 20250101, "-20.00", "-20.00"),
        ("A", "law_abiding", "law_abiding.penalty_minor", 9, 20240506, "-5.00", "-4.50"),
        ("A", "commitments", "commitments.kept", 3, 20230101, "6.40", "6.40"),
    ]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO evaluation_run (id, model_id, model_version, risk_version, engine, evaluated_on,"
                " as_of, data_version, snapshot_sha256, entities, graded, counts, seconds, actor, created_at)"
                f" VALUES (1, 'm', 'm@1', 'r@1', 'duckdb', '2026-11-20', '{now}', 9, 'x', 3, 3, '{{}}', 1.5,"
                f" 'operator', '{now}')"
            )
        )
        for code, score in (("A", "601.90"), ("B", "580.00"), ("C", "600.00")):
            conn.execute(
                text(
                    "INSERT INTO evaluation_result (run_id, uscc, score, grade, risk_class, signals)"
                    " VALUES (1, :code, :score, 'B', 'B', '{}')"
                ),
                {"code": code, "score": score},
            )
        for code, indicator, factor, record_id, order_key, raw, value in points:
            conn.execute(
                text(
                    "INSERT INTO evaluation_point (run_id, uscc, indicator, factor, record_id, order_key,"
                    " raw_points, points) VALUES (1, :code, :indicator, :factor, :record_id, :order_key,"
                    " :raw, :points)"
                ),
                {
                    "code": code,
                    "indicator": indicator,
                    "factor": factor,
                    "record_id": record_id,
                    "order_key": order_key,
                    "raw": raw,
                    "points": value,
                },
            )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        stored = {
            code: json.loads(value) if isinstance(value, str) else value
            for code, value in conn.execute(text("SELECT uscc, points FROM evaluation_result"))
        }
    assert stored == {
        "A": [
            ["commitments", "commitments.kept", 3, 20230101, "6.40", "6.40"],
            ["law_abiding", "law_abiding.penalty_minor", 9, 20240506, "-5.00", "-4.50"],
        ],
        "B": [["law_abiding", "law_abiding.penalty_general", 7, 20250101, "-20.00", "-20.00"]],
        "C": [],
    }
    command.downgrade(config, "0011")
    with engine.connect() as conn:
        query = (
            "SELECT uscc, indicator, factor, record_id, order_key, raw_points, points FROM evaluation_point"
            " ORDER BY uscc, factor"
        )
        rows = [
            (*r[:5], Decimal(str(r[5])).quantize(CENT), Decimal(str(r[6])).quantize(CENT))
            for r in conn.execute(text(query))
        ]
    assert rows == sorted(
        ((*p[:5], Decimal(p[5]), Decimal(p[6])) for p in points), key=lambda p: (p[0], p[2])
    )
    command.upgrade(config, "head")
    engine.dispose()
