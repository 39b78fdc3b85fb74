"""A real JupyterHub on 127.0.0.1 for the health check's tests.

The hub runs in a subprocess on free ports with configurable-http-proxy (Node.js, installed once
with npm into a cache folder: ``$AICOMMONS_TEST_CACHE`` or ``~/.cache/aicommons-tests``),
JupyterHub's DummyAuthenticator and SimpleLocalProcessSpawner running ``jupyterhub-singleuser``.
The aicommons-check service and its roles are the bundle's own (``healthcheck.service``), with
the token from the environment.

Fixtures of the test machine, standing in for the cluster (the checker's code is the real one):

* profiles are emulated with ``user_options``: ``pre_spawn_hook`` refuses a slug the bundle's
  profile list lacks, and puts a fake ``nvidia-smi`` first on the PATH of GPU profiles;
* the user pods' NetworkPolicy is emulated by a ``sitecustomize`` on the servers' PYTHONPATH that
  drops (times out) connections to the blocked addresses, as a policy that drops packets does.
  This machine's own 169.254.169.254:80 answers, so without it the metadata probe would fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHP_SPEC = "configurable-http-proxy@5.3.0"
VENV_BIN = Path(sys.executable).parent
FAKE_GPU = "NVIDIA L4, 23034 MiB"


class HubUnavailable(Exception):
    """The hub cannot run on this machine (the reason is the skip message)."""


def cache_dir() -> Path:
    base = os.environ.get("AICOMMONS_TEST_CACHE") or Path.home() / ".cache" / "aicommons-tests"
    return Path(base)


def chp_command() -> str:
    """configurable-http-proxy: on the PATH, in the cache, or installed into the cache with npm."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    target = cache_dir() / "chp"
    binary = target / "node_modules" / ".bin" / "configurable-http-proxy"
    if binary.exists():
        return str(binary)
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        raise HubUnavailable("configurable-http-proxy needs Node.js and npm, which are not on the PATH")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="chp-", dir=target.parent))
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(staging), CHP_SPEC],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            raise HubUnavailable(f"npm could not install {CHP_SPEC}: {done.stderr.strip()[-300:]}")
        with contextlib.suppress(OSError):  # another process installed it meanwhile
            staging.rename(target)
    except subprocess.TimeoutExpired:
        raise HubUnavailable(f"npm install {CHP_SPEC} took over 180 s (registry unreachable?)") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not binary.exists():
        raise HubUnavailable(f"npm installed {CHP_SPEC} but {binary} is missing")
    return str(binary)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_SITECUSTOMIZE = """\
# Test fixture: drop connections to the addresses the user pods' NetworkPolicy blocks.
import os, socket, time
_BLOCKED = set(filter(None, os.environ.get("AICOMMONS_TEST_BLOCKED", "").split(",")))
_connect = socket.socket.connect
def _dropping_connect(self, address):
    if isinstance(address, tuple) and address[0] in _BLOCKED:
        time.sleep(min(self.gettimeout() or 1.0, 1.0))
        raise TimeoutError("timed out")
    return _connect(self, address)
socket.socket.connect = _dropping_connect
"""

_FAKE_NVIDIA_SMI = """\
#!/bin/sh
# Test fixture: what nvidia-smi prints for --query-gpu=name,memory.total --format=csv on one L4.
echo "name, memory.total [MiB]"
echo "{gpu}"
"""

