from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.training_organizers import TrainingOrganizers
from ...types import Response


def _get_kwargs(
    organizer_key: int,
    training_key: int,
    *,
    body: TrainingOrganizers,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/organizers/{organizer_key}/trainings/{training_key}/organizers".format(
            organizer_key=quote(str(organizer_key), safe=""),
            training_key=quote(str(training_key), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorResponse | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
) -> Response[Any | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    organizer_key: int,
    training_key: int,
    *,
    client: AuthenticatedClient | Client,
    body: TrainingOrganizers,
) -> Response[Any | ErrorResponse]:
    """Update Training Organizers

     Replaces the co-organizers for a specific training. The scheduling organizer cannot be unassigned.
    Organizers will be notified via email if the notifyOrganizers parameter is set to true. Replaced
    organizers are not notified. This method is only applicable to multi-user accounts with sharing
    enabled (co-organizers).

    Args:
        organizer_key (int):
        training_key (int):
        body (TrainingOrganizers): Details required to update the list of organizers for a
            training.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse]
    """

    kwargs = _get_kwargs(
        organizer_key=organizer_key,
        training_key=training_key,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organizer_key: int,
    training_key: int,
    *,
    client: AuthenticatedClient | Client,
    body: TrainingOrganizers,
) -> Any | ErrorResponse | None:
    """Update Training Organizers

     Replaces the co-organizers for a specific training. The scheduling organizer cannot be unassigned.
    Organizers will be notified via email if the notifyOrganizers parameter is set to true. Replaced
    organizers are not notified. This method is only applicable to multi-user accounts with sharing
    enabled (co-organizers).

    Args:
        organizer_key (int):
        training_key (int):
        body (TrainingOrganizers): Details required to update the list of organizers for a
            training.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse
    """

    return sync_detailed(
        organizer_key=organizer_key,
        training_key=training_key,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    organizer_key: int,
    training_key: int,
    *,
    client: AuthenticatedClient | Client,
    body: TrainingOrganizers,
) -> Response[Any | ErrorResponse]:
    """Update Training Organizers

     Replaces the co-organizers for a specific training. The scheduling organizer cannot be unassigned.
    Organizers will be notified via email if the notifyOrganizers parameter is set to true. Replaced
    organizers are not notified. This method is only applicable to multi-user accounts with sharing
    enabled (co-organizers).

    Args:
        organizer_key (int):
        training_key (int):
        body (TrainingOrganizers): Details required to update the list of organizers for a
            training.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse]
    """

    kwargs = _get_kwargs(
        organizer_key=organizer_key,
        training_key=training_key,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organizer_key: int,
    training_key: int,
    *,
    client: AuthenticatedClient | Client,
    body: TrainingOrganizers,
) -> Any | ErrorResponse | None:
    """Update Training Organizers

     Replaces the co-organizers for a specific training. The scheduling organizer cannot be unassigned.
    Organizers will be notified via email if the notifyOrganizers parameter is set to true. Replaced
    organizers are not notified. This method is only applicable to multi-user accounts with sharing
    enabled (co-organizers).

    Args:
        organizer_key (int):
        training_key (int):
        body (TrainingOrganizers): Details required to update the list of organizers for a
            training.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse
    """

    return (
        await asyncio_detailed(
            organizer_key=organizer_key,
            training_key=training_key,
            client=client,
            body=body,
        )
    ).parsed
