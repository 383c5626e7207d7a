"""What plays Slack's side or stands the app up, for the tests, the local runner, the reliability harness and
the benchmarks: one copy of each, so that all of them send what Slack sends."""
