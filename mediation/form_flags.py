"""Flags a form field carries to the page for what its service checks: that it is required (the asterisk,
``required`` for screen readers) and the longest text accepted (``maxlength``).

Neither validates anything: the services do, and their refusals are put back on the fields.
"""


class Needed:
    """The field is required; the service says what is missing."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        pass


class MaxLength:
    """The browser accepts at most ``limit`` characters; the service refuses more (``text.parse_text``)."""

    def __init__(self, limit: int):
        self.field_flags = {"maxlength": limit}

    def __call__(self, form, field):
        pass
