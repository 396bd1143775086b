"""What `push` sends at most in one request: the setting the command line reads without importing the HTTP
stack (as changes/options and validation/options hold theirs)."""

MAX_PART_MIB = 16
# Measured with virtuoso-opensource-7: a Graph Store request whose body is 2 GiB or more, or sent in chunks,
# is answered "201 Created" and nothing of it is stored; a 1 GiB body ran 18 minutes under "many lock waits"
# without ending; bodies of 64 and 256 MiB failed with "SR172: Transaction deadlocked" (500, retried); the
# 338 MB dump of 100k records in 21 parts of 16 MiB went through in 16.5 s.
