"""The `ct` command line."""
