"""Command line: `base` (the group and shared options), one module per command group, `main` (the
entry point that registers them). This root imports nothing, so no command module imports another."""
