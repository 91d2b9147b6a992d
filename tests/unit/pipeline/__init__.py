"""Several stages together: their gRPC faces, fail-closed delivery, the public edges, tenant scoping."""
