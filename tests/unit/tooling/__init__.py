"""The CLI, benchmarks' load generators, the model kit, the Helm chart and images, and checks on the repository."""
