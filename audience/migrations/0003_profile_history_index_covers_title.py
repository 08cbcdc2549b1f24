"""The profile history index carries the title, for the recommenders' index-only reads.

Built and dropped concurrently: the events table takes inserts throughout.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audience", "0002_recommendations_and_similar_titles"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="viewingevent",
            index=models.Index(
                fields=["profile", "-started_at"],
                include=("title",),
                name="viewing_event_history_idx",
            ),
        ),
        RemoveIndexConcurrently(
            model_name="viewingevent",
            name="viewing_event_profile_time_idx",
        ),
    ]
