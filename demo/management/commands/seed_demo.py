from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo
from caseloads import demo as caseloads_demo
from courses import demo as courses_demo
from matching import demo as matching_demo
from parents import demo as parents_demo
from placement import demo as placement_demo

# Each app with demo data contributes a ``<app>.demo.seed(ctx)``; accounts comes first (the region, its
# schools and the users every other part refers to), then the domains in this order.
SEEDS: tuple[Callable[[demo.DemoContext], object], ...] = (
    courses_demo.seed,
    matching_demo.seed,
    caseloads_demo.seed,
    placement_demo.seed,
    parents_demo.seed,
)


class Command(BaseCommand):
    help = "Create (or top up) the demo region Zuid-Kennemerland with users for every role. Idempotent."

    def handle(self, *args: Any, **options: object) -> None:
        with transaction.atomic():
            ctx = demo.seed()
            for seed in SEEDS:
                seed(ctx)
        self.stdout.write(self.style.SUCCESS("Demo region Zuid-Kennemerland is ready."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        width = max(len(role) for role, _, _ in ctx.logins)
        for role, email, where in ctx.logins:
            self.stdout.write(f"  {role:<{width}}  {email:<40} {where}")
