"""Node groups follow the control plane's Kubernetes version (offline plan of Riverton's infra stack).

Without a version, an EKS managed node group keeps the one it was created with when the cluster is
upgraded; with the cluster's version as its input, the same `up` rolls each group after the control
plane (the group depends on the cluster), which is the order the Kubernetes skew policy asks for.
"""

from __future__ import annotations

from aicommons.plan import StackPlan


def test_every_node_group_carries_the_clusters_version(infra: StackPlan) -> None:
    (cluster,) = [r for r in infra.resources if r.type == "aws:eks/cluster:Cluster"]
    groups = [r for r in infra.resources if r.type == "aws:eks/nodeGroup:NodeGroup"]
    assert groups and cluster.inputs["version"]
    assert {g.name: g.inputs.get("version") for g in groups} == dict.fromkeys(
        (g.name for g in groups), cluster.inputs["version"]
    )
