"""The inbox's one form."""

from wtforms import HiddenField

from mediation.web import OnceForm


class MarkAllReadForm(OnceForm):
    #: The newest notification the page showed: one that arrived after it stays unread.
    up_to = HiddenField()
