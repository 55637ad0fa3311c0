"""k8s.io/api/batch/v1: the Job, which runs pods until enough of them succeed.

types.go JobSpec and JobStatus (v1.35). Pod failure and success policies are not modelled
(Opaque); completions, parallelism, backoffLimit and the counters the Job controller writes are.
"""

from __future__ import annotations

from k8slab.api.schema.core_v1 import condition
from k8slab.api.schema.core_v1_workloads import POD_TEMPLATE_SPEC
from k8slab.api.schema.meta_v1 import LABEL_SELECTOR, top_level
from k8slab.api.schema.types import BOOL, INT32, INT64, STRING, TIME, ListOf, Opaque, Struct, enum

JOB_SPEC = Struct(
    "v1.JobSpec",
    {
        "parallelism": INT32,
        "completions": INT32,
        "activeDeadlineSeconds": INT64,
        "podFailurePolicy": Opaque("v1.PodFailurePolicy"),
        "successPolicy": Opaque("v1.SuccessPolicy"),
        "backoffLimit": INT32,
        "backoffLimitPerIndex": INT32,
        "maxFailedIndexes": INT32,
        "selector": LABEL_SELECTOR,
        "manualSelector": BOOL,
        "template": POD_TEMPLATE_SPEC,
        "ttlSecondsAfterFinished": INT32,
        "completionMode": enum("v1.CompletionMode"),
        "suspend": BOOL,
        "podReplacementPolicy": enum("v1.PodReplacementPolicy"),
        "managedBy": STRING,
    },
)

JOB_STATUS = Struct(
    "v1.JobStatus",
    {
        "conditions": ListOf(condition(
            "v1.JobCondition", "v1.JobConditionType", "lastProbeTime", "lastTransitionTime")),
        "startTime": TIME,
        "completionTime": TIME,
        "active": INT32,
        "succeeded": INT32,
        "failed": INT32,
        "terminating": INT32,
        "completedIndexes": STRING,
        "failedIndexes": STRING,
        "uncountedTerminatedPods": Opaque("v1.UncountedTerminatedPods"),
        "ready": INT32,
    },
)

JOB = top_level("v1.Job", spec=JOB_SPEC, status=JOB_STATUS)
