"""Background work through Django's Tasks framework.

`enqueue_on_commit` is how domain code starts a task: with the database backend the
task row is written in the same transaction as the data (nothing is lost if the
process dies after commit), and the immediate backend (tests, small set-ups) runs it
inside that transaction too; any other backend (RQ…) is sent after commit, so its
worker never sees data that was rolled back.
"""

from django.db import transaction
from django.tasks import task
from django.tasks.base import Task

from core.models import Notification

IN_TRANSACTION_BACKENDS = {
    "django_tasks_db.DatabaseBackend",
    "django_tasks_db.backend.DatabaseBackend",
    "django.tasks.backends.immediate.ImmediateBackend",
}


def enqueue_on_commit(task_obj: Task, *args, **kwargs) -> None:
    from django.conf import settings

    backend = settings.TASKS.get(task_obj.backend, {}).get("BACKEND", "")
    if backend in IN_TRANSACTION_BACKENDS:
        task_obj.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))


@task()
def notify_users(user_ids: list[int], verb: str, text: str, url: str = "") -> int:
    """Put a message in each user's inbox. Later channels (SMS, WeChat) hang off here."""
    rows = [
        Notification(user_id=uid, verb=verb, text=text, url=url) for uid in dict.fromkeys(user_ids)
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)
