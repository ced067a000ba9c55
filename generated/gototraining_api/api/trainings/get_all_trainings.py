from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.training import Training
from ...types import Response


def _get_kwargs(
    organizer_key: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organizers/{organizer_key}/trainings".format(
            organizer_key=quote(str(organizer_key), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | list[Training] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = Training.from_dict(response_200_item_data)

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
) -> Response[ErrorResponse | list[Training]]:
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
) -> Response[ErrorResponse | list[Training]]:
    """Get Trainings

     This call retrieves information on all scheduled trainings for a given organizer. The trainings are
    returned in the order in which they were created. Completed trainings are not included; ongoing
    trainings with past sessions are included along with the past sessions. If the organizer does not
    have any scheduled trainings, the response will be empty.

    Args:
        organizer_key (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | list[Training]]
    """

    kwargs = _get_kwargs(
        organizer_key=organizer_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organizer_key: int,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | list[Training] | None:
    """Get Trainings

     This call retrieves information on all scheduled trainings for a given organizer. The trainings are
    returned in the order in which they were created. Completed trainings are not included; ongoing
    trainings with past sessions are included along with the past sessions. If the organizer does not
    have any scheduled trainings, the response will be empty.

    Args:
        organizer_key (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | list[Training]
    """

    return sync_detailed(
        organizer_key=organizer_key,
        client=client,
    ).parsed


async def asyncio_detailed(
    organizer_key: int,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorResponse | list[Training]]:
    """Get Trainings

     This call retrieves information on all scheduled trainings for a given organizer. The trainings are
    returned in the order in which they were created. Completed trainings are not included; ongoing
    trainings with past sessions are included along with the past sessions. If the organizer does not
    have any scheduled trainings, the response will be empty.

    Args:
        organizer_key (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | list[Training]]
    """

    kwargs = _get_kwargs(
        organizer_key=organizer_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organizer_key: int,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | list[Training] | None:
    """Get Trainings

     This call retrieves information on all scheduled trainings for a given organizer. The trainings are
    returned in the order in which they were created. Completed trainings are not included; ongoing
    trainings with past sessions are included along with the past sessions. If the organizer does not
    have any scheduled trainings, the response will be empty.

    Args:
        organizer_key (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | list[Training]
    """

    return (
        await asyncio_detailed(
            organizer_key=organizer_key,
            client=client,
        )
    ).parsed
