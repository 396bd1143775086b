"""What a change set can be written as, in a module of its own so that a command line lists the choices
without importing the diff."""

CHANGE_FORMATS = ("md", "html", "json", "ttl")  # Markdown and HTML for people, JSON, Changeset Turtle
