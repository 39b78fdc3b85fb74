"""Starter profiles for `aicommons init`: a reference tier with the chosen provider's target."""

from __future__ import annotations

import io

from ruamel.yaml import YAML

from aicommons.resources import data_dir

TIERS = ("pilot", "small", "medium", "large")

# The target block for each provider, with comments a city's IT team can follow.
_TARGETS = {
    "aws": None,  # the tier files are written for AWS already
    "kubernetes": """\
provider: kubernetes
context: my-cluster            # kubeconfig context of the existing cluster
storage_class: null            # StorageClass for user homes; the cluster default when null
gpu_operator_present: false    # true when the NVIDIA GPU operator already runs on the cluster
network_policy_enforced: true  # false when the CNI ignores NetworkPolicy: Calico then runs policy-only
cni: null                      # with network_policy_enforced false: AmazonVPC, AzureVNET or GKE
load_balancer_controller: false  # true when LoadBalancer Services get an address (cloud, MetalLB, kube-vip)
ingress_class: null            # IngressClass of the cluster's ingress controller, if any
node_pools: null               # e.g. {core: {nodes: [node-1]}, user: {selector: {pool: cpu}}}
node_types:                    # the node shapes the cluster offers (allocatable figures)
  - name: cpu-node
    cpu: 15.5
    memory_gib: 60
    usd_month: 0               # what a node costs the city per month, if known
  - name: gpu-node
    cpu: 31.5
    memory_gib: 120
    gpu_count: 4
    gpu_model: L40S
    gpu_memory_gib: 44.7
    usd_month: 0
""",
    "onprem": """\
provider: onprem
site: City data centre         # where the servers will be racked
power_usd_per_kwh: 0.15        # electricity price
pue: 1.5                       # power usage effectiveness of the room
amortization_years: 5          # years over which the hardware is written off
""",
}


_H100_SHAPE = """\
- name: h100-node
  cpu: 190
  memory_gib: 1900
  gpu_count: 8
  gpu_model: H100-80GB
  gpu_memory_gib: 80
  usd_month: 0
"""


def starter_profile(tier: str, provider: str, slug: str | None = None) -> str:
    """The YAML text of a commented starter profile (validated by the caller's tests)."""
    yaml = YAML(typ="rt")
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    text = (data_dir("hardware_profiles") / "tiers" / f"{tier}.yaml").read_text(encoding="utf-8")
    doc = yaml.load(text)
    block = _TARGETS[provider]
    if block is not None:
        doc["target"] = yaml.load(block)
        if provider == "kubernetes" and tier == "large":  # training and MIG need H100-class nodes
            doc["target"]["node_types"].append(yaml.load(_H100_SHAPE)[0])
        if provider != "aws":
            doc["governance"]["data_residency_regions"] = []
            doc["target"].yaml_set_start_comment(f"Deployment target: {provider}.", indent=2)
    if slug:
        doc["city"]["slug"] = slug
        doc["city"]["name"] = slug.replace("-", " ").title()
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


__all__ = ["TIERS", "starter_profile"]
