"""Identity and access: who can sign in, who is an administrator, what Kubernetes roles allow."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from aicommons.checks.controls import _z2jh as z2jh
from aicommons.checks.controls._kube import finding_at, jupyterhub_releases, user_pods
from aicommons.checks.model import CheckContext, Finding, Inventory, Resource, Skip
from aicommons.checks.registry import check

FORBIDDEN_AUTHENTICATORS = [
    "dummy",
    "null",
    "tmp",
    "pam",
    "shared-password",
    "jupyterhub.auth.DummyAuthenticator",
    "jupyterhub.auth.NullAuthenticator",
    "nullauthenticator.NullAuthenticator",
    "tmpauthenticator.TmpAuthenticator",
    "jupyterhub.auth.PAMAuthenticator",
    "jupyterhub.authenticators.shared.SharedPasswordAuthenticator",
]
# Entry-point names JupyterHub accepts for authenticator_class -> the class they load.
_ENTRY_POINTS = {
    "generic-oauth": "GenericOAuthenticator",
    "github": "GitHubOAuthenticator",
    "gitlab": "GitLabOAuthenticator",
    "google": "GoogleOAuthenticator",
    "azuread": "AzureAdOAuthenticator",
    "cilogon": "CILogonOAuthenticator",
    "globus": "GlobusOAuthenticator",
    "bitbucket": "BitbucketOAuthenticator",
    "openshift": "OpenShiftOAuthenticator",
    "auth0": "Auth0OAuthenticator",
    "mediawiki": "MWOAuthenticator",
    "ldap": "LDAPAuthenticator",
    "ldapauthenticator": "LDAPAuthenticator",
}
_AUTH = ("hub", "config", "JupyterHub", "authenticator_class")
_ADMIN = ("hub", "config", "JupyterHub", "admin_access")


def _hub_releases(ctx: CheckContext) -> list[Resource]:
    releases = jupyterhub_releases(ctx.inventory)
    if not releases:
        raise Skip(f"no JupyterHub Helm release in the {ctx.inventory.source} inventory")
    return releases


def _python_sets(values: Mapping[str, Any], trait: str) -> list[str]:
    """hub.extraConfig snippets that assign `trait` in Python (they override the values)."""
    extra = z2jh.get(values, "hub.extraConfig", {}) or {}
    if not isinstance(extra, Mapping):  # the chart's old single-string form
        extra = {"(hub.extraConfig)": extra}
    pattern = re.compile(rf"\b{trait}\s*=")
    return [name for name, code in extra.items() if isinstance(code, str) and pattern.search(code)]


# --- AIC-IAM-01 ------------------------------------------------------------------------------


def _class_name(authenticator: str) -> str:
    return _ENTRY_POINTS.get(authenticator, authenticator.rsplit(".", 1)[-1])


@check("AIC-IAM-01", "bundle", "plan", "live")
def authenticator_is_identity_provider(ctx: CheckContext) -> Iterable[Finding]:
    """The hub signs users in through a real identity provider and admits only listed groups or users."""
    forbidden = [str(f) for f in ctx.params.get("forbidden_authenticators", FORBIDDEN_AUTHENTICATORS)]
    names = {f.lower() for f in forbidden} | {f.rsplit(".", 1)[-1].lower() for f in forbidden if "." in f}
    need_allowlist = ctx.params.get("require_allowed_groups_or_users", True)
    for release in _hub_releases(ctx):
        values = release.spec.get("values") or {}
        authenticator = str(z2jh.get(values, "hub.config.JupyterHub.authenticator_class"))
        unset = not z2jh.is_set(values, "hub.config.JupyterHub.authenticator_class")
        cls = _class_name(authenticator)
        if authenticator.lower() in names or cls.lower() in names:
            how = " (the chart's default when unset)" if unset else ""
            yield finding_at(
                ctx.inventory,
                release,
                f"hub.config.JupyterHub.authenticator_class is '{authenticator}'{how}: anyone who reaches the "
                f"hub can sign in; the blueprint requires the city's identity provider (OIDC/OAuth/LDAP), "
                f"never {', '.join(forbidden[:5])}",
                *_AUTH,
            )
            continue
        for name in _python_sets(values, "authenticator_class"):
            yield finding_at(
                ctx.inventory,
                release,
                f"hub.extraConfig['{name}'] sets authenticator_class in Python, which overrides the Helm "
                f"values and cannot be verified; set hub.config.JupyterHub.authenticator_class instead",
                "hub",
                "extraConfig",
                name,
            )
        config = z2jh.get(values, "hub.config", {}) or {}
        sections = ["Authenticator", *(["OAuthenticator"] if cls.endswith("OAuthenticator") else []), cls]
        merged: dict[str, Any] = {}
        for section in sections:
            merged.update(config.get(section) or {})
        where = next((s for s in reversed(sections) if s in config), cls)
        if merged.get("allow_all"):
            where = next(s for s in reversed(sections) if (config.get(s) or {}).get("allow_all"))
            yield finding_at(
                ctx.inventory,
                release,
                f"hub.config.{where}.allow_all is true: every account at the identity provider can sign in; "
                f"the blueprint expects sign-in restricted to allowed_groups or allowed_users",
                "hub",
                "config",
                where,
                "allow_all",
            )
        elif need_allowlist and not any(k.startswith("allowed_") and v for k, v in merged.items()):
            yield finding_at(
                ctx.inventory,
                release,
                f"{cls} has no allowed_groups or allowed_users (looked in hub.config."
                f"{', hub.config.'.join(sections)}): sign-in is not restricted to the city's staff groups; "
                f"set allowed_groups (the profile's identity.allowed_groups)",
                "hub",
                "config",
                where,
            )


# --- AIC-IAM-02 ------------------------------------------------------------------------------


@check("AIC-IAM-02", "bundle", "plan", "live")
def admin_access_off(ctx: CheckContext) -> Iterable[Finding]:
    """Administrators cannot open users' servers (`admin_access`, which Z2JH turns on by default)."""
    allowed = bool(ctx.params.get("admin_access", False))
    for release in _hub_releases(ctx):
        values = release.spec.get("values") or {}
        if not allowed and z2jh.get(values, "hub.config.JupyterHub.admin_access"):
            if z2jh.is_set(values, "hub.config.JupyterHub.admin_access"):
                what = "is true"
            else:
                what = "is unset, and Zero-to-JupyterHub then sets it to true"
            yield finding_at(
                ctx.inventory,
                release,
                f"hub.config.JupyterHub.admin_access {what}: every hub administrator can open any user's "
                f"server and read their files; set it to false, or record an exception for AIC-IAM-02",
                *_ADMIN,
            )
        for name in _python_sets(values, "admin_access"):
            yield finding_at(
                ctx.inventory,
                release,
                f"hub.extraConfig['{name}'] sets admin_access in Python, which overrides the Helm values and "
                f"cannot be verified; set hub.config.JupyterHub.admin_access: false instead",
                "hub",
                "extraConfig",
                name,
            )
        for role_name, role in (z2jh.get(values, "hub.loadRoles", {}) or {}).items():
            if isinstance(role, Mapping) and "access:servers" in (role.get("scopes") or []):
                yield finding_at(
                    ctx.inventory,
                    release,
                    f"hub.loadRoles.{role_name} grants the unfiltered scope access:servers: its members can "
                    f"open every user's server (the same power as admin_access)",
                    "hub",
                    "loadRoles",
                    role_name,
                )


