"""The controller's REST API (FastAPI): registry CRUD, bulk import, access requests, switches."""
