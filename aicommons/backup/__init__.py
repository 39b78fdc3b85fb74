"""Backups of the Commons' stateful stores and the restore of one user's home.

`model` and `planner` are pure: they decide what a restore creates from the recovery points a
provider lists. `hub` is the hub side (the KubeSpawner hook that mounts a user's restored volume).
`aws` and `kube` are the imperative shell: AWS Backup and the Kubernetes API.
"""
