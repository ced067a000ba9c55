"""GoToTraining Python SDK.

```python
from gototraining import GoToTraining

with GoToTraining(access_token="...", organizer_key="...") as client:
    key = client.trainings.create(name="Onboarding", times=[(start, end)], time_zone="Europe/Berlin")
    client.registrants.register(key, email="ada@example.com", given_name="Ada", surname="Lovelace")
```
"""

from typing import TYPE_CHECKING, Any

from ._auth import (
    DEFAULT_AUTHORIZE_URL,
    DEFAULT_TOKEN_URL,
    AuthorizationURL,
    BearerToken,
    OAuth2,
    OAuth2Token,
    async_exchange_authorization_code,
    authorization_url,
    exchange_authorization_code,
)
from ._builders.registrants import (
    IfExists,
    IfInvalid,
    InvalidPeopleError,
    Person,
    PersonField,
    RegistrationOutcome,
    RegistrationResult,
)
from ._builders.registrants import person_field as validate_person_field
from ._builders.trainings import TimePair
from ._client import DEFAULT_BASE_URL, DEFAULT_RATE_LIMIT, DEFAULT_TIMEOUT
from ._credentials import Credentials, resolve_credentials
from ._download import Progress
from ._drift import Deviation, DriftKind, UnknownValue
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
    DriftWarning,
    GoToTrainingError,
    MissingFieldError,
    NotFoundError,
    PermissionDeniedError,
    QueueTimeoutError,
    RateLimitError,
    RateLimitStoreError,
    ResponseTooLargeError,
    ServerError,
    TokenResponseError,
    TokenSaveError,
    TransportError,
    UnexpectedRedirectError,
    ValidationError,
    WrongEventLoopError,
)
from ._files import atomic_write
from ._generated import models as _models
from ._generated.gototraining import GoToTraining
from ._generated.models import *
from ._gototraining import AsyncGoToTraining
from ._logs import show_logs, show_logs_from_env
from ._options import ClientOptions
from ._people_csv import PersonRow, read_people_csv
from ._ratelimit import RateLimiter, SharedRateLimiter
from ._resource import Key, RawResponse
from ._retry import RetryPolicy
from ._types import NOT_GIVEN, NotGiven
from ._validation import key as validate_key
from ._version import __version__

if TYPE_CHECKING:
    from ._default_client import DefaultAsyncHttpxClient
    from ._generated.default_client import DefaultHttpxClient

__all__ = [
    "DEFAULT_AUTHORIZE_URL",
    "DEFAULT_BASE_URL",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOKEN_URL",
    "NOT_GIVEN",
    "STATUS_TO_ERROR",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncGoToTraining",
    "AuthenticationError",
    "AuthorizationURL",
    "BadRequestError",
    "BearerToken",
    "ClientClosedError",
    "ClientOptions",
    "ConflictError",
    "Credentials",
    "DecodeError",
    "DefaultAsyncHttpxClient",
    "DefaultHttpxClient",
    "Deviation",
    "DriftKind",
    "DriftWarning",
    "GoToTraining",
    "GoToTrainingError",
    "IfExists",
    "IfInvalid",
    "InvalidPeopleError",
    "Key",
    "MissingFieldError",
    "NotFoundError",
    "NotGiven",
    "OAuth2",
    "OAuth2Token",
    "PermissionDeniedError",
    "Person",
    "PersonField",
    "PersonRow",
    "Progress",
    "QueueTimeoutError",
    "RateLimitError",
    "RateLimitStoreError",
    "RateLimiter",
    "RawResponse",
    "RegistrationOutcome",
    "RegistrationResult",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "SharedRateLimiter",
    "TimePair",
    "TokenResponseError",
    "TokenSaveError",
    "TransportError",
    "UnexpectedRedirectError",
    "UnknownValue",
    "ValidationError",
    "WrongEventLoopError",
    "__version__",
    "async_exchange_authorization_code",
    "atomic_write",
    "authorization_url",
    "exchange_authorization_code",
    "read_people_csv",
    "resolve_credentials",
    "show_logs",
    "validate_key",
    "validate_person_field",
]
# Every model of the spec (generated, see openapi/facade.yaml), exported as it appears.
__all__ += _models.__all__

# Tracebacks name an exception by its ``__module__``: the module users import it from, not
# the private one defining it (pickle finds it here too). Only exceptions (and warnings):
# ``typing.get_type_hints`` resolves a class's postponed annotations in its ``__module__``.
for _name in __all__:
    _value = globals().get(_name)
    if isinstance(_value, type) and issubclass(_value, BaseException):
        _value.__module__ = __name__
del _name, _value

show_logs_from_env()  # GOTO_LOG=debug|info: the request lines on stderr, no code needed

#: Exported names imported when first used: ``import gototraining`` is a measured cost, and
#: these are needed only with the first client made (which imports them itself).
_LAZY = {
    "DefaultHttpxClient": "._generated.default_client",
    "DefaultAsyncHttpxClient": "._default_client",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gototraining' has no attribute {name!r}")
