from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.date_time_range import DateTimeRange
from ...models.error_response import ErrorResponse
from ...models.session import Session
from ...types import Response


def _get_kwargs(
    organizer_key: int,
    *,
    body: DateTimeRange,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/reports/organizers/{organizer_key}/sessions".format(
            organizer_key=quote(str(organizer_key), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | list[Session] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = Session.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[ErrorResponse | list[Session]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    organizer_key: int,
    *,
    client: AuthenticatedClient | Client,
    body: DateTimeRange,
) -> Response[ErrorResponse | list[Session]]:
    """Get Sessions by Date Range

     This call returns all session details over a given date range for a given organizer. A session is a
    completed training event.

    Args:
        organizer_key (int):
        body (DateTimeRange): A pair of DateTime values, the first of which serves as a start time
            and the second as an end time of an interval

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | list[Session]]
    """

    kwargs = _get_kwargs(
        organizer_key=organizer_key,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organizer_key: int,
    *,
    client: AuthenticatedClient | Client,
    body: DateTimeRange,
) -> ErrorResponse | list[Session] | None:
    """Get Sessions by Date Range

     This call returns all session details over a given date range for a given organizer. A session is a
    completed training event.

    Args:
        organizer_key (int):
        body (DateTimeRange): A pair of DateTime values, the first of which serves as a start time
            and the second as an end time of an interval

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | list[Session]
    """

    return sync_detailed(
        organizer_key=organizer_key,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    organizer_key: int,
    *,
    client: AuthenticatedClient | Client,
    body: DateTimeRange,
) -> Response[ErrorResponse | list[Session]]:
    """Get Sessions by Date Range

     This call returns all session details over a given date range for a given organizer. A session is a
    completed training event.

    Args:
        organizer_key (int):
        body (DateTimeRange): A pair of DateTime values, the first of which serves as a start time
            and the second as an end time of an interval

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | list[Session]]
    """

    kwargs = _get_kwargs(
        organizer_key=organizer_key,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organizer_key: int,
    *,
    client: AuthenticatedClient | Client,
    body: DateTimeRange,
) -> ErrorResponse | list[Session] | None:
    """Get Sessions by Date Range

     This call returns all session details over a given date range for a given organizer. A session is a
    completed training event.

    Args:
        organizer_key (int):
        body (DateTimeRange): A pair of DateTime values, the first of which serves as a start time
            and the second as an end time of an interval

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | list[Session]
    """

    return (
        await asyncio_detailed(
            organizer_key=organizer_key,
            client=client,
            body=body,
        )
    ).parsed
