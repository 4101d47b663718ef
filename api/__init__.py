"""The FastAPI layer: CRUD over the ops store and reads of the published marts."""
