"""Celery routing from the settings (portal/celery.py): where each gallery shard's search goes."""

import pytest

from portal.celery import app


def _queue(name: str, args: tuple) -> str:
    return app.amqp.router.route({}, name, args, {})["queue"].name


@pytest.mark.parametrize("shard", [0, 3])
def test_with_shard_queues_each_shard_search_goes_to_its_own_queue(settings, shard):
    settings.RECOGNITION_SHARD_QUEUES = True

    assert (
        _queue("recognition.search_shard", (1, 2, shard, 4))
        == f"{app.conf.task_default_queue}.shard{shard}"
    )


def test_with_shard_queues_every_other_task_stays_on_the_default_queue(settings):
    settings.RECOGNITION_SHARD_QUEUES = True

    assert _queue("recognition.run_job", (1, 2)) == app.conf.task_default_queue
    assert _queue("recognition.process_enrollment", (1, 2)) == app.conf.task_default_queue


def test_without_shard_queues_any_worker_searches_any_shard(settings):
    settings.RECOGNITION_SHARD_QUEUES = False

    assert _queue("recognition.search_shard", (1, 2, 3, 4)) == app.conf.task_default_queue
