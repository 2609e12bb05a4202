"""Keep the vacancy and the furthest stage on the monitoring row (see EqualityAnswers)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    answers = apps.get_model("recruitment", "EqualityAnswers")
    application = apps.get_model("recruitment", "Application")
    own = application.objects.filter(pk=OuterRef("application_id"))
    answers.objects.update(
        vacancy_id=Subquery(own.values("vacancy_id")[:1]),
        furthest_stage=Subquery(own.values("furthest_stage")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0003_scoring_reminders"),
        ("vacancies", "0002_fairness_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="equalityanswers",
            name="vacancy",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="vacancies.vacancy",
            ),
        ),
        migrations.AddField(
            model_name="equalityanswers",
            name="furthest_stage",
            field=models.CharField(
                choices=[
                    ("applied", "Applied"),
                    ("shortlisted", "Shortlisted"),
                    ("interviewed", "Interviewed"),
                    ("offered", "Offered"),
                    ("appointed", "Appointed"),
                ],
                default="applied",
                max_length=20,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="equalityanswers",
            name="vacancy",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="vacancies.vacancy",
            ),
        ),
        migrations.AddIndex(
            model_name="equalityanswers",
            index=models.Index(fields=["vacancy", "furthest_stage"], name="monitoring_vacancy_stage"),
        ),
    ]
