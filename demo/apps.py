from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule


class DemoConfig(AppConfig):
    """The seed programmes and the demo: their loaders, the schema of their files, the commands.

    Listed after the domain apps: it imports them, they never import it.
    """

    name = "demo"
    verbose_name = "Seed and demo data"

    def ready(self) -> None:
        # demo/<app label>.py registers that app's part of the demo (see demo.registry).
        for app in apps.get_app_configs():
            if app.label != self.label and module_has_submodule(self.module, app.label):
                import_module(f"{self.name}.{app.label}")
