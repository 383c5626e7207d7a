"""Local development and test tooling: Azurite, stand-ins for Slack and for Azure's managed-identity endpoint,
and a local Functions host. Not deployed (see .funcignore)."""
