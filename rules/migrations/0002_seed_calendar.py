from django.db import migrations


def seed(apps, schema_editor):
    from rules.calendar_seed import seed_from_package

    seed_from_package(apps.get_model("rules", "CalendarYear"), apps.get_model("rules", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
