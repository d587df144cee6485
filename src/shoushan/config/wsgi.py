import logging
import os

from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, connections

from shoushan.config.envfile import load_env_file

load_env_file()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoushan.config.settings.base")
application = get_wsgi_application()


def _warm() -> None:
    """Build the grid index and load the intake model as the worker starts, so that no report
    waits for them."""
    from shoushan.grid.intake.services import intake_model_active
    from shoushan.grid.registry.grid_index import grid_snapshot

    try:
        grid_snapshot()
        intake_model_active()
    except DatabaseError as e:  # not migrated yet: the first report builds it
        logging.getLogger(__name__).warning("grid index not built at start: %s", e)
    finally:
        connections.close_all()


_warm()
