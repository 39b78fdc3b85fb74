"""Pod Security admission: the baseline and restricted checks of the Pod Security Standards.

Modelled from kubernetes staging/src/k8s.io/pod-security-admission/policy/check_*.go (the
same package as github.com/kubernetes/pod-security-admission): each check below names its
source file. ``restricted`` runs every baseline check too, with the restricted versions of
capabilities, seccomp, volumes and procMount replacing the baseline ones (OverrideCheckIDs).
Versioned checks follow the namespace's ``enforce-version`` (``latest``: the target version).
Containers are the init, regular and ephemeral containers (policy/visitor.go).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

Meta = Mapping[str, Any]
Spec = Mapping[str, Any]
Version = tuple[int, int]
Check = Callable[[Meta, Spec, Version], str | None]
LEVELS = ("privileged", "baseline", "restricted")

_CAPS_BASELINE = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}  # fmt: skip
_SYSCTLS: list[tuple[tuple[int, int], set[str]]] = [
    ((1, 0), {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
              "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"}),
    ((1, 27), {"net.ipv4.ip_local_reserved_ports"}),
    ((1, 29), {"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
               "net.ipv4.tcp_keepalive_probes"}),
    ((1, 32), {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}),
    ((1, 37), {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"}),
]  # fmt: skip
_RESTRICTED_VOLUMES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected",
    "secret",
}  # fmt: skip
_VOLUME_META = {"name"}


def containers(spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """policy/visitor.go visitContainers: init, regular, then ephemeral containers."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from (c for c in spec.get(key) or [] if isinstance(c, Mapping))


def _sc(c: Mapping[str, Any]) -> Mapping[str, Any]:
    return c.get("securityContext") or {}