# --- AIC-IAM-03 ------------------------------------------------------------------------------

_ROLE_KINDS = ("Role", "ClusterRole")
_BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")
# Kubernetes' own default roles (label kubernetes.io/bootstrapping=rbac-defaults) are exempt.
_BOOTSTRAP = ("kubernetes.io/bootstrapping", "rbac-defaults")
_DEFAULT_USER_ROLES = ["cluster-admin", "admin", "edit", "view"]


@check("AIC-IAM-03", "bundle", "plan", "live")
def rbac_least_privilege(ctx: CheckContext) -> Iterable[Finding]:
    """No wildcard or privilege-escalating RBAC rules; cluster-admin only for system subjects."""
    inventory = ctx.inventory
    for kind in (*_ROLE_KINDS, *_BINDING_KINDS):
        if kind in inventory.unavailable:
            raise Skip(f"{kind} could not be read: {inventory.unavailable[kind]}")
    roles, bindings = inventory.of(*_ROLE_KINDS), inventory.of(*_BINDING_KINDS)
    if not roles and not bindings:
        if inventory.source == "live":
            raise Skip("the live inventory has no Roles, ClusterRoles or bindings")
        raise Skip(
            f"the {inventory.source} defines no Role, ClusterRole or binding (the aicommons-platform chart "
            f"renders no RBAC; third-party charts' RBAC is only visible on the live cluster)"
        )
    forbidden = set(ctx.params.get("forbidden_verbs", ["bind", "escalate", "impersonate"]))
    prefixes = tuple(ctx.params.get("system_subject_prefixes", ["system:"]))
    exempt = set(ctx.params.get("exempt_roles", _DEFAULT_USER_ROLES))
    for role in roles:
        if (
            role.labels.get(_BOOTSTRAP[0]) == _BOOTSTRAP[1]
            or role.name in exempt
            or role.name.startswith(prefixes)
        ):
            continue
        if role.spec.get("aggregationRule"):
            continue  # its rules are copies of the roles it aggregates, checked on their own
        for i, rule in enumerate(role.spec.get("rules") or []):
            problems = []
            if "*" in (rule.get("verbs") or []):
                problems.append("verbs: ['*']")
            if "*" in (rule.get("resources") or []):
                problems.append("resources: ['*']")
            bad = sorted(forbidden & set(rule.get("verbs") or []))
            if bad:
                problems.append(f"the privilege-escalating verb(s) {', '.join(bad)}")
            if problems:
                yield finding_at(
                    inventory,
                    role,
                    f"rule {i} grants {' and '.join(problems)}; list the verbs and resources the component needs",
                    "rules",
                    i,
                )
    for binding in bindings:
        ref = binding.spec.get("roleRef") or {}
        if ref.get("name") != "cluster-admin" or ref.get("kind", "ClusterRole") != "ClusterRole":
            continue
        for subject in binding.spec.get("subjects") or []:
            if not _system_subject(subject, prefixes):
                scope = (
                    "the whole cluster"
                    if binding.kind == "ClusterRoleBinding"
                    else f"namespace {binding.namespace}"
                )
                yield finding_at(
                    inventory,
                    binding,
                    f"binds cluster-admin over {scope} to {subject.get('kind')} '{_subject_name(subject)}'; "
                    f"only system subjects ({', '.join(prefixes)}…) may hold it",
                    "subjects",
                )


