"""An offline model of the cluster a bundle deploys to: admission, references and order,
scheduling. See docs/architecture.md ("The cluster check")."""
