"""The embedded mode's worker plumbing: SQLite shared by two writers and a broker that needs no server.

``./overstap start`` without ``REDIS_URL`` runs a real Celery worker (with beat) beside the web server. Both
write the same SQLite file, and tasks travel through kombu's filesystem transport in folders under ``var/``,
so imports and match runs show the same progress as in production instead of blocking the request.
"""

from pathlib import Path

# SQLite with a second writer (the worker): WAL lets readers go on while one process writes; IMMEDIATE takes
# the write lock when a transaction starts, so two writers queue on the busy timeout instead of one failing
# with "database is locked" when a read transaction tries to upgrade; 30 s is longer than the longest write
# (a 40,000-row import writes in about 10 s on a loaded machine).
SQLITE_OPTIONS: dict[str, object] = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
}


def broker_transport_options(var_dir: Path) -> dict[str, object]:
    """Folders of kombu's filesystem transport; the web server writes and the worker reads the same queue."""
    root = var_dir / "broker"
    queue, processed, control = root / "queue", root / "processed", root / "control"
    for folder in (queue, processed, control):
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(control),
        "store_processed": False,
    }
