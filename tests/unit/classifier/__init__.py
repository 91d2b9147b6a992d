"""The classifier service: intents, the dialogue state, the embedding it computes once for retrieval."""
