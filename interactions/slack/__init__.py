"""Slack: the only code that checks Slack's signatures, formats Block Kit or calls Slack."""
