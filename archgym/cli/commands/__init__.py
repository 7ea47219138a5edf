"""One module per ``archgym`` subcommand; each defines ``register(subparsers)``."""
