"""Mock answers for the offline plan: plausible, deterministic ids and outputs of resources and
data sources, so programs that chain ARNs, names and endpoints run without a cloud.

Nothing here counts or reads a clock: a resource's id and ARN derive from its type and name, so
two runs give the same inventory. The account is the documentation placeholder 123456789012.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pulumi.runtime import mocks

from aicommons.plan.model import SECRET

MOCK_ACCOUNT_ID = "123456789012"
MOCK_REGION = "us-east-1"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
# Resources whose id is their name.
NAMED_BY_ID = {
    "aws:s3/bucket:Bucket",
    "aws:iam/role:Role",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:eks/cluster:Cluster",
    "aws:cloudtrail/trail:Trail",
}


class OfflineMocks(mocks.Mocks):
    """Plausible, deterministic outputs for resources and data sources (no counters, no clock)."""

    def __init__(self, stack_outputs: dict[str, dict[str, Any]]):
        self.stack_outputs = stack_outputs
        self.region = MOCK_REGION

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict]:
        inputs = dict(args.inputs)
        if args.typ == STACK_REFERENCE:
            name = args.resource_id or inputs.get("name", args.name)
            values = self.stack_outputs.get(name, {})
            secret = sorted(k for k, v in values.items() if v == SECRET)
            return name, {"name": name, "outputs": values, "secretOutputNames": secret}
        if args.typ == "pulumi:providers:aws" and isinstance(inputs.get("region"), str):
            self.region = inputs["region"]
        computed = self._computed(args.typ, args.name, inputs)
        resource_id = computed.pop("id", None) or f"{args.name}-{_digest(args.typ, args.name)}"
        return resource_id, {**inputs, **computed, "id": resource_id}

    def _computed(self, typ: str, name: str, inputs: dict) -> dict[str, Any]:
        if not typ.startswith("aws:"):
            return {}
        service = typ.split(":")[1].split("/")[0]
        region, account = self.region, MOCK_ACCOUNT_ID
        given = inputs.get("name") or inputs.get("bucket") or name
        out: dict[str, Any] = {
            "arn": f"arn:aws:{service}:{region}:{account}:{service}/{given}",
            "name": given,
            "tagsAll": inputs.get("tags", {}),
        }
        if typ in NAMED_BY_ID:
            out["id"] = given  # these resources' ids are their names
        if typ == "aws:s3/bucket:Bucket":
            out |= {"arn": f"arn:aws:s3:::{given}", "bucket": given}
        elif typ == "aws:kms/key:Key":
            key_id = _uuid_like(name)
            out |= {"arn": f"arn:aws:kms:{region}:{account}:key/{key_id}", "keyId": key_id}
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            out["arn"] = f"arn:aws:logs:{region}:{account}:log-group:{given}"
        elif typ == "aws:iam/role:Role":
            out["arn"] = f"arn:aws:iam::{account}:role/{given}"
        elif typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            host = str(inputs.get("url", "")).removeprefix("https://")
            out["arn"] = f"arn:aws:iam::{account}:oidc-provider/{host}"
        elif typ == "aws:eks/cluster:Cluster":
            oidc_id = _digest(typ, name, length=32).upper()
            out |= {
                "arn": f"arn:aws:eks:{region}:{account}:cluster/{given}",
                "endpoint": f"https://{oidc_id}.gr7.{region}.eks.amazonaws.com",
                "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCm1vY2sK"},
                "identities": [
                    {"oidcs": [{"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{oidc_id}"}]}
                ],
                "status": "ACTIVE",
            }
        elif typ == "aws:eks/nodeGroup:NodeGroup":
            group = inputs.get("nodeGroupName") or _prefixed(inputs.get("nodeGroupNamePrefix"), name)
            out |= {
                "nodeGroupName": group,
                "arn": f"arn:aws:eks:{region}:{account}:nodegroup/{inputs.get('clusterName')}/{group}/{_uuid_like(group)}",
                "resources": [{"autoscalingGroups": [{"name": f"eks-{group}-{_uuid_like(name)}"}]}],
                "status": "ACTIVE",
            }
        elif typ == "aws:ec2/launchTemplate:LaunchTemplate":
            template = inputs.get("name") or _prefixed(inputs.get("namePrefix"), name)
            out |= {"latestVersion": 1, "defaultVersion": 1, "name": template}
        elif typ == "aws:cloudtrail/trail:Trail":
            out["arn"] = f"arn:aws:cloudtrail:{region}:{account}:trail/{given}"
        return out

    def call(self, args: mocks.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        token, inputs = args.token, dict(args.args)
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            account = MOCK_ACCOUNT_ID
            return {
                "accountId": account,
                "arn": f"arn:aws:iam::{account}:user/offline-plan",
                "userId": "AIDAOFFLINEPLAN",
                "id": account,
            }, []
        if token == "aws:index/getPartition:getPartition":
            return {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
                "id": "aws",
            }, []
        if token == "aws:index/getRegion:getRegion":
            region = inputs.get("region") or inputs.get("name") or self.region
            return {
                "name": region,
                "region": region,
                "id": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
            }, []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{suffix}" for suffix in "abc"]
            return {"names": names, "zoneIds": [f"use1-az{i}" for i in (1, 2, 3)], "id": self.region}, []
        if token == "aws:ec2/getSubnets:getSubnets":
            # An existing VPC's subnets in a zone: offline, the zones of the city's subnets are
            # unknown, so every subnet the filter names is taken to be there.
            given = [f.get("values", []) for f in inputs.get("filters", []) if f.get("name") == "subnet-id"]
            ids = sorted({i for values in given for i in values})
            return {"ids": ids, "id": self.region}, []
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            document = {"Version": "2012-10-17", "Statement": inputs.get("statements", [])}
            return {"json": json.dumps(document, sort_keys=True), "id": "policy"}, []
        return {}, []


def _prefixed(prefix: Any, name: str) -> str:
    """A name the provider makes from a prefix: the prefix and 26 characters (a UTC timestamp to
    1/10000 s and an 8-hex counter, terraform-plugin-sdk's `id.PrefixedUniqueId`); here digits
    from the resource's name, so the plan stays deterministic."""
    if not isinstance(prefix, str) or not prefix:
        return name
    digits = str(int(_digest("prefix", name, length=15), 16)).zfill(18)[:18]
    return f"{prefix}{digits}{_digest('counter', name)}"


def _digest(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:length]


def _uuid_like(name: str) -> str:
    h = hashlib.sha256(name.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
