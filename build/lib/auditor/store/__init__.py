"""Store stage: runs, findings and their lifecycle, caches and price history, through SQLAlchemy."""
