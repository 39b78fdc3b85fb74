"""aicommons stacks: the Pulumi programs of a city's AI Commons.

- `infra` (AWS): network, EKS cluster, node pools, IAM roles for service accounts, encrypted
  buckets, audit trail, budget.
- `platform` (every target): namespaces, default-deny policies, storage classes, Helm releases.

The programs depend only on Pulumi and its providers (not on aicommons), so a rendered bundle
runs with plain `pulumi up` and can be forked. `main.main()` picks the program by stack name.
"""
