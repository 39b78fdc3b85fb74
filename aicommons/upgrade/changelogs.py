"""Where each pinned chart's upstream release notes are, by chart (templates take the version)."""

from __future__ import annotations

CHANGELOGS: dict[str, str] = {
    "jupyterhub": "https://z2jh.jupyter.org/en/stable/changelog.html#version-{version}",
    "cluster-autoscaler": "https://github.com/kubernetes/autoscaler/releases/tag/cluster-autoscaler-chart-{version}",
    "fluent-bit": "https://github.com/fluent/helm-charts/releases/tag/fluent-bit-{version}",
    "cloudnative-pg": "https://github.com/cloudnative-pg/charts/releases/tag/cloudnative-pg-v{version}",
    "tigera-operator": "https://github.com/projectcalico/calico/releases/tag/{version}",
    "nvidia-device-plugin": "https://github.com/NVIDIA/k8s-device-plugin/releases/tag/v{version}",
    "gpu-operator": "https://github.com/NVIDIA/gpu-operator/releases/tag/{version}",
}
KUBERNETES_CHANGELOG = "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-{minor}.md"
EKS_NOTES = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html"


def changelog(chart: str, version: str) -> str:
    template = CHANGELOGS.get(chart)
    if template is None:
        return "(no changelog address recorded for this chart)"
    return template.format(version=version.replace(".", "-") if chart == "jupyterhub" else version)
