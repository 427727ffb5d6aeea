"""Existing clocks of petitions and of reception matters learn what their matter is about, so
that they and their reminders stop reaching the unit and person complained about."""

from django.db import migrations
from django.db.models import Q


def backfill(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Clock = apps.get_model("rules", "Clock")
    Petition = apps.get_model("petitions", "Petition")
    AppointmentMatter = apps.get_model("petitions", "AppointmentMatter")
    Reminder = apps.get_model("rules", "Reminder")
    User = apps.get_model("directory", "User")

    def content_type(model):
        found = ContentType.objects.filter(app_label="petitions", model=model).first()
        return found.pk if found else None

    about = Q(subject_unit__isnull=False) | Q(subject_person__isnull=False)
    subjects = {
        pk: (unit_id, person_id)
        for pk, unit_id, person_id in Petition.objects.filter(about).values_list(
            "pk", "subject_unit_id", "subject_person_id"
        )
    }
    if not subjects:
        return
    matters = dict(
        AppointmentMatter.objects.filter(petition_id__in=subjects).values_list("pk", "petition_id")
    )
    changed = []
    for model, of_item in (
        ("petition", lambda object_id: subjects.get(object_id)),
        ("appointmentmatter", lambda object_id: subjects.get(matters.get(object_id))),
    ):
        type_id = content_type(model)
        if type_id is None:
            continue
        for clock in Clock.objects.filter(content_type_id=type_id).only(
            "pk", "object_id", "subject_unit_id", "subject_person_id"
        ):
            subject = of_item(clock.object_id)
            if subject is None:
                continue
            Clock.objects.filter(pk=clock.pk).update(
                subject_unit_id=subject[0], subject_person_id=subject[1]
            )
            changed.append((clock.pk, subject))
    # Reminders not yet delivered to an account a matter is about are withdrawn.
    for clock_id, (unit_id, person_id) in changed:
        for reminder in Reminder.objects.filter(
            clock_id=clock_id, state="pending", recipient__isnull=False
        ):
            user = User.objects.select_related("unit", "person__unit").get(
                pk=reminder.recipient_id
            )
            paths = [user.unit.path if user.unit_id else ""]
            if user.person_id:
                paths.append(user.person.unit.path)
            own = {int(p) for path in paths for p in path.strip("/").split("/") if p}
            if (person_id is not None and person_id == user.person_id) or unit_id in own:
                Reminder.objects.filter(pk=reminder.pk, state="pending").update(
                    state="cancelled"
                )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("directory", "0001_initial"),
        ("petitions", "0003_appeal_platforms"),
        ("rules", "0009_clock_subject"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
