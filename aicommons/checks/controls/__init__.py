"""Control families: one module each (iam, pod, network, data, secrets, logging, supply, gpu, cost, availability)."""
