"""Supply chain: images are pinned and come from the registries the blueprint allows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aicommons.checks.controls._kube import containers, finding_at, jupyterhub_releases, workloads
from aicommons.checks.model import HELM_RELEASE, CheckContext, Finding, Skip
from aicommons.checks.registry import check

_DOCKER_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io")


@dataclass(frozen=True)
class ImageRef:
    """An image reference split the way container runtimes read it."""

    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, ref: str) -> ImageRef:
        rest, _, digest = ref.partition("@")
        first, slash, remainder = rest.partition("/")
        if slash and ("." in first or ":" in first or first == "localhost"):
            registry, path = first, remainder
        else:
            registry, path = "docker.io", rest
        if registry in _DOCKER_HUB:
            registry = "docker.io"
            if "/" not in path:
                path = f"library/{path}"
        name, colon, tag = path.rpartition(":") if ":" in path else (path, "", "")
        return cls(registry, name if colon else path, tag or None, digest or None)

    @property
    def location(self) -> str:
        return f"{self.registry}/{self.repository}"


def allowed(image: ImageRef, registries: Iterable[str]) -> bool:
    """Is the image under one of the allowed registries (a host, or a host/path prefix)?"""
    for entry in registries:
        entry = entry.rstrip("/")
        host, _, prefix = entry.partition("/")
        if host in _DOCKER_HUB:
            host = "docker.io"
        if image.registry != host:
            continue
        if not prefix or image.repository == prefix or image.repository.startswith(prefix + "/"):
            return True
    return False


def problems(ref: str, registries: list[str], forbidden_tags: set[str], require_digest: bool) -> list[str]:
    image = ImageRef.parse(ref)
    out = []
    if image.digest is None:
        if image.tag is None:
            out.append("has no tag or digest (so it runs ':latest')")
        elif image.tag in forbidden_tags:
            out.append(f"uses the mutable tag ':{image.tag}'")
        elif require_digest:
            out.append("is pinned by tag only; the blueprint requires an @sha256 digest")
    if registries and not allowed(image, registries):
        out.append(f"comes from {image.location}, outside the allowed registries ({', '.join(registries)})")
    return out


# --- Where images are set --------------------------------------------------------------------

_IMAGE_KEY = re.compile(r"(^image$|Image$)")


def value_images(
    node: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str, bool]]:
    """(path, reference, tag_defaults_to_chart) for images set in Helm values.

    A string under an `image` key is a full reference; a mapping with `name`/`repository` is
    one in parts (`registry`, `tag`, `digest`). Without a tag most charts use their own
    version (pinned with the chart), which is reported as the third element.
    """
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = (*path, key)
            if isinstance(key, str) and _IMAGE_KEY.search(key):
                if isinstance(value, str) and value:
                    yield here, value, False
                    continue
                if isinstance(value, Mapping) and (value.get("name") or value.get("repository")):
                    repo = str(value.get("repository") or value.get("name"))
                    if value.get("registry"):
                        repo = f"{value['registry']}/{repo}"
                    ref = repo + (f":{value['tag']}" if value.get("tag") else "")
                    ref += f"@{value['digest']}" if value.get("digest") else ""
                    yield here, ref, not value.get("tag") and not value.get("digest")
                    continue
            yield from value_images(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from value_images(item, (*path, i))


@check("AIC-SUP-01", "bundle", "plan", "live")
def images_pinned_and_allowed(ctx: CheckContext) -> Iterable[Finding]:
    """Every image set in values (and, live, every container) is pinned and from an allowed registry."""
    inventory = ctx.inventory
    registries = list(ctx.blueprint.allowed_registries)
    forbidden = set(ctx.params.get("forbidden_tags", ["latest"]))
    require_digest = bool(ctx.params.get("require_digests", False))
    hubs = jupyterhub_releases(inventory)
    releases = inventory.of(HELM_RELEASE)
    pods = workloads(inventory)
    if not releases and not pods:
        raise Skip(f"no Helm release or pod in the {inventory.source} inventory")
    for release in releases:
        for path, ref, chart_tag in value_images(release.spec.get("values") or {}):
            found = problems(ref, registries, forbidden, require_digest)
            if chart_tag:  # the chart fills in its own tag
                found = [p for p in found if not p.startswith("has no tag")]
                if release in hubs and path == ("singleuser", "image"):
                    # ... which for the user image is the tag of the chart's sample image
                    found.insert(0, "sets no tag, so the chart's default tag (for its sample image) applies")
            for problem in found:
                yield finding_at(inventory, release, f"image {ref} at {_dotted(path)} {problem}", *path)
    # The cloud provider's managed add-ons (kube-proxy, the VPC CNI, CoreDNS) run in kube-system
    # from its own registries and versions; what this deployment installs is checked in its values.
    exempt = set(ctx.params.get("exempt_namespaces", ["kube-system"]))
    for resource, spec, _ in pods:
        if resource.namespace in exempt:
            continue
        for what, c in containers(spec):
            for problem in problems(str(c.get("image") or ""), registries, forbidden, require_digest):
                yield Finding.on(resource, f"{what} '{c.get('name')}' image {c.get('image')} {problem}")


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
