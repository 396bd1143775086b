"""What `push` sends at most in one request: the setting the command line reads without importing the HTTP
stack (as changes/options and validation/options hold theirs)."""

MAX_PART_MIB = 1024
# Virtuoso answers "201 Created" to a Graph Store request whose body is 2 GiB or more, or sent in chunks, and
# stores nothing of it (measured with virtuoso-opensource-7 on a 3.4 GB dump): a dump larger than a part is
# sent in parts.
