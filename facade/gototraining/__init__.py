"""GoToTraining Python SDK.

::

    from gototraining import GoToTraining

    with GoToTraining(access_token="...", organizer_key="...") as client:
        key = client.trainings.create(name="Onboarding", times=[(start, end)], time_zone="Europe/Berlin")
        client.registrants.register(key, email="ada@example.com", given_name="Ada", surname="Lovelace")
"""

from . import _models
from ._auth import (
    DEFAULT_TOKEN_URL,
    BearerToken,
    OAuth2,
    OAuth2Token,
    exchange_authorization_code,
)
from ._builders.registrants import IfExists, Person, RegistrationOutcome, RegistrationResult
from ._builders.trainings import TimePair
from ._client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, AsyncGoToTraining, GoToTraining
from ._download import Progress
from ._errors import (
    STATUS_TO_ERROR,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    DecodeError,
    GoToTrainingError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
    UnexpectedRedirectError,
    ValidationError,
    WrongEventLoopError,
)
from ._models import *
from ._ratelimit import RateLimiter
from ._resource import Key
from ._retry import RetryPolicy
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOKEN_URL",
    "NOT_GIVEN",
    "STATUS_TO_ERROR",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncGoToTraining",
    "AuthenticationError",
    "BadRequestError",
    "BearerToken",
    "ClientClosedError",
    "ConflictError",
    "DecodeError",
    "GoToTraining",
    "GoToTrainingError",
    "IfExists",
    "Key",
    "NotFoundError",
    "NotGiven",
    "OAuth2",
    "OAuth2Token",
    "PermissionDeniedError",
    "Person",
    "Progress",
    "RateLimitError",
    "RateLimiter",
    "RegistrationOutcome",
    "RegistrationResult",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "TimePair",
    "TransportError",
    "UnexpectedRedirectError",
    "ValidationError",
    "WrongEventLoopError",
    "__version__",
    "exchange_authorization_code",
]
# Every model of the spec (generated, see openapi/facade.yaml), exported as it appears.
__all__ += _models.__all__
