import os

from django.core.asgi import get_asgi_application

from shoushan.config.envfile import load_env_file

load_env_file()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoushan.config.settings.base")
application = get_asgi_application()
