"""The Job controller: parallelism and completions, the failure back-off, backoffLimit and
activeDeadlineSeconds ending the Job as Failed, Complete with its Event."""

from k8slab.controllers.job import JobController
from tests.controllers.helpers import advance, fake_world, start


def job(completions=3, parallelism=2, backoff_limit=6, deadline=None):
    labels = {"batch.kubernetes.io/controller-uid": "uid-pi", "batch.kubernetes.io/job-name": "pi"}
    spec = {"completions": completions, "parallelism": parallelism,
            "backoffLimit": backoff_limit, "completionMode": "NonIndexed",
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "uid-pi"}},
            "template": {"metadata": {"labels": labels},
                         "spec": {"restartPolicy": "Never",
                                  "containers": [{"name": "pi", "image": "perl"}]}}}
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "pi", "namespace": "default", "uid": "uid-pi",
                         "generation": 1}, "spec": spec}


def finish(fake, name, phase):
    stored = next(p for p in fake.stored("pods") if p["metadata"]["name"] == name)
    fake.group.sim.run_process(fake.group.spawn(fake.update_status(
        {**stored, "status": {"phase": phase}})), 1)


def live(fake):
    return [p["metadata"]["name"] for p in fake.stored("pods")
            if p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]


def job_status(fake):
    return fake.stored("jobs")[0]["status"]


def traced(fake, reason):
    return [r.details["message"] for r in fake.group.sim.trace if r.kind == reason]


def test_runs_parallelism_pods_until_completions_succeed():
    fake = fake_world()
    fake.add(job(completions=3, parallelism=2))
    start(fake, JobController)
    assert live(fake) == ["pi-00001", "pi-00002"]
    finish(fake, "pi-00001", "Succeeded")
    advance(fake, 1)
    assert live(fake) == ["pi-00002", "pi-00003"]  # min(parallelism 2, 3 - 1 succeeded)
    finish(fake, "pi-00002", "Succeeded")
    advance(fake, 1)
    assert live(fake) == ["pi-00003"]  # only one completion is left to run
    finish(fake, "pi-00003", "Succeeded")
    advance(fake, 1)
    status = job_status(fake)
    assert (status["succeeded"], status["active"], status["failed"]) == (3, 0, 0)
    assert [c["type"] for c in status["conditions"]] == ["Complete"]
    assert "completionTime" in status and "startTime" in status
    assert traced(fake, "Completed") == ["Job completed"]
    assert traced(fake, "SuccessfulCreate") == [f"Created pod: pi-0000{i}" for i in (1, 2, 3)]


def test_a_failed_pod_is_replaced_after_the_back_off():
    fake = fake_world()
    fake.add(job(completions=1, parallelism=1))
    start(fake, JobController)
    finish(fake, "pi-00001", "Failed")
    advance(fake, 9)
    assert live(fake) == []  # 10 s back-off after the first failure
    advance(fake, 2)
    assert live(fake) == ["pi-00002"]
    assert job_status(fake)["failed"] == 1


def test_more_failures_than_backoff_limit_fail_the_job_and_stop_its_pods():
    fake = fake_world()
    fake.add(job(completions=4, parallelism=3, backoff_limit=1))
    start(fake, JobController)
    finish(fake, "pi-00001", "Failed")
    finish(fake, "pi-00002", "Failed")
    advance(fake, 1)
    assert live(fake) == []  # pi-00003 was deleted
    status = job_status(fake)
    condition = status["conditions"][0]
    assert (condition["type"], condition["reason"], condition["message"]) == (
        "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
    assert traced(fake, "BackoffLimitExceeded") == ["Job has reached the specified backoff limit"]
    assert "Deleted pod: pi-00003" in traced(fake, "SuccessfulDelete")
    advance(fake, 60)
    assert live(fake) == []  # a finished Job makes no more pods


def test_active_deadline_fails_the_job():
    fake = fake_world()
    fake.add(job(completions=1, parallelism=1, deadline=30))
    start(fake, JobController)
    assert live(fake) == ["pi-00001"]
    advance(fake, 28)  # t = 29 s; startTime is 0 s (metav1.Time has whole seconds)
    assert live(fake) == ["pi-00001"]
    advance(fake, 2)  # the controller wakes itself at the deadline, 30 s
    condition = job_status(fake)["conditions"][0]
    assert (condition["type"], condition["reason"]) == ("Failed", "DeadlineExceeded")
    assert live(fake) == []
