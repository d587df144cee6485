"""The `shoushan` console script: Django's manage.py under the project's name."""

import os
import sys


def main() -> None:
    from shoushan.config.envfile import load_env_file

    load_env_file()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoushan.config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
