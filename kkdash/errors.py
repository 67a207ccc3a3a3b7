"""The exception family for input a person must fix; its message is Thai and names the thing."""


class InputError(ValueError):
    """A file, sheet, header row or registry that cannot be used as given."""


class SettingsError(InputError):
    """A setting is missing or malformed; the message is Thai, for the operator, and never quotes a secret."""
