"""Deploy, destroy and inspect a city's stacks with Pulumi's Automation API.

The decisions are pure and live in small modules: `events` (what the engine's event stream
says will or did change), `guard` (which changes touch stateful or protected resources),
`rules` (stack order, confirmation), `record` (the ledger entry). The engine itself sits
behind the `engine.Engine` protocol; `automation` is the one implementation that drives the
`pulumi` CLI. The flows (`deploy_flow`, `destroy_flow`, `status`) are the imperative shell.
"""