def _subject_name(subject: Mapping[str, Any]) -> str:
    if subject.get("kind") == "ServiceAccount":
        return f"{subject.get('namespace', '?')}/{subject.get('name')}"
    return str(subject.get("name"))


def _system_subject(subject: Mapping[str, Any], prefixes: tuple[str, ...]) -> bool:
    if subject.get("kind") == "ServiceAccount":  # the control plane's own accounts live in kube-system
        return subject.get("namespace") == "kube-system"
    return str(subject.get("name", "")).startswith(prefixes)


# --- AIC-IAM-04 ------------------------------------------------------------------------------


@check("AIC-IAM-04", "bundle", "plan", "live")
def no_token_in_user_pods(ctx: CheckContext) -> Iterable[Finding]:
    """User servers get no Kubernetes API token (automountServiceAccountToken: false)."""
    inventory = ctx.inventory
    checked = False
    for release in jupyterhub_releases(inventory):
        checked = True
        values = release.spec.get("values") or {}
        for profile in z2jh.profiles(values):
            spec = z2jh.user_pod(values, profile)
            if spec.get("automountServiceAccountToken") is False:
                continue
            account = spec.get("serviceAccountName")
            where = "all user servers" if profile.index is None else f"profile '{profile.slug}'"
            path = ("singleuser", "extraPodConfig")
            if profile.index is not None and "extra_pod_config" in profile.override:
                path = (
                    "singleuser",
                    "profileList",
                    profile.index,
                    "kubespawner_override",
                    "extra_pod_config",
                )
            reason = (
                "automountServiceAccountToken is true"
                if spec.get("automountServiceAccountToken")
                else f"runs as service account '{account}' and nothing sets automountServiceAccountToken: false"
            )
            yield finding_at(
                inventory,
                release,
                f"{where}: {reason}, so notebook code gets a Kubernetes API token; set "
                f"singleuser.extraPodConfig.automountServiceAccountToken: false",
                *path,
            )
    if inventory.source == "live":
        seen = yield from _live_user_pods(inventory)
        checked = checked or seen
    if not checked:
        raise Skip(f"no JupyterHub release or user pod in the {inventory.source} inventory")


def _live_user_pods(inventory: Inventory) -> Iterable[Finding]:
    accounts = {(r.namespace, r.name): r.spec for r in inventory.of("ServiceAccount")}
    seen = False
    for pod in user_pods(inventory):
        seen = True
        spec = pod.spec.get("spec") or {}
        if spec.get("automountServiceAccountToken") is False:
            continue
        mounted = any(
            "serviceAccountToken" in source
            for volume in spec.get("volumes") or []
            for source in (volume.get("projected") or {}).get("sources") or []
        )
        account = accounts.get((pod.namespace, spec.get("serviceAccountName", "default")), {})
        if mounted or account.get("automountServiceAccountToken") is not False:
            yield Finding.on(
                pod,
                f"user pod mounts a service-account token (service account "
                f"'{spec.get('serviceAccountName', 'default')}'); expected automountServiceAccountToken: false",
            )
    return seen
