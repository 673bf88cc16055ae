"""One module per sub-command: `add_parser(subparsers)` registers it, `run(args)` executes it."""
