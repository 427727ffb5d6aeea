"""The people and household rows of a visit carry the visit's date (a copy), so that a year's
facts read the year's rows through an index instead of every year's."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_dates(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":  # one joined UPDATE per table
        for table in ("visits_visitperson", "visits_visithousehold"):
            schema_editor.execute(
                f"UPDATE {table} r SET date = v.date FROM visits_visit v"  # noqa: S608
                " WHERE v.id = r.visit_id"
            )
        return
    Visit = apps.get_model("visits", "Visit")
    day = Subquery(Visit.objects.filter(pk=OuterRef("visit_id")).values("date")[:1])
    for name in ("VisitPerson", "VisitHousehold"):
        apps.get_model("visits", name).objects.update(date=day)


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_visits_and_meetings")]

    operations = [
        migrations.AddField(
            model_name="visitperson",
            name="date",
            field=models.DateField(editable=False, null=True, verbose_name="date"),
        ),
        migrations.AddField(
            model_name="visithousehold",
            name="date",
            field=models.DateField(editable=False, null=True, verbose_name="date"),
        ),
        migrations.RunPython(copy_dates, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="visitperson",
            name="date",
            field=models.DateField(editable=False, verbose_name="date"),
        ),
        migrations.AlterField(
            model_name="visithousehold",
            name="date",
            field=models.DateField(editable=False, verbose_name="date"),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["date", "id", "kind", "unit", "days", "collective"],
                name="visit_year_facts",
            ),
        ),
        migrations.AddIndex(
            model_name="visitperson",
            index=models.Index(fields=["date", "person", "visit"], name="visitperson_date"),
        ),
        migrations.AddIndex(
            model_name="visithousehold",
            index=models.Index(fields=["date", "visit", "household"], name="visithousehold_date"),
        ),
    ]
