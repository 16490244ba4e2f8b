"""The one exception type for problems a user can fix."""


class UserError(Exception):
    """A problem the user can fix; the message is French, one line: what is wrong and what to do."""


class SkipFile(UserError):
    """A file that cannot be ingested; the batch goes on. The message is the French reason."""