def _psc(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    return spec.get("securityContext") or {}


def _names(items: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in items)


def _user_namespace(spec: Mapping[str, Any], version: tuple[int, int]) -> bool:
    """policy/helpers.go relaxPolicyForUserNamespacePod (from 1.35): hostUsers: false."""
    return version >= (1, 35) and spec.get("hostUsers") is False


# --- baseline ---------------------------------------------------------------------------


def host_namespaces(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_hostNamespaces.go"""
    used = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k)]
    return f"host namespaces ({', '.join(used)})" if used else None


def privileged(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_privileged.go"""
    bad = [str(c.get("name")) for c in containers(spec) if _sc(c).get("privileged") is True]
    return (
        f"privileged (containers {_names(bad)} must not set securityContext.privileged=true)" if bad else None
    )


def capabilities_baseline(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_capabilities_baseline.go"""
    bad, caps = [], set()
    for c in containers(spec):
        added = set((_sc(c).get("capabilities") or {}).get("add") or []) - _CAPS_BASELINE
        if added:
            bad.append(str(c.get("name")))
            caps |= added
    return f"non-default capabilities {sorted(caps)} (containers {_names(bad)})" if bad else None


def host_path_volumes(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_hostPathVolumes.go"""
    bad = [str(v.get("name")) for v in spec.get("volumes") or [] if v.get("hostPath") is not None]
    return f"hostPath volumes {_names(bad)}" if bad else None


def host_ports(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_hostPorts.go"""
    ports = sorted(
        {int(p["hostPort"]) for c in containers(spec) for p in c.get("ports") or [] if p.get("hostPort")}
    )
    return f"hostPort {', '.join(map(str, ports))}" if ports else None


def app_armor(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_appArmorProfile.go: RuntimeDefault or Localhost, or no profile."""
    bad = []
    for where, sc in [("pod", _psc(spec))] + [(str(c.get("name")), _sc(c)) for c in containers(spec)]:
        kind = (sc.get("appArmorProfile") or {}).get("type")
        if kind is not None and kind not in ("RuntimeDefault", "Localhost"):
            bad.append(f"{where}={kind}")
    prefix = "container.apparmor.security.beta.kubernetes.io/"
    for key, value in ((meta.get("annotations") or {}) or {}).items():
        if (
            str(key).startswith(prefix)
            and value
            and value != "runtime/default"
            and not str(value).startswith("localhost/")
        ):
            bad.append(f"{key}={value}")
    return f"forbidden AppArmor profiles {bad}" if bad else None


def selinux(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_seLinuxOptions.go (container_engine_t allowed from 1.31)."""
    allowed = {"", "container_t", "container_init_t", "container_kvm_t"}
    if version >= (1, 31):
        allowed.add("container_engine_t")
    bad = []
    for where, sc in [("pod", _psc(spec))] + [(str(c.get("name")), _sc(c)) for c in containers(spec)]:
        opts = sc.get("seLinuxOptions")
        if opts and (opts.get("type", "") not in allowed or opts.get("user") or opts.get("role")):
            bad.append(where)
    return f"seLinuxOptions ({', '.join(bad)} set a forbidden type, user or role)" if bad else None


def proc_mount_baseline(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_procMount_baseline.go (relaxed for user-namespace pods from 1.35)."""
    if _user_namespace(spec, version):
        return None
    return proc_mount_restricted(meta, spec, version)


def proc_mount_restricted(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_procMount_restricted.go (procMount_1_0): only the Default procMount."""
    bad = [str(c.get("name")) for c in containers(spec) if _sc(c).get("procMount") not in (None, "Default")]
    return f"procMount (containers {_names(bad)} must not set an unmasked procMount)" if bad else None


def seccomp_baseline(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_seccompProfile_baseline.go: no Unconfined profile."""
    bad = []
    for where, sc in [("pod", _psc(spec))] + [(str(c.get("name")), _sc(c)) for c in containers(spec)]:
        kind = (sc.get("seccompProfile") or {}).get("type")
        if kind is not None and kind not in ("RuntimeDefault", "Localhost"):
            bad.append(where)
    return f"seccompProfile ({', '.join(bad)} must not set type Unconfined)" if bad else None


def sysctls(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_sysctls.go (the allowed set grows with the version)."""
    allowed: set[str] = set()
    for since, names in _SYSCTLS:
        if version >= since:
            allowed |= names
    bad = [str(s.get("name")) for s in _psc(spec).get("sysctls") or [] if s.get("name") not in allowed]
    return f"forbidden sysctls {', '.join(bad)}" if bad else None


def windows_host_process(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_windowsHostProcess.go"""
    scs = [_psc(spec)] + [_sc(c) for c in containers(spec)]
    bad = any((sc.get("windowsOptions") or {}).get("hostProcess") is True for sc in scs)
    return "windowsOptions.hostProcess=true" if bad else None


def host_probes(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_hostProbesAndhostLifecycle.go (from 1.34): probes and hooks may not name a host."""
    if version < (1, 34):
        return None
    bad = []
    for c in containers(spec):
        handlers = [c.get(p) for p in ("livenessProbe", "readinessProbe", "startupProbe")]
        handlers += [(c.get("lifecycle") or {}).get(h) for h in ("postStart", "preStop")]
        for h in handlers:
            if h and any((h.get(k) or {}).get("host") for k in ("httpGet", "tcpSocket")):
                bad.append(str(c.get("name")))
                break
    return f"probe or lifecycle host (containers {_names(bad)})" if bad else None


# --- restricted -------------------------------------------------------------------------


def restricted_volumes(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_restrictedVolumes.go: only configMap, csi, downwardAPI, emptyDir, ephemeral,
    image, persistentVolumeClaim, projected and secret volumes."""
    bad = []
    for v in spec.get("volumes") or []:
        kinds = set(v) - _VOLUME_META
        if not kinds & _RESTRICTED_VOLUMES:
            bad.append(f"{v.get('name')} ({', '.join(sorted(kinds)) or 'no source'})")
    return f"restricted volume types: {', '.join(bad)}" if bad else None


def allow_privilege_escalation(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_allowPrivilegeEscalation.go (Windows pods exempt from 1.25)."""
    if (spec.get("os") or {}).get("name") == "windows":
        return None
    bad = [
        str(c.get("name")) for c in containers(spec) if _sc(c).get("allowPrivilegeEscalation") is not False
    ]
    return f"allowPrivilegeEscalation != false (containers {_names(bad)})" if bad else None


def run_as_non_root(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_runAsNonRoot.go (relaxed for user-namespace pods from 1.35)."""
    if _user_namespace(spec, version):
        return None
    pod = _psc(spec).get("runAsNonRoot")
    if pod is False:
        return "runAsNonRoot != true (pod sets runAsNonRoot=false)"
    bad = [
        str(c.get("name"))
        for c in containers(spec)
        if _sc(c).get("runAsNonRoot") is False or (_sc(c).get("runAsNonRoot") is None and pod is not True)
    ]
    return (
        f"runAsNonRoot != true (pod or containers {_names(bad)} must set runAsNonRoot=true)" if bad else None
    )


def run_as_user(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_runAsUser.go: never runAsUser 0."""
    if _user_namespace(spec, version):
        return None
    bad = ["pod"] if _psc(spec).get("runAsUser") == 0 else []
    bad += [str(c.get("name")) for c in containers(spec) if _sc(c).get("runAsUser") == 0]
    return f"runAsUser=0 ({', '.join(bad)})" if bad else None


def seccomp_restricted(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_seccompProfile_restricted.go: RuntimeDefault or Localhost, set on the pod or on
    every container."""
    if (spec.get("os") or {}).get("name") == "windows":
        return None
    explicit = seccomp_baseline(meta, spec, version)
    if explicit:
        return explicit
    pod_set = (_psc(spec).get("seccompProfile") or {}).get("type") is not None
    bad = [str(c.get("name")) for c in containers(spec) if not pod_set and not _sc(c).get("seccompProfile")]
    return (
        f"seccompProfile (pod or containers {_names(bad)} must set RuntimeDefault or Localhost)"
        if bad
        else None
    )


def capabilities_restricted(meta: Meta, spec: Spec, version: Version) -> str | None:
    """check_capabilities_restricted.go: drop ALL, add at most NET_BIND_SERVICE."""
    if (spec.get("os") or {}).get("name") == "windows":
        return None
    no_drop, adding = [], []
    for c in containers(spec):
        caps = _sc(c).get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            no_drop.append(str(c.get("name")))
        if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
            adding.append(str(c.get("name")))
    parts = []
    if no_drop:
        parts.append(f'containers {_names(no_drop)} must drop ["ALL"]')
    if adding:
        parts.append(f"containers {_names(adding)} may add only NET_BIND_SERVICE")
    return f"unrestricted capabilities ({'; '.join(parts)})" if parts else None


BASELINE: dict[str, Check] = {
    "hostNamespaces": host_namespaces,
    "privileged": privileged,
    "capabilities_baseline": capabilities_baseline,
    "hostPathVolumes": host_path_volumes,
    "hostPorts": host_ports,
    "appArmorProfile": app_armor,
    "seLinuxOptions": selinux,
    "procMount": proc_mount_baseline,
    "seccompProfile_baseline": seccomp_baseline,
    "sysctls": sysctls,
    "windowsHostProcess": windows_host_process,
    "hostProbesAndHostLifecycle": host_probes,
}
RESTRICTED: dict[str, Check] = {
    "restrictedVolumes": restricted_volumes,
    "allowPrivilegeEscalation": allow_privilege_escalation,
    "runAsNonRoot": run_as_non_root,
    "runAsUser": run_as_user,
    "seccompProfile_restricted": seccomp_restricted,
    "capabilities_restricted": capabilities_restricted,
    "procMount_restricted": proc_mount_restricted,
}
_OVERRIDES = {  # restricted check -> the baseline check it replaces (OverrideCheckIDs)
    "restrictedVolumes": "hostPathVolumes",
    "seccompProfile_restricted": "seccompProfile_baseline",
    "capabilities_restricted": "capabilities_baseline",
}


def checks_for(level: str, version: Version) -> dict[str, Check]:
    """The checks a level runs at a version (restricted = baseline with its overrides)."""
    if level == "privileged":
        return {}
    out = dict(BASELINE)
    if level == "restricted":
        restricted = dict(RESTRICTED)
        overrides = dict(_OVERRIDES)
        if version >= (1, 35):  # the restricted procMount check exists from 1.35
            overrides["procMount_restricted"] = "procMount"
        else:
            restricted.pop("procMount_restricted")
        for replaced in overrides.values():
            out.pop(replaced, None)
        out.update(restricted)
    return out


def evaluate(
    level: str, version: tuple[int, int], meta: Mapping[str, Any], spec: Mapping[str, Any]
) -> list[str]:
    """The reasons the level forbids this pod (empty: allowed)."""
    found = [check(meta, spec, version) for _, check in sorted(checks_for(level, version).items())]
    return [f for f in found if f]
