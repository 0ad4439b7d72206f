from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo

# Each app that has demo data contributes a ``<app>.demo.seed(ctx)``; order matters (courses before
# matching is irrelevant, but accounts must come first).
APPS_WITH_DEMO = ("courses", "matching", "caseloads", "placement", "parents")


class Command(BaseCommand):
    help = "Create (or top up) the demo region Zuid-Kennemerland with users for every role. Idempotent."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            ctx = demo.seed()
            for app in APPS_WITH_DEMO:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(ctx)
        self.stdout.write(self.style.SUCCESS("Demo region Zuid-Kennemerland is ready."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        width = max(len(role) for role, _, _ in ctx.logins)
        for role, email, where in ctx.logins:
            self.stdout.write(f"  {role:<{width}}  {email:<40} {where}")
