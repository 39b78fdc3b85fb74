"""`aicommons cost report --live` against a local HTTP server answering with the recorded responses."""

from __future__ import annotations

import json
import socket
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aicommons.cli.main import run
from aicommons.errors import EXIT_BAD_INPUT, EXIT_MISSING_COMPONENT, EXIT_OK
from aicommons.usage.series import QUERIES
from tests.conftest import FIXTURES
from tests.usage import recorded

PROFILE = FIXTURES / "good" / "minimal-aws.yaml"
BY_QUERY = {q: name for name, q in QUERIES.items()}
PROXY = "/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy"


class Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, list[str]]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's spelling)
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query)
        type(self).seen.append(
            {"path": [url.path], "auth": [self.headers.get("Authorization", "")], **params}
        )
        name = BY_QUERY.get(params.get("query", [""])[0])
        if url.path == PROXY + "/api/v1/query_range" and self.headers.get("Authorization") != "Bearer t0ken":
            body, status = {"kind": "Status", "status": "Failure", "message": "Unauthorized"}, 401
        elif url.path not in ("/api/v1/query_range", PROXY + "/api/v1/query_range") or name is None:
            body, status = {"status": "error", "errorType": "bad_data", "error": "unknown query"}, 400
        else:
            body, status = recorded.body(name), 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def prometheus() -> Iterator[str]:
    Handler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    plan = json.loads((recorded.FIXTURES / "plan.json").read_text(encoding="utf-8"))
    (folder / "aicommons.lock.json").write_text(json.dumps({"sizing": plan}), encoding="utf-8")
    return folder


def main(monkeypatch, capsys, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    code = 0
    try:
        run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    out = capsys.readouterr()
    return code, out.out, out.err


def cost(prometheus: str, bundle: Path, *extra: str) -> list[str]:
    return [
        "cost", "report", str(PROFILE), "--live", "--month", "2026-11", "--step", "3600",
        "--prometheus", prometheus, "--bundle", str(bundle), "--no-billed", *extra,
    ]  # fmt: skip


def test_json_report_over_the_month(monkeypatch, capsys, prometheus, bundle):
    code, out, err = main(monkeypatch, capsys, *cost(prometheus, bundle, "--by", "user", "-f", "json"))
    assert code == EXIT_OK, err
    rep = json.loads(out)
    # November has 720 hours; the recorded samples fall in its first six (test_allocate.py)
    assert (rep["hours"], rep["month_to_date"], rep["total_usd"]) == (720.0, False, 5.20)
    assert {line["name"]: line["usd"] for line in rep["lines"]}["alice"] == 0.15
    # the plan's core pool: $73.00 a 730-hour month, prorated to 720 h = 72.00; measured 0.60
    core = next(p for p in rep["pools"] if p["pool"] == "core")
    assert (core["estimate_usd"], core["usd"], core["held"]) == (72.0, 0.6, True)
    # one range query per series, over the month on the requested step, end inclusive
    first = Handler.seen[0]
    assert (first["start"], first["end"], first["step"]) == (["1793491200"], ["1796079600"], ["3600s"])


def test_csv_by_project_carries_quota_columns(monkeypatch, capsys, prometheus, bundle):
    code, out, err = main(monkeypatch, capsys, *cost(prometheus, bundle, "-f", "csv"))
    assert code == EXIT_OK, err
    lines = out.splitlines()
    assert (
        lines[0]
        == "project,usd,share,node_hours,gpu_hours,server_hours,quota_gpus,quota_gpu_hours,gpu_hours_share,approved"
    )
    assert lines[1].startswith("flood,0.75,")
    assert lines[-1].startswith("(platform),0.19,")


def test_unreachable_prometheus_exits_3_without_the_password(monkeypatch, capsys, bundle):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://admin:s3cret@127.0.0.1:{port}/prom?token=abc"
    code, out, err = main(monkeypatch, capsys, *cost(url, bundle))
    assert code == EXIT_MISSING_COMPONENT
    assert f"Prometheus at http://127.0.0.1:{port}/prom is not reachable" in err
    assert "s3cret" not in err and "abc" not in err and "Traceback" not in err


def test_credentials_in_the_url_go_as_basic_auth(monkeypatch, capsys, prometheus, bundle):
    url = prometheus.replace("http://", "http://reader:pw@")
    code, _, err = main(monkeypatch, capsys, *cost(url, bundle, "-f", "json"))
    assert code == EXIT_OK, err
    assert Handler.seen[0]["auth"] == ["Basic cmVhZGVyOnB3"]  # base64("reader:pw")


def test_without_live_and_with_a_bad_month_exit_2(monkeypatch, capsys, prometheus, bundle):
    args = [a for a in cost(prometheus, bundle) if a != "--live"]
    code, _, err = main(monkeypatch, capsys, *args)
    assert code == EXIT_BAD_INPUT and "--live" in err
    code, _, err = main(monkeypatch, capsys, *cost(prometheus, bundle, "--month", "2026-13"))
    assert code == EXIT_BAD_INPUT and "--month" in err and "YYYY-MM" in err


def kubeconfig(tmp_path: Path, server: str, token: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": server}}],
                "users": [{"name": "u", "user": {"token": token}}],
                "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "ctx",
            }
        ),
        encoding="utf-8",
    )
    return path


def test_through_the_api_servers_service_proxy(monkeypatch, capsys, prometheus, bundle, tmp_path):
    args = [a for a in cost(prometheus, bundle, "-f", "json") if a not in ("--prometheus", prometheus)]
    code, out, err = main(
        monkeypatch, capsys, *args, "--kubeconfig", str(kubeconfig(tmp_path, prometheus, "t0ken"))
    )
    assert code == EXIT_OK, err
    assert json.loads(out)["total_usd"] == 5.20
    assert Handler.seen[0]["path"] == [PROXY + "/api/v1/query_range"]


def test_proxy_refusal_is_exit_3_with_the_api_servers_message(
    monkeypatch, capsys, prometheus, bundle, tmp_path
):
    args = [a for a in cost(prometheus, bundle) if a not in ("--prometheus", prometheus)]
    code, _, err = main(
        monkeypatch, capsys, *args, "--kubeconfig", str(kubeconfig(tmp_path, prometheus, "wrong"))
    )
    assert code == EXIT_MISSING_COMPONENT
    assert "service monitoring/prometheus-operated:9090" in err and "Unauthorized" in err
    assert "wrong" not in err and "Bearer" not in err  # the token is never printed
