from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shoushan.core"
    label = "core"
