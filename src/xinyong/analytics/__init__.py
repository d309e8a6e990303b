"""Batch analytics over a snapshot of the store: the snapshot (Parquet files written from rows the store
reads), the engines that run SQL over them (DuckDB by default, Apache Spark for clusters) and the SQL the
evaluation model generates. Nothing here opens the live database: services pass the store's rows in and
take the results out."""
