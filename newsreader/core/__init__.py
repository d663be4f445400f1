"""The Qt-free core: models, database, ingest and services. Never imports Qt."""
