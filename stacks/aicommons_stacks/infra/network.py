"""The network: a VPC with a public and a private subnet per zone and one NAT gateway per zone.

Nodes and the control plane's network interfaces live in the private subnets; the public
subnets hold only the NAT gateways and internet-facing load balancers. One NAT per zone keeps
a zone's outage from cutting the others off. With `existing_vpc_id` nothing is created and the
given private subnets are used.
"""

from __future__ import annotations

import ipaddress
import math

import pulumi
import pulumi_aws as aws

from aicommons_stacks.args import ArgsError, InfraArgs
from aicommons_stacks.common import child


def subnet_cidrs(vpc_cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """Split the VPC range: large private subnets (pods take VPC addresses), small public ones.

    The range is cut into 2^k blocks with 2^k > zones; the first `zones` blocks are private and
    the last block is cut again into one public subnet per zone.
    """
    network = ipaddress.ip_network(vpc_cidr)
    bits = max(1, math.ceil(math.log2(zones + 1)))
    blocks = list(network.subnets(prefixlen_diff=bits))
    public_bits = max(1, math.ceil(math.log2(zones)))
    public = list(blocks[-1].subnets(prefixlen_diff=public_bits))[:zones]
    return [str(b) for b in blocks[:zones]], [str(b) for b in public]


class Network(pulumi.ComponentResource):
    """VPC, subnets, gateways and routes (or the ids of an existing VPC)."""

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    # zone -> its private subnet (a new VPC; an existing VPC's subnets are looked up by zone)
    private_subnet_by_zone: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: InfraArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aicommons:infra:Network", name, None, opts)
        if args.existing_vpc_id:
            if not args.private_subnet_ids:
                raise ArgsError("private_subnet_ids: required with existing_vpc_id")
            self.vpc_id = pulumi.Output.from_input(args.existing_vpc_id)
            self.private_subnet_ids = pulumi.Output.from_input(list(args.private_subnet_ids))
            self.private_subnet_by_zone = {}
            self._existing = list(args.private_subnet_ids)
        else:
            self._create(name, args)
        self.register_outputs({"vpcId": self.vpc_id, "privateSubnetIds": self.private_subnet_ids})

    def _create(self, name: str, args: InfraArgs) -> None:
        if not args.zones:
            raise ArgsError("zones: at least one availability zone is needed for a new VPC")
        cluster = args.cluster_name
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": cluster},
            opts=child(self),
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags={"Name": cluster}, opts=child(self))
        public_routes = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags={"Name": f"{cluster}-public"},
            opts=child(self),
        )
        private_cidrs, public_cidrs = subnet_cidrs(args.vpc_cidr, len(args.zones))
        cluster_tag = {f"kubernetes.io/cluster/{cluster}": "shared"}
        private_ids = []
        self.private_subnet_by_zone = {}
        for zone, private_cidr, public_cidr in zip(args.zones, private_cidrs, public_cidrs, strict=True):
            public = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=vpc.id,
                availability_zone=zone,
                cidr_block=public_cidr,
                map_public_ip_on_launch=False,
                tags={"Name": f"{cluster}-public-{zone}", "kubernetes.io/role/elb": "1", **cluster_tag},
                opts=child(self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}",
                subnet_id=public.id,
                route_table_id=public_routes.id,
                opts=child(self),
            )
            eip = aws.ec2.Eip(
                f"{name}-nat-{zone}", domain="vpc", tags={"Name": f"{cluster}-nat-{zone}"}, opts=child(self)
            )
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                allocation_id=eip.id,
                subnet_id=public.id,
                tags={"Name": f"{cluster}-nat-{zone}"},
                opts=child(self, depends_on=[igw]),
            )
            private = aws.ec2.Subnet(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                availability_zone=zone,
                cidr_block=private_cidr,
                tags={
                    "Name": f"{cluster}-private-{zone}",
                    "kubernetes.io/role/internal-elb": "1",
                    **cluster_tag,
                },
                opts=child(self),
            )
            routes = aws.ec2.RouteTable(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
                tags={"Name": f"{cluster}-private-{zone}"},
                opts=child(self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}", subnet_id=private.id, route_table_id=routes.id, opts=child(self)
            )
            private_ids.append(private.id)
            self.private_subnet_by_zone[zone] = private.id
        self.vpc_id = vpc.id
        self.private_subnet_ids = pulumi.Output.all(*private_ids).apply(list)

    def subnets_in(self, zones: list[str], where: str) -> pulumi.Output[list[str]]:
        """The private subnets of these zones (all of them when `zones` is empty)."""
        if not zones:
            return self.private_subnet_ids
        if self.private_subnet_by_zone:
            unknown = sorted(set(zones) - set(self.private_subnet_by_zone))
            if unknown:
                raise ArgsError(f"{where}.zones: {unknown} are not among the cluster's zones")
            return pulumi.Output.all(*(self.private_subnet_by_zone[z] for z in zones)).apply(list)
        # An existing VPC: ask EC2 which of the given subnets lie in these zones.
        found = aws.ec2.get_subnets_output(
            filters=[
                aws.ec2.GetSubnetsFilterArgs(name="subnet-id", values=self._existing),
                aws.ec2.GetSubnetsFilterArgs(name="availability-zone", values=list(zones)),
            ],
            opts=pulumi.InvokeOptions(parent=self),
        )
        return found.ids.apply(lambda ids: _some(sorted(ids), zones, where))


def _some(ids: list[str], zones: list[str], where: str) -> list[str]:
    if not ids:
        raise ArgsError(f"{where}: none of private_subnet_ids lies in {zones}; give a private subnet there")
    return ids
