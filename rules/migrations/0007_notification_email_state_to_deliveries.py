"""The single e-mail state of a notification gives way to one delivery per channel."""

from django.db import migrations
from django.utils import timezone


def email_state_to_deliveries(apps, schema_editor):
    """E-mails of the single-state scheme that were never confirmed sent become deliveries
    of the state machine (pending: sent at the next run)."""
    Notification = apps.get_model("rules", "Notification")
    Delivery = apps.get_model("rules", "Delivery")
    now = timezone.now()
    waiting = Notification.objects.filter(
        email_state__in=("pending", "sending"), user__isnull=False
    ).exclude(user__email="")
    Delivery.objects.bulk_create(
        (
            Delivery(notification_id=pk, channel="email", address=email, next_attempt_at=now)
            for pk, email in waiting.values_list("pk", "user__email").iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0006_delivery_state_machine"),
    ]

    operations = [
        migrations.RunPython(email_state_to_deliveries, migrations.RunPython.noop),
        migrations.RemoveField(model_name="notification", name="email_state"),
    ]
