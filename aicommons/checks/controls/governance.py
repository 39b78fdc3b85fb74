"""AIC-GOV-01..07: AI project sandboxes, their register records, their impact obligations and
where their members' notebook servers run.

The bundle carries the register (``governance/register.json``) the sandboxes were rendered
from; a project namespace is a Namespace labelled ``aicommons.dev/project``. A finding on a
project's record points at the file the city edits, ``projects/<slug>.yaml``, at the field's
line (the register carries the lines), not at the generated register. Which statuses may have a
sandbox, need an approval to go live or may publish is ``governance/status.py``'s rule, nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aicommons.checks.controls import _z2jh as z2jh
from aicommons.checks.controls._kube import finding_at, jupyterhub_releases
from aicommons.checks.model import HELM_RELEASE, CheckContext, Finding, Inventory, Resource, Skip
from aicommons.checks.registry import check
from aicommons.governance.assessment import default_questionnaire, score
from aicommons.governance.model import AIProject
from aicommons.governance.status import SANDBOX_STATUSES, allows_sandbox, is_closed, needs_go_live_approval
from aicommons.render.sandbox_hub import FILTER_KEY, PROFILE_GROUPS_KEY, profile_slug
from aicommons.render.sandboxes import (
    LABEL_IMPACT,
    LABEL_PROJECT,
    LABEL_REGISTER_ID,
    NAMESPACE_PREFIX,
    OVERSIGHT_ROLE,
    impact_level,
    namespace_for,
    public_allowed,
)


def _project_namespaces(inventory: Inventory) -> list[Resource]:
    return [
        r
        for r in inventory.of("Namespace")
        if LABEL_PROJECT in r.labels or r.name.startswith(NAMESPACE_PREFIX)
    ]


def _by_slug(inventory: Inventory) -> dict[str, AIProject]:
    return {p.slug: p for p in inventory.projects}


def _on_project(project: AIProject, message: str, *field: str) -> Finding:
    """A finding on the project's record, at `field` in projects/<slug>.yaml (or the nearest
    field around it that the file has)."""
    return Finding(
        resource=f"AIProject/{project.slug}", message=message, file=project.file, line=project.line_of(*field)
    )


def _sandboxed(ctx: CheckContext) -> list[tuple[Resource, AIProject]]:
    """(namespace, record) for every project namespace with a record; Skip when there are none."""
    namespaces = _project_namespaces(ctx.inventory)
    if not namespaces:
        raise Skip("no AI project sandboxes in this bundle")
    records = _by_slug(ctx.inventory)
    slug = lambda ns: ns.labels.get(LABEL_PROJECT, ns.name.removeprefix(NAMESPACE_PREFIX))  # noqa: E731
    return [(ns, records[slug(ns)]) for ns in namespaces if slug(ns) in records]


@check("AIC-GOV-01", "bundle")
def register_records(ctx: CheckContext) -> Iterable[Finding]:
    """Each sandbox namespace has a record with the same register id, an approved request and a complete
    assessment."""
    namespaces = _project_namespaces(ctx.inventory)
    if not namespaces:
        raise Skip("no AI project sandboxes in this bundle")
    records = _by_slug(ctx.inventory)
    questionnaire = default_questionnaire()
    for ns in namespaces:
        slug = ns.labels.get(LABEL_PROJECT)
        if slug is None:
            yield Finding.on(ns, f"no {LABEL_PROJECT} label: the namespace names no register record")
            continue
        project = records.get(slug)
        if project is None:
            yield Finding.on(ns, f"project {slug!r} is not in the register (projects/{slug}.yaml)")
            continue
        if ns.labels.get(LABEL_REGISTER_ID) != project.register_id:
            yield Finding.on(
                ns,
                f"{LABEL_REGISTER_ID} is {ns.labels.get(LABEL_REGISTER_ID)!r}, the register says "
                f"{project.register_id!r}",
            )
        if not project.sandbox.quota.approved:
            yield Finding.on(
                ns,
                f"sandbox of project {slug!r} whose request is not approved (sandbox.quota.approved: false): "
                "no namespace, quota or hub profile until the platform team approves it; render again",
            )
        if project.sandbox.assessment is None:
            yield _on_project(
                project, "no impact assessment: run `aicommons project assess`", "sandbox", "assessment"
            )
            continue
        result = score(questionnaire, project.sandbox.assessment)
        if not result.complete:
            yield _on_project(
                project,
                f"impact assessment unanswered: {', '.join(result.unanswered)}",
                "sandbox",
                "assessment",
                "answers",
            )
        elif ns.labels.get(LABEL_IMPACT) != result.level:
            yield Finding.on(
                ns, f"{LABEL_IMPACT} is {ns.labels.get(LABEL_IMPACT)!r}, the assessment gives {result.level}"
            )


@check("AIC-GOV-02", "bundle")
def level_obligations(ctx: CheckContext) -> Iterable[Finding]:
    """The safeguards the project records meet its impact level's obligations."""
    levels = default_questionnaire().levels
    for _, project in _sandboxed(ctx):
        level = impact_level(project)
        if level not in levels:
            yield _on_project(
                project,
                "no complete impact assessment, so its obligations cannot be checked",
                "sandbox",
                "assessment",
            )
            continue
        needed = levels[level]  # type: ignore[index]
        have = project.sandbox.safeguards
        missing = [
            name
            for name, required, present in (
                ("notice", needed.notice, have.notice),
                ("explanation", needed.explanation, have.explanation),
                ("peer_review", needed.peer_review, bool(have.peer_review)),
                ("bias_analysis", needed.bias_analysis, bool(have.bias_analysis)),
                ("human_decision_maker", needed.human_decision_maker, bool(have.human_decision_maker)),
            )
            if required and not present
        ]
        if missing:
            yield _on_project(
                project,
                f"impact level {level} requires {', '.join(missing)}",
                "sandbox",
                "safeguards",
                missing[0],
            )
        if have.log_retention_days is None or have.log_retention_days < needed.log_retention_days:
            yield _on_project(
                project,
                f"impact level {level} requires decision logs kept {needed.log_retention_days} days; "
                f"recorded: {have.log_retention_days}",
                "sandbox",
                "safeguards",
                "log_retention_days",
            )
        if needs_go_live_approval(project.register.status) and have.approval is None:
            yield _on_project(
                project,
                f"{project.register.status} without a recorded approval (level {level}: {needed.approval})",
                "sandbox",
                "safeguards",
                "approval",
            )


