"""``manage.py demo_setup``: sample files, orders, a user and two documents.

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
from django.core.files.storage import storages
from django.core.management.base import BaseCommand

from demo.models import Document, Order
from demo.samples import STORAGE_FILES, write_samples

ORDER_COUNT = 1000
# Title, file name, content, owned by the demo user (only the owner-filtered
# view tells the difference).
DOCUMENTS = [
    ("Release notes", "release-notes.txt", b"dlshortcuts 0.1.0: first release.\n", False),
    ("The demo user's notes", "demo-notes.txt", b"Only the demo user may download this.\n", True),
]
CUSTOMERS = ["Ada", "Grace", "Linus", "Guido", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "José"]


class Command(BaseCommand):
    help = "Create the demo's sample files, orders, user and documents (keeps what exists)."

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
        private = storages["private"]
        for name, content in STORAGE_FILES.items():
            if not private.exists(name):
                private.save(name, ContentFile(content))
                self.stdout.write(f"saved {name} in the 'private' storage")
        owner = user_model.objects.get(username=settings.DEMO_USERNAME)
        # In this order, so that a fresh database gives them pk 1 and 2 (demo/catalog.py).
        for title, name, content, owned in DOCUMENTS:
            if not Document.objects.filter(title=title).exists():
                document = Document(title=title, owner=owner if owned else None)
                document.file.save(name, ContentFile(content))
                self.stdout.write(f"created the document {title!r}")
        # Documents from before Document kept its metadata get it now (save() records it).
        for document in Document.objects.filter(size=None).exclude(file=""):
            document.save()


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
