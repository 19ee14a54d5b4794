"""The read-only JSON API for signed-in users, described by an OpenAPI 3.1 document."""
