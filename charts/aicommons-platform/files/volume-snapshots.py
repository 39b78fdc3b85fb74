"""Take a CSI VolumeSnapshot of every bound claim in the listed namespaces and delete this job's
snapshots older than their retention. Standard library only; talks to the API server with the pod's
service account. Kubernetes has no scheduler for VolumeSnapshots (the CSI external-snapshotter only
acts on the objects), so this CronJob is the schedule."""

import datetime
import json
import os
import ssl
import urllib.request

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
API = "https://kubernetes.default.svc"
GROUP = "/apis/snapshot.storage.k8s.io/v1/namespaces"
TOKEN = open(f"{SA}/token", encoding="utf-8").read().strip()
TLS = ssl.create_default_context(cafile=f"{SA}/ca.crt")


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(API + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {TOKEN}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, context=TLS, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def main():
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y%m%d%H%M")
    snapshot_class = os.environ.get("SNAPSHOT_CLASS", "")
    failures = 0
    for target in json.loads(os.environ["TARGETS"]):
        ns, store = target["namespace"], target["store"]
        for pvc in call("GET", f"/api/v1/namespaces/{ns}/persistentvolumeclaims")["items"]:
            name = pvc["metadata"]["name"]
            if pvc.get("status", {}).get("phase") != "Bound" or name.startswith("restored-"):
                continue
            snap = {
                "apiVersion": "snapshot.storage.k8s.io/v1",
                "kind": "VolumeSnapshot",
                "metadata": {
                    "name": f"{name[:45]}-{stamp}",
                    "namespace": ns,
                    "labels": {"aicommons.dev/backup": store, "app.kubernetes.io/managed-by": "aicommons"},
                },
                "spec": {"source": {"persistentVolumeClaimName": name}},
            }
            if snapshot_class:
                snap["spec"]["volumeSnapshotClassName"] = snapshot_class
            try:
                call("POST", f"{GROUP}/{ns}/volumesnapshots", snap)
                print(f"snapshot {ns}/{snap['metadata']['name']} of {name}")
            except Exception as exc:  # one failed claim must not stop the others
                failures += 1
                print(f"FAILED snapshot of {ns}/{name}: {exc}")
        cutoff = now - datetime.timedelta(days=int(target["retentionDays"]))
        selector = f"aicommons.dev/backup={store}"
        for snap in call("GET", f"{GROUP}/{ns}/volumesnapshots?labelSelector={selector}")["items"]:
            created = datetime.datetime.fromisoformat(snap["metadata"]["creationTimestamp"].replace("Z", "+00:00"))
            if created < cutoff:
                call("DELETE", f"{GROUP}/{ns}/volumesnapshots/{snap['metadata']['name']}")
                print(f"expired {ns}/{snap['metadata']['name']}")
    raise SystemExit(1 if failures else 0)


main()
