"""Command line: thin wrappers that parse arguments, call the stages and print."""
