"""The error hierarchy. Lower layers raise these; the CLI turns them into a message and exit 2."""

__all__ = [
    "BaselineError",
    "ConfigError",
    "CredentialsError",
    "DataError",
    "DataUnavailableError",
    "NNBenchError",
    "ResultFileError",
    "UnknownNameError",
]


class NNBenchError(Exception):
    """Base class of every error nnbench raises on purpose."""


class UnknownNameError(NNBenchError, KeyError):
    """A model or dataset name that no registry knows."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ConfigError(NNBenchError):
    """A suite file, flag or parameter that cannot be used as given."""


class DataError(NNBenchError):
    """A dataset that is malformed, corrupted or fails validation."""


class DataUnavailableError(DataError):
    """A dataset that no source could provide."""


class ResultFileError(NNBenchError):
    """A result file that is missing, unreadable or of an unknown schema."""


class CredentialsError(NNBenchError):
    """Credentials (an API key, a login, a token) that are missing or that a service refused."""


class BaselineError(NNBenchError):
    """A baseline file that is unreadable or of another schema, or runs it cannot be made from."""