def _grants_stop(role: dict[str, Any]) -> bool:
    """Deleting pods and patching the quota: enough to stop every workload in the namespace."""
    rules = role.get("rules", [])

    def allows(resource: str, verb: str) -> bool:
        return any(
            "" in r.get("apiGroups", [])
            and ({resource, "*"} & set(r.get("resources", [])))
            and ({verb, "*"} & set(r.get("verbs", [])))
            for r in rules
        )

    return allows("pods", "delete") and allows("resourcequotas", "patch")


@check("AIC-GOV-03", "bundle")
def oversight_can_stop(ctx: CheckContext) -> Iterable[Finding]:
    """A Role that can stop the workloads is bound to at least one group in every sandbox."""
    inventory = ctx.inventory
    sandboxed = _sandboxed(ctx)
    if "ResourceQuota" in inventory.unavailable:  # the local charts (and their Roles) were not rendered
        raise Skip(inventory.unavailable["ResourceQuota"])
    for ns, _ in sandboxed:
        roles = {r.name: r.spec for r in inventory.of("Role") if r.namespace == ns.name}
        bound = [
            b.spec
            for b in inventory.of("RoleBinding")
            if b.namespace == ns.name
            and b.spec.get("roleRef", {}).get("kind") == "Role"
            and _grants_stop(roles.get(b.spec.get("roleRef", {}).get("name", ""), {}))
            and any(s.get("kind") == "Group" for s in b.spec.get("subjects", []))
        ]
        if not bound:
            yield Finding.on(
                ns,
                f"no group is bound to a Role that can stop the sandbox's workloads (expected {OVERSIGHT_ROLE} "
                "bound to the oversight group, identity.admin_groups in the profile, by the aicommons-sandboxes chart)",
            )


def _tenant_quotas(inventory: Inventory) -> dict[str, dict[str, Any]]:
    quotas: dict[str, dict[str, Any]] = {}
    for release in inventory.of(HELM_RELEASE):
        for tenant in (release.spec.get("values") or {}).get("tenants", []) or []:
            if isinstance(tenant, dict) and "name" in tenant:
                quotas[tenant["name"]] = tenant.get("quota", {})
    return quotas


