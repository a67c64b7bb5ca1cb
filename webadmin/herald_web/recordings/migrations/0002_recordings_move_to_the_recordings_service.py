"""The recordings' records move to the recordings service (herald-core,
herald.recordings.store). The web admin forgets its model but leaves the
table: the service takes its rows over when it starts, then drops it, so no
record is lost whichever process starts first after the upgrade."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("recordings", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Recording")],
            database_operations=[],
        ),
    ]
