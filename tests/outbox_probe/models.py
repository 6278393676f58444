from django.db import models


class OutboxProbe(models.Model):
    """What the probe task (tasks.probe) writes: one row per probe that ran to the end."""

    token = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.token
