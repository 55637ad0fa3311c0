"""The Deployment controller, in the files of upstream's pkg/controller/deployment/.

`controller.py` (deployment_controller.go: handlers, adoption, syncDeployment), `sync.py`
(scaling and status), `rolling.py`, `recreate.py`, `progress.py` (the Progressing condition and
the deadline), `history.py` (revisions and cleanup), `util.py` (deployment_util.go's
arithmetic), `conditions.py`, `hash.py` (the pod-template-hash).
"""

from k8slab.controllers.deployment.controller import DeploymentController

__all__ = ["DeploymentController"]
