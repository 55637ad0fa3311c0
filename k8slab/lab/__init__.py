"""The lab: the `Cluster` facade, kubectl-style verbs, plots and widgets the notebooks use."""
