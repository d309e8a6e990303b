"""The service layer: what the API, the portal and the CLI call."""
