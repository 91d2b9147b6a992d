"""The retrieval service: the knowledge base, eligibility, the answer planner, the cache."""
