import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "globalir.settings")

app = Celery("globalir")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
