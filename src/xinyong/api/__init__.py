"""The JSON API under /api/v1: routers that parse a request, call a service and render its answer."""