@check("AIC-GOV-04", "bundle")
def nothing_public_unless_approved(ctx: CheckContext) -> Iterable[Finding]:
    """Load balancers, node ports, public Services and Ingresses only for operational projects with an approval."""
    inventory = ctx.inventory
    quotas = _tenant_quotas(inventory)
    for ns, project in _sandboxed(ctx):
        if public_allowed(project):
            continue
        quota = quotas.get(ns.name)
        if quota is None:
            yield Finding.on(ns, "no quota in the project chart's tenants: nothing limits public Services")
            continue
        for key in ("loadBalancers", "nodePorts"):
            if quota.get(key, 0):
                yield Finding.on(
                    ns,
                    f"quota allows {quota[key]} {key} although the project is {project.register.status!r}"
                    + ("" if project.sandbox.safeguards.approval else " without a recorded approval"),
                )
        for svc in inventory.of("Service"):
            kind = svc.spec.get("spec", {}).get("type")
            if svc.namespace == ns.name and kind in ("LoadBalancer", "NodePort"):
                yield Finding.on(svc, f"a {kind} Service in an unapproved sandbox")
        for ingress in inventory.of("Ingress"):
            if ingress.namespace == ns.name:
                yield Finding.on(ingress, "an Ingress in an unapproved sandbox")


@check("AIC-GOV-05", "bundle")
def expired_projects(ctx: CheckContext) -> Iterable[Finding]:
    """Projects past their end date that are still open, or still have a sandbox."""
    if ctx.today is None:
        raise Skip("no date to judge expiry against")
    inventory = ctx.inventory
    if not inventory.projects:
        raise Skip("the bundle carries no AI project register")
    namespaces = {ns.labels.get(LABEL_PROJECT): ns for ns in _project_namespaces(inventory)}
    for project in inventory.projects:
        end = project.sandbox.end_date
        if end >= ctx.today:
            continue
        days = (ctx.today - end).days
        if not is_closed(project.register.status):
            yield _on_project(
                project,
                f"ended {end} ({days} days ago) but is {project.register.status!r}: close it, set status "
                "'retired' and delete its personal data",
                "register",
                "status",
            )
        if project.slug in namespaces:
            yield Finding.on(
                namespaces[project.slug],
                f"sandbox of a project that ended {end}: render again to remove it",
            )


def _filter_installed(values: Mapping[str, Any]) -> bool:
    """Whether hub.extraConfig installs the profile filter that enforces the profiles' groups."""
    extra = z2jh.get(values, "hub.extraConfig", {}) or {}
    code = extra.get(FILTER_KEY) if isinstance(extra, Mapping) else None
    return (
        isinstance(code, str)
        and f"custom.aicommons.{PROFILE_GROUPS_KEY}" in code
        and "c.KubeSpawner.profile_list" in code
    )


