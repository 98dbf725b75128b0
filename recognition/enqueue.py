"""Hand recognition work to the workers by task name, so services never import the tasks.

The tasks module imports the services it adapts; a service importing it back (even inside a
function) is an import cycle. Tasks are looked up in the Celery app's registry instead.
"""

from celery import group

from outbox.services import registered_task


def task_enqueue(name: str, *args) -> None:
    """Queue the registered task ``name`` with positional ids (on the default queue)."""
    registered_task(name).delay(*args)


def tasks_enqueue_group(name: str, calls) -> None:
    """Queue one immutable call of task ``name`` per argument tuple in ``calls``, as a group."""
    task = registered_task(name)
    group(task.si(*args) for args in calls).apply_async()
