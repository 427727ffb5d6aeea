"""One running clock per step of an item (per rule, unit and person): the constraint that makes
two users doing one step at once start it once. Duplicates that already exist are cancelled
first, the earliest clock of each key kept, each cancellation written to the clock's history."""

import django.db.models.functions.comparison
from django.db import migrations, models
from django.utils import timezone

RUNNING = ("open", "paused")
REASON = "duplicate running clock of the same step cancelled (one running clock per step)"


def cancel_duplicates(apps, schema_editor):
    Clock = apps.get_model("rules", "Clock")
    HistoricalClock = apps.get_model("rules", "HistoricalClock")
    seen = set()
    duplicates = []
    rows = (
        Clock.objects.filter(state__in=RUNNING)
        .order_by("pk")
        .values_list("pk", "content_type_id", "object_id", "step", "rule_id", "unit_id", "person_id")
    )
    for pk, *key in rows.iterator(chunk_size=5000):
        key = tuple(key[:4]) + (key[4] or 0, key[5] or 0)
        if key in seen:
            duplicates.append(pk)
        else:
            seen.add(key)
    if not duplicates:
        return
    now = timezone.now()
    fields = [f.attname for f in Clock._meta.concrete_fields]
    for start in range(0, len(duplicates), 1000):
        chunk = duplicates[start : start + 1000]
        Clock.objects.filter(pk__in=chunk).update(state="cancelled", updated_at=now)
        HistoricalClock.objects.bulk_create(
            HistoricalClock(
                **{name: getattr(clock, name) for name in fields},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
            )
            for clock in Clock.objects.filter(pk__in=chunk)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0004_reminders"),
    ]

    operations = [
        migrations.RunPython(cancel_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="clock",
            constraint=models.UniqueConstraint(
                models.F("content_type"),
                models.F("object_id"),
                models.F("step"),
                models.F("rule"),
                django.db.models.functions.comparison.Coalesce("unit", models.Value(0)),
                django.db.models.functions.comparison.Coalesce("person", models.Value(0)),
                condition=models.Q(("state__in", ("open", "paused"))),
                name="clock_one_running_per_step",
                violation_error_message="This step of the matter already has a running deadline.",
            ),
        ),
    ]
