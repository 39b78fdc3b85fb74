"""One engine, three sources: controls run on a uniform resource model built from the
rendered bundle, the Pulumi plan, or the live deployment."""
