import os

from django.core.wsgi import get_wsgi_application

from shoushan.config.envfile import load_env_file

load_env_file()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoushan.config.settings.base")
application = get_wsgi_application()
