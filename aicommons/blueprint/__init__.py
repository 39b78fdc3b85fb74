"""The governance blueprint (blueprints/*.yaml): controls, bounds and the standards inventory."""
