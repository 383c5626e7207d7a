"""Local development and test tooling: Azurite, a stand-in for Slack, and (later) a local Functions host.
Not deployed (see .funcignore)."""
