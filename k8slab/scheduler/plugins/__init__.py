"""The scheduler plugins, one per module, named as upstream names them (NodeResourcesFit,
TaintToleration, ...); `registry` knows them all by name and builds the default profile.
Upstream: kk pkg/scheduler/framework/plugins/.
"""
