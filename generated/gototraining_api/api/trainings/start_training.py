from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.host_url import HostUrl
from ...types import Response


def _get_kwargs(
    training_key: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/trainings/{training_key}/start".format(
            training_key=quote(str(training_key), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | HostUrl | None:
    if response.status_code == 200:
        response_200 = HostUrl.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = ErrorResponse.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = ErrorResponse.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | HostUrl]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    training_key: int,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorResponse | HostUrl]:
    """Start Training

     Returns a URL that can be used to start a training. When this URL is opened in a web browser, the
    GoToTraining client will be downloaded and launched and the training will start. A login of the
    organizer is not required.

    Args:
        training_key (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | HostUrl]
    """

    kwargs = _get_kwargs(
        training_key=training_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    training_key: int,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | HostUrl | None:
    """Start Training

     Returns a URL that can be used to start a training. When this URL is opened in a web browser, the
    GoToTraining client will be downloaded and launched and the training will start. A login of the
    organizer is not required.

    Args:
        training_key (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | HostUrl
    """

    return sync_detailed(
        training_key=training_key,
        client=client,
    ).parsed


async def asyncio_detailed(
    training_key: int,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorResponse | HostUrl]:
    """Start Training

     Returns a URL that can be used to start a training. When this URL is opened in a web browser, the
    GoToTraining client will be downloaded and launched and the training will start. A login of the
    organizer is not required.

    Args:
        training_key (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | HostUrl]
    """

    kwargs = _get_kwargs(
        training_key=training_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    training_key: int,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | HostUrl | None:
    """Start Training

     Returns a URL that can be used to start a training. When this URL is opened in a web browser, the
    GoToTraining client will be downloaded and launched and the training will start. A login of the
    organizer is not required.

    Args:
        training_key (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | HostUrl
    """

    return (
        await asyncio_detailed(
            training_key=training_key,
            client=client,
        )
    ).parsed