_CONFIG = """\
import json, os
settings = json.loads(os.environ["AICOMMONS_TEST_HUB"])
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['api_port']}"
c.ConfigurableHTTPProxy.command = [settings["chp"]]
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.JupyterHub.db_url = "sqlite:///" + os.path.join(settings["dir"], "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(settings["dir"], "cookie_secret")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.tornado_settings = {"slow_spawn_timeout": 0}  # POST .../server answers 202 at once
c.Spawner.cmd = [settings["singleuser"]]
c.Spawner.args = ["--allow-root"] if os.getuid() == 0 else []  # CI containers often run as root
c.Spawner.start_timeout = 40
c.Spawner.http_timeout = 40
c.Spawner.default_url = "/lab"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(settings["dir"], "home", "{username}")
for name, service in settings["services"].items():
    c.JupyterHub.services.append({"name": name, **service, "api_token": os.environ["AICOMMONS_TEST_SERVICE_TOKEN"]})
for name, role in settings["roles"].items():
    c.JupyterHub.load_roles.append({"name": name, **role})

async def pre_spawn_hook(spawner):
    profile = spawner.user_options.get("profile")
    if profile not in settings["profiles"]:
        raise ValueError(f"no profile {profile!r}")
    env = {"PYTHONPATH": settings["site"], "AICOMMONS_TEST_BLOCKED": ",".join(settings["blocked"])}
    if settings["profiles"][profile]["gpu"]:
        env["PATH"] = settings["fake_bin"] + os.pathsep + os.environ["PATH"]
    if settings["profiles"][profile].get("delay"):
        import asyncio
        await asyncio.sleep(settings["profiles"][profile]["delay"])
    spawner.environment = {**spawner.environment, **env}

c.Spawner.pre_spawn_hook = pre_spawn_hook
"""


@dataclass
class LocalHub:
    url: str
    hub_port: int
    token: str
    dir: Path
    process: subprocess.Popen[bytes]

    def api(self, method: str, path: str) -> tuple[int, Any]:
        req = urllib.request.Request(self.url + "/hub/api" + path, method=method)
        req.add_header("Authorization", f"token {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, None

    def servers(self, user: str) -> dict[str, Any]:
        status, body = self.api("GET", f"/users/{user}")
        assert status == 200, status
        return dict(body.get("servers") or {})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_hub(
    workdir: Path,
    profiles: dict[str, dict[str, Any]],
    services: dict[str, Any],
    roles: dict[str, Any],
    blocked: list[str],
) -> LocalHub:
    """Start the hub and wait until its API answers the service token; HubUnavailable if it cannot."""
    singleuser = VENV_BIN / "jupyterhub-singleuser"
    if not singleuser.exists():
        raise HubUnavailable(f"{singleuser} is missing (install jupyterhub)")
    chp = chp_command()
    site = workdir / "site"
    fake_bin = workdir / "fake-bin"
    site.mkdir(parents=True)
    fake_bin.mkdir()
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    smi = fake_bin / "nvidia-smi"
    smi.write_text(_FAKE_NVIDIA_SMI.format(gpu=FAKE_GPU))
    smi.chmod(0o755)
    (workdir / "jupyterhub_config.py").write_text(_CONFIG)
    port = free_port()
    settings = {
        "port": port,
        "hub_port": free_port(),
        "api_port": free_port(),
        "chp": chp,
        "dir": str(workdir),
        "singleuser": str(singleuser),
        "services": services,
        "roles": roles,
        "profiles": profiles,
        "site": str(site),
        "fake_bin": str(fake_bin),
        "blocked": blocked,
    }
    token = secrets.token_hex(32)
    env = {
        **os.environ,
        "AICOMMONS_TEST_HUB": json.dumps(settings),
        "AICOMMONS_TEST_SERVICE_TOKEN": token,
        "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(32),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    log = (workdir / "hub.log").open("wb")
    process = subprocess.Popen(
        [str(VENV_BIN / "jupyterhub"), "-f", str(workdir / "jupyterhub_config.py")],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    hub = LocalHub(f"http://127.0.0.1:{port}", settings["hub_port"], token, workdir, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (workdir / "hub.log").read_text(errors="replace")[-600:]
            raise HubUnavailable(f"JupyterHub exited {process.returncode}: {tail}")
        try:
            if hub.api("GET", "/user")[0] == 200:
                return hub
        except OSError:
            pass
        time.sleep(0.3)
    hub.stop()
    raise HubUnavailable("JupyterHub did not answer within 30 s")
