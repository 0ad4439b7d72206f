"""The demo region: ``manage.py seed_demo`` asks each app for its part (``<app>.demo.seed(ctx)``).

Only this app knows all the others; no app imports it (the import contract in ``pyproject.toml``)."""