@check("AIC-GOV-06", "bundle")
def servers_in_their_sandbox(ctx: CheckContext) -> Iterable[Finding]:
    """Each sandbox's JupyterHub profile starts servers in its namespace, offered only to its member groups."""
    sandboxed = _sandboxed(ctx)
    inventory = ctx.inventory
    releases = jupyterhub_releases(inventory)
    if not releases:
        raise Skip("no JupyterHub release in the bundle: nothing starts servers in the sandboxes")
    in_namespace = {ns.name: project for ns, project in sandboxed}
    owners = {profile_slug(project): project for _, project in sandboxed}
    with_profile: set[str] = set()
    for release in releases:
        values = release.spec.get("values") or {}
        hub_namespace = z2jh.get(values, "hub.config.KubeSpawner.namespace", None) or release.namespace
        groups = z2jh.get(values, f"custom.aicommons.{PROFILE_GROUPS_KEY}", {}) or {}
        into_sandboxes = False
        for i, entry in enumerate(z2jh.get(values, "singleuser.profileList", []) or []):
            if not isinstance(entry, Mapping):
                continue
            slug = str(entry.get("slug") or entry.get("display_name") or f"#{i}")
            namespace = (entry.get("kubespawner_override") or {}).get("namespace") or hub_namespace
            at = ("singleuser", "profileList", i)
            owner = owners.get(slug)
            if owner is not None:
                with_profile.add(owner.slug)
                if namespace != namespace_for(owner):
                    yield finding_at(
                        inventory,
                        release,
                        f"profile '{slug}' of project '{owner.slug}' starts servers in {namespace}, outside the "
                        f"sandbox {namespace_for(owner)}: its quota, network policies and data volume do not bind "
                        "them; set kubespawner_override.namespace to the sandbox (render again)",
                        *at,
                    )
            project = in_namespace.get(namespace)
            if project is None:
                continue
            into_sandboxes = True
            allowed = groups.get(slug) if isinstance(groups, Mapping) else None
            if not allowed:
                yield finding_at(
                    inventory,
                    release,
                    f"profile '{slug}' starts servers in the sandbox {namespace} but custom.aicommons."
                    f"{PROFILE_GROUPS_KEY} does not restrict it: every signed-in user may start one there; "
                    f"list it under project '{project.slug}''s member groups ({', '.join(project.sandbox.members)})",
                    *at,
                )
                continue
            outsiders = sorted(set(allowed) - set(project.sandbox.members))
            if outsiders:
                yield finding_at(
                    inventory,
                    release,
                    f"profile '{slug}' starts servers in the sandbox {namespace} and is offered to "
                    f"{', '.join(outsiders)}, not member groups of project '{project.slug}' "
                    f"({', '.join(project.sandbox.members)})",
                    "custom",
                    "aicommons",
                    PROFILE_GROUPS_KEY,
                    slug,
                )
        if z2jh.get(values, "hub.config.JupyterHub.load_groups", None) and _manages_groups(values):
            yield finding_at(
                inventory,
                release,
                "hub.config.JupyterHub.load_groups is set while the authenticator manages groups "
                "(manage_groups: true): JupyterHub 5 refuses to start ('Group management has been offloaded "
                "to the authenticator'), so no project server starts; drop load_groups (membership comes "
                "from the identity provider)",
                "hub",
                "config",
                "JupyterHub",
                "load_groups",
            )
        if into_sandboxes and not _filter_installed(values):
            yield finding_at(
                inventory,
                release,
                f"hub.extraConfig['{FILTER_KEY}'] does not install the profile filter, so nothing enforces "
                f"custom.aicommons.{PROFILE_GROUPS_KEY}: every signed-in user sees and may start every "
                "sandbox's profile",
                "hub",
                "extraConfig",
            )
    for ns, project in sandboxed:
        if project.slug not in with_profile:
            yield Finding.on(
                ns,
                f"no JupyterHub profile '{profile_slug(project)}': the project's members can only start servers "
                "in the hub's namespace, outside the sandbox's quota, network policies and data volume",
            )


def _manages_groups(values: Mapping[str, Any]) -> bool:
    """Whether an authenticator in hub.config has manage_groups on."""
    config = z2jh.get(values, "hub.config", {}) or {}
    return any(
        isinstance(section, Mapping) and section.get("manage_groups") is True for section in config.values()
    )


@check("AIC-GOV-07", "bundle")
def sandbox_only_where_status_allows(ctx: CheckContext) -> Iterable[Finding]:
    """No sandbox for a project whose status allows none (planned, design, retired; governance/status.py)."""
    namespaces = _project_namespaces(ctx.inventory)
    if not namespaces:
        raise Skip("no AI project sandboxes in this bundle")
    records = _by_slug(ctx.inventory)
    for ns in namespaces:
        project = records.get(ns.labels.get(LABEL_PROJECT, ns.name.removeprefix(NAMESPACE_PREFIX)))
        if project is None or allows_sandbox(project.register.status):
            continue  # a namespace without a record is AIC-GOV-01's finding
        status = project.register.status
        closed = (
            f"; a retired project's personal data is deleted by its end date ({project.sandbox.end_date})"
            if is_closed(status)
            else ""
        )
        yield _on_project(
            project,
            f"status {status!r} allows no sandbox, but {ns.name} exists (a sandbox needs "
            f"{', '.join(SANDBOX_STATUSES)}){closed}: render again to remove it, or set the status the "
            "project really has",
            "register",
            "status",
        )
