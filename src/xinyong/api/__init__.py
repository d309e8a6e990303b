"""HTTP: the JSON API under /api/v1 and the portal pages."""
