"""Upstream Helm charts at their pinned versions: the local cache, verified by digest, and the pull.

- ``cache``: where archives live (``AICOMMONS_CHART_CACHE``), the lookup that verifies a digest.
- ``pull``: fetch a repository's index.yaml, then the archive; nothing lands unverified.
- ``vendor``: where ``render --vendor-charts`` takes the archives from.
"""
