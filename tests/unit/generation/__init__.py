"""The generation service: drafts, the local model, the planned answer's wording."""
