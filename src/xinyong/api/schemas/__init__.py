"""The API's pydantic models, one module per feature; ``base`` holds the base model, the one error model
and the types they share. ``/openapi.json`` shows them, and a test holds real answers to them."""
