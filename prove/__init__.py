"""``make prove``: the reliability harness. It drives the local host on Azurite as Slack would, under load,
faults and bad input, then checks that nothing was lost, duplicated or leaked, and prints the figures.
Local tooling, not deployed (see .funcignore)."""
