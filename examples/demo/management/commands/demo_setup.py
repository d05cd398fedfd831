"""``manage.py demo_setup``: sample files, orders, a user and a document.

Idempotent: what already exists is kept, so ``make demo`` runs it every time.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand

from demo.models import Document, Order
from demo.samples import write_samples

ORDER_COUNT = 1000
CUSTOMERS = ["Ada", "Grace", "Linus", "Guido", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "José"]


class Command(BaseCommand):
    help = "Create the demo's sample files, orders, user and document (keeps what exists)."

    def handle(self, *_args: Any, **_options: Any) -> None:
        for path in write_samples(settings.PRIVATE_ROOT):
            self.stdout.write(f"wrote {path}")
        if not Order.objects.exists():
            Order.objects.bulk_create(make_orders(ORDER_COUNT))
            self.stdout.write(f"created {ORDER_COUNT} orders")
        user_model = get_user_model()
        if not user_model.objects.filter(username=settings.DEMO_USERNAME).exists():
            # A superuser, so that the same account can upload in the admin.
            user_model.objects.create_superuser(settings.DEMO_USERNAME, "", settings.DEMO_PASSWORD)
            self.stdout.write(f"created user {settings.DEMO_USERNAME!r}")
        if not Document.objects.exists():
            document = Document(title="Release notes")
            document.file.save("release-notes.txt", ContentFile(b"dlshortcuts 0.1.0: first release.\n"))
            self.stdout.write("created a document")


def make_orders(count: int) -> list[Order]:
    """``count`` orders with reproducible customers, totals and dates."""
    rng = random.Random(2026)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return [
        Order(
            number=number,
            customer=rng.choice(CUSTOMERS),
            total=Decimal(rng.randrange(100, 100_000)) / 100,
            placed_at=start + datetime.timedelta(minutes=7 * number),
        )
        for number in range(1, count + 1)
    ]
