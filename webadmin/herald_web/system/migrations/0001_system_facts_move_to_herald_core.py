"""Time sync, connected clients and log rotation moved from the worker's
beat schedule to the system service (herald.system): remove the schedule rows,
which a device upgraded from an earlier firmware still has (their tasks are
gone, and the worker would log an unknown task every few seconds)."""

from django.db import migrations

RETIRED = ("Refresh the status of time sync and connected clients",
           "Rotate the system and access logs")


def retire(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=RETIRED).delete()


class Migration(migrations.Migration):
    dependencies = [("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(retire, migrations.RunPython.noop)]
