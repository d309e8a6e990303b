"""The pure domain: codes, records, enumerations. No I/O here."""
