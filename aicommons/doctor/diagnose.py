"""The verdict on every prerequisite at once, from what is needed and what was found (pure)."""

from __future__ import annotations

import re

from aicommons.deploy.settings import PASSPHRASE_VARS, PULUMI_INSTALL
from aicommons.doctor.model import Check, Needs, Snapshot
from aicommons.doctor.quotas import ACCELERATED
from aicommons.errors import EXIT_MISSING_COMPONENT, EXIT_OK


def diagnose(needs: Needs, found: Snapshot) -> list[Check]:
    """One Check per prerequisite, in the order a city sets them up."""
    checks = [_pulumi(needs, found), _passphrase(needs, found)]
    if needs.client_secret_env:
        checks.append(_secret(needs.client_secret_env, found))
    if needs.provider == "aws":
        checks.append(_aws(needs, found))
        checks.extend(_quotas(needs, found))
    if needs.needs_cluster:
        checks.append(_cluster(needs, found))
    if needs.hub_host:
        checks.append(_dns(needs.hub_host, needs.provider, found))
    return checks


def exit_code(checks: list[Check]) -> int:
    """0 when every prerequisite is there, 3 when one is missing."""
    return EXIT_MISSING_COMPONENT if any(c.status == "missing" for c in checks) else EXIT_OK


def blocking(checks: list[Check]) -> list[Check]:
    """What stops a deploy before any change."""
    return [c for c in checks if c.status == "missing" and c.blocks_deploy]


def version_tuple(text: str) -> tuple[int, ...] | None:
    """`v3.140.0` or `3.140.0-alpha` -> (3, 140, 0); None when no version is in the text."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(g) for g in match.groups()) if match else None


def _pulumi(needs: Needs, found: Snapshot) -> Check:
    name = "pulumi CLI"
    install = (
        f"install it from {PULUMI_INSTALL} (curl -fsSL https://get.pulumi.com | sh), then open a new shell"
    )
    if found.pulumi_path is None:
        return Check(name, "missing", "not on PATH", install)
    if not found.pulumi_version.ok:
        return Check(
            name, "missing", f"{found.pulumi_path} does not run: {found.pulumi_version.error}", f"re{install}"
        )
    have = version_tuple(found.pulumi_version.value or "")
    want = version_tuple(needs.pulumi_min_version)
    if have is None or (want is not None and have < want):
        return Check(
            name,
            "missing",
            f"{found.pulumi_path} is version {found.pulumi_version.value}; the Automation API needs "
            f"{needs.pulumi_min_version} or later",
            f"upgrade: pulumi self-update, or {install}",
        )
    return Check(name, "ok", f"{found.pulumi_version.value} at {found.pulumi_path}")


def _passphrase(needs: Needs, found: Snapshot) -> Check:
    name = "stack secrets passphrase"
    if not needs.passphrase:
        return Check(name, "skipped", "secrets are encrypted with a cloud key (--secrets-provider)")
    if any(v in found.env_set for v in PASSPHRASE_VARS):
        return Check(name, "ok", "PULUMI_CONFIG_PASSPHRASE is set")
    return Check(
        name,
        "missing",
        "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) is not set",
        "export PULUMI_CONFIG_PASSPHRASE='<a long passphrase kept in your password manager>', or "
        "deploy with --secrets-provider awskms://alias/<key>?region=<region>",
    )


def _secret(variable: str, found: Snapshot) -> Check:
    name = "OIDC client secret"
    if variable in found.env_set:
        return Check(name, "ok", f"${variable} is set")
    return Check(
        name,
        "missing",
        f"${variable} (identity.client_secret_env) is not set",
        f"export {variable}='<the client secret from your identity provider>' (never put it in the profile)",
    )


def _aws(needs: Needs, found: Snapshot) -> Check:
    name = "AWS credentials"
    where = f" for {needs.region}" if needs.region else ""
    probe = found.aws_identity
    if probe is None:
        return Check(name, "skipped", "not probed")
    if probe.ok:
        account = _account(probe.value or "")
        return Check(
            name, "ok", f"acting as {probe.value}" + (f" (account {account})" if account else "") + where
        )
    return Check(
        name,
        "missing",
        probe.error or f"no usable AWS credentials{where}",
        "aws configure / aws sso login, or AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; "
        "check with `aws sts get-caller-identity`",
    )


def _account(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def _quotas(needs: Needs, found: Snapshot) -> list[Check]:
    out = []
    region = needs.region or "the region"
    for need in needs.quotas:
        name = f"EC2 quota {need.code}"
        probe = found.quotas.get(need.code)
        if probe is None or found.aws_identity is None or not found.aws_identity.ok:
            out.append(Check(name, "skipped", f"{need.name}: not read (no AWS credentials)"))
            continue
        if not probe.ok:
            out.append(
                Check(
                    name,
                    "missing",
                    f"{need.name} could not be read: {probe.error}",
                    "allow servicequotas:GetServiceQuota and servicequotas:GetAWSDefaultServiceQuota to "
                    f"the deploying identity, or check the quota in the Service Quotas console ({region})",
                )
            )
            continue
        have = float(probe.value or 0)
        if have >= need.vcpus:
            out.append(
                Check(
                    name,
                    "ok",
                    f"{need.name}: {have:g} vCPUs allowed, the plan needs {need.vcpus} ({need.detail})",
                )
            )
            continue
        new_accounts = " (new accounts start with little or none of it)" if need.code in ACCELERATED else ""
        out.append(
            Check(
                name,
                "missing",
                f"{need.name}: {have:g} vCPUs allowed in {region}, the plan needs {need.vcpus} at its maximum "
                f"({need.detail}){new_accounts}",
                f"aws service-quotas request-service-quota-increase --region {region} --service-code ec2 "
                f"--quota-code {need.code} --desired-value {need.vcpus} (approval can take days), or lower "
                "the pools' max_nodes",
            )
        )
    if needs.unknown_instance_types:
        out.append(
            Check(
                "EC2 quotas",
                "skipped",
                "no quota known for " + ", ".join(needs.unknown_instance_types) + ": check them by hand",
                blocks_deploy=False,
            )
        )
    return out


def _cluster(needs: Needs, found: Snapshot) -> Check:
    name = "kubeconfig context"
    where = f"context {needs.kube_context!r}" if needs.kube_context else "the kubeconfig's current context"
    probe = found.cluster
    if probe is None:
        return Check(name, "skipped", "not probed")
    if probe.ok:
        return Check(name, "ok", f"{where}: Kubernetes {probe.value}")
    return Check(
        name,
        "missing",
        f"{where}: {probe.error}",
        "a context in ~/.kube/config (or $KUBECONFIG) that reaches the cluster: "
        "`kubectl config get-contexts`, then `kubectl --context <name> version`",
    )


def _dns(host: str, provider: str | None, found: Snapshot) -> Check:
    name = "hub DNS record"
    probe = found.dns
    if probe is None:
        return Check(name, "skipped", "not probed", blocks_deploy=False)
    if probe.ok:
        return Check(name, "ok", f"{host} resolves to {probe.value}", blocks_deploy=False)
    return Check(
        name,
        "missing",
        f"{host} does not resolve: {probe.error}",
        f"create an A or CNAME record for {host} pointing at the hub's load balancer (after the first "
        "deploy `aicommons status` shows its address); until it resolves nobody can sign in and "
        "Let's Encrypt cannot issue the certificate",
        blocks_deploy=False,
    )
