"""What validation offers to choose from, in a module of its own so that a command line lists the choices
without importing the engines."""

ENGINES = ("fast", "pyshacl")
REPORT_FORMATS = ("text", "turtle", "json")
