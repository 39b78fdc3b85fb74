"""`aicommons check --live` against a real JupyterHub on this machine (tests/healthcheck/local_hub.py).

One hub serves the module. Every test ends by asking the hub whether the test user still has a
server: the check must never leave one running, whichever way it ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from aicommons.healthcheck.hub import HubClient
from aicommons.healthcheck.probe import default_probes
from aicommons.healthcheck.service import TEST_USER
from tests.conftest import ROOT
from tests.healthcheck.local_hub import FAKE_GPU, HubUnavailable, LocalHub, free_port, start_hub

BUNDLE = ROOT / "tests" / "golden" / "riverton"  # profiles: notebook (CPU) and gpu-small (1 GPU)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHub]:
    values = yaml.safe_load((BUNDLE / "helm" / "jupyterhub.values.yaml").read_text())
    profiles = {
        p["slug"]: {"gpu": "nvidia.com/gpu" in (p["kubespawner_override"].get("extra_resource_limits") or {})}
        for p in values["singleuser"]["profileList"]
    }
    try:
        # the service and roles exactly as the bundle renders them
        local = start_hub(
            tmp_path_factory.mktemp("hub"),
            profiles,
            values["hub"]["services"],
            values["hub"]["loadRoles"],
            blocked=["169.254.169.254"],
        )
    except HubUnavailable as exc:
        pytest.skip(f"a local JupyterHub cannot start here: {exc}")
    yield local
    local.stop()


def _cli(*args: str, env: dict[str, str] | None = None, bundle: Path = BUNDLE) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **(env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "aicommons.cli", "check", str(bundle), "--live", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(hub: LocalHub, *args: str, token: str | None = None, bundle: Path = BUNDLE) -> tuple[int, str, str]:
    proc = _cli(
        "--hub-url",
        hub.url,
        "--token-env",
        "HUB_TOKEN",
        *args,
        env={"HUB_TOKEN": token or hub.token},
        bundle=bundle,
    )
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def _no_server_left(hub: LocalHub) -> None:
    """The hub knows no server of the test user, no server process of this hub is alive, and the
    check's file is gone from the home folder."""
    assert hub.servers(TEST_USER) == {}
    deadline = time.monotonic() + 15
    while _server_processes(hub) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _server_processes(hub) == []
    assert list((hub.dir / "home" / TEST_USER).glob(".aicommons-check-*")) == []


def _server_processes(hub: LocalHub) -> list[int]:
    """PIDs of single-user servers (and their kernels) whose hub API is this hub's (Linux /proc)."""
    marker = f"JUPYTERHUB_API_URL=http://127.0.0.1:{hub.hub_port}/".encode()
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if marker in (entry / "environ").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def test_gpu_profile_passes_reports_its_gpu_and_writes_junit(hub: LocalHub, tmp_path: Path) -> None:
    junit = tmp_path / "ci" / "check.xml"
    code, out, err = _run(hub, "--profiles", "gpu-small", "--junit", str(junit))
    assert code == 0, out + err
    name, memory = FAKE_GPU.split(", ")
    assert f"PASS  gpu-small  gpu: 1 × {name} ({memory})" in out
    assert "start: ready in " in out and "(no expected wait in the plan)" in out
    assert "unreachable: cloud metadata endpoint: 169.254.169.254:80 timed out" in out
    root = ET.parse(junit).getroot()
    assert [c.get("name") for c in root.findall("testcase")] == [
        "start",
        "gpu",
        "home volume",
        "unreachable: cloud metadata endpoint",
        "unreachable: kube-system service kube-dns:9153",
        "stop",
    ]
    assert root.get("failures") == "0"
    # no cluster DNS here: the other namespace's Service is reported as unknown, never as passed
    assert "SKIP  gpu-small  unreachable: kube-system service kube-dns:9153: " in out
    assert hub.token not in out + err + junit.read_text()
    _no_server_left(hub)


def test_a_profile_the_hub_refuses_fails_and_leaves_nothing(hub: LocalHub) -> None:
    """A bundle out of step with the hub (lakeside's geo-large is not on this hub): exit 1, the start
    failure in the hub's words, the steps inside the server skipped, and nothing left running.
    (That a reachable endpoint fails its probe is tested with the real cell in test_report.py.)"""
    code, out, err = _run(hub, "--profiles", "geo-large", bundle=ROOT / "tests" / "golden" / "lakeside")
    assert code == 1, out + err
    assert "FAIL  geo-large  start: " in out and "no profile 'geo-large'" in out
    assert "SKIP  geo-large  home volume: the server did not start" in out
    assert "PASS  geo-large  stop: server stopped" in out
    _no_server_left(hub)


def test_ctrl_c_mid_check_stops_the_server(hub: LocalHub) -> None:
    proc = _cli(
        "--hub-url",
        hub.url,
        "--token-env",
        "HUB_TOKEN",
        "--profiles",
        "notebook",
        env={"HUB_TOKEN": hub.token},
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    for line in proc.stderr:  # wait until the server runs and the checks inside it begin
        if "running the checks inside the server" in line:
            break
        assert time.monotonic() < deadline, "the server never became ready"
    assert hub.servers(TEST_USER)[""]["ready"] is True
    assert _server_processes(hub)  # the marker finds a running server (so its absence later means something)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "notebook: stopping the server" in err and "interrupted" in err
    _no_server_left(hub)


def test_an_exception_mid_check_stops_the_pending_server(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug while the server is starting (its process already spawned): the start is cancelled."""
    from aicommons.healthcheck import run
    from aicommons.healthcheck.targets import targets

    seen = []

    def broken_wait(self: HubClient, user: str, server: str, *_args: object) -> dict:
        seen.append(hub.servers(user)[server]["pending"])
        raise RuntimeError("a bug in the middle of the check")

    monkeypatch.setattr(HubClient, "wait_ready", broken_wait)
    values = yaml.safe_load((BUNDLE / "helm" / "jupyterhub.values.yaml").read_text())
    chosen = targets(values, None, {}, ("notebook",))
    with pytest.raises(RuntimeError, match="a bug"):
        run.run_check(HubClient(hub.url, hub.token), chosen, default_probes(), run.Settings())
    assert seen == ["spawn"]  # the hub was starting the server when the exception came
    _no_server_left(hub)


def test_a_refused_token_is_exit_3_without_the_token(hub: LocalHub) -> None:
    wrong = "f" * 64
    code, out, err = _run(hub, "--profiles", "notebook", token=wrong)
    assert code == 3
    assert "refused the token (HTTP 403)" in err
    assert wrong not in out + err


def test_an_unreachable_hub_is_exit_3() -> None:
    proc = _cli(
        "--hub-url", f"http://127.0.0.1:{free_port()}", "--token-env", "HUB_TOKEN", env={"HUB_TOKEN": "x"}
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, out + err
    assert "does not answer" in err


def test_a_missing_token_is_exit_3() -> None:
    proc = _cli("--hub-url", "http://127.0.0.1:9", "--token-env", "AICOMMONS_NO_SUCH_TOKEN_VAR")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, out + err
    assert "AICOMMONS_NO_SUCH_TOKEN_VAR is unset" in err


def test_without_live_it_is_a_usage_error() -> None:
    bare = subprocess.run(
        [sys.executable, "-m", "aicommons.cli", "check", str(BUNDLE)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bare.returncode == 2
    assert "check needs --live" in bare.stderr
