"""The console service: its API, sign-in, restarts."""
