"""One exception type for every mistake a user can fix.

The command line turns a `CTError` into one line on stderr and exit code 2; anything else is a
bug and keeps its traceback.
"""


class CTError(Exception):
    """A problem with the user's input, settings or home folder, explained in one sentence."""
