"""`python -m migration_lod` runs the command line."""

from migration_lod.cli import main

main()
