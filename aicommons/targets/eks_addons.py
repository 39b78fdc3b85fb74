"""EKS managed add-ons and the version each is pinned to, per Kubernetes minor version.

A managed add-on upgrades only when asked, so every version is pinned here and moves with the
cluster's minor version in one reviewed change (a re-render shows the diff). The versions are
the "latest version of the Amazon EKS add-on type" AWS lists for the minor on these pages
(read 2026-12); `aws eks describe-addon-versions --kubernetes-version 1.34 --addon-name NAME`
gives the current list:

- vpc-cni: https://docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html
  ("Amazon VPC CNI versions")
- coredns: https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
  ("CoreDNS versions")
- kube-proxy: https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html
  ("kube-proxy versions"; the add-on's minor must equal the cluster's)
- aws-ebs-csi-driver: https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html (the
  add-on follows the driver's releases, kubernetes-sigs/aws-ebs-csi-driver CHANGELOG.md, and
  one version serves every supported minor; v1.66.0-eksbuild.1 was the default for 1.36 in
  2026-09, mitodl/ol-infrastructure#5959)
"""

from __future__ import annotations

from types import MappingProxyType

VPC_CNI = "vpc-cni"
COREDNS = "coredns"
KUBE_PROXY = "kube-proxy"
EBS_CSI = "aws-ebs-csi-driver"

ADDON_VERSIONS = MappingProxyType(
    {
        "1.34": MappingProxyType(
            {
                VPC_CNI: "v1.20.4-eksbuild.1",
                COREDNS: "v1.12.4-eksbuild.1",
                KUBE_PROXY: "v1.34.1-eksbuild.2",
                EBS_CSI: "v1.66.0-eksbuild.1",
            }
        ),
    }
)


def addon_versions(kubernetes_version: str) -> dict[str, str]:
    """The pinned add-on versions for a cluster at this minor version (sorted by add-on)."""
    try:
        versions = ADDON_VERSIONS[kubernetes_version]
    except KeyError:
        known = ", ".join(sorted(ADDON_VERSIONS))
        raise ValueError(
            f"no pinned EKS add-on versions for Kubernetes {kubernetes_version} (known: {known}); "
            f"add them to aicommons/targets/eks_addons.py"
        ) from None
    return dict(sorted(versions.items()))
