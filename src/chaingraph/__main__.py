"""``python -m chaingraph``."""

from chaingraph.cli import main

main()
