"""What plays Slack's side, for the tests, the local runner, the reliability harness and the benchmarks: one
copy of each, so that all of them send what Slack sends. It sits below the local runner (``local``) and
imports nothing from it, so that what uses both never pulls the runner in through it."""
