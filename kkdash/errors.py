"""The one exception family for input a person must fix; its message is Thai and names the thing."""


class InputError(ValueError):
    """A file, sheet, header row or registry that cannot be used as given."""
