from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.training_req_create import TrainingReqCreate
from ...types import Response


def _get_kwargs(
    organizer_key: int,
    *,
    body: TrainingReqCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/organizers/{organizer_key}/trainings".format(
            organizer_key=quote(str(organizer_key), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | str | None:
    if response.status_code == 201:
        response_201 = cast(str, response.json())
        return response_201

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
) -> Response[ErrorResponse | str]:
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
    body: TrainingReqCreate,
) -> Response[ErrorResponse | str]:
    """Create Training

     Schedules a training of one or more sessions. The call requires a training's name, at least one
    start and end time, and optionally may include additional sessions, a description, additional
    organizers (presenters), and registration settings. You can only add organizers to a training if you
    have a multi-user account. Once a training has been created with this method, you can accept
    registrations to the training. Registration is for the entire training - all sessions. (The
    GoToTraining admin site enables you to create trainings that allow participants to register for
    individual sessions as well as automatically create weekly or monthly events.) Registration settings
    controls whether you allow web registration for this training, and whether a confirmation email is
    sent to the registrant following registration. Disabling the confirmation email is an API-only
    setting. If the user registers through the GoToTraining website, a confirmation email is sent. If
    the user is manually approved by the training administrator through the GoToTraining web site, the
    confirmation email is sent. It is recommended that you disable web registration if you disable
    confirmation emails. The response contains a trainingKey for the scheduled training.

    Args:
        organizer_key (int):
        body (TrainingReqCreate): Describes the details used to create a new training.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | str]
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
    body: TrainingReqCreate,
) -> ErrorResponse | str | None:
    """Create Training

     Schedules a training of one or more sessions. The call requires a training's name, at least one
    start and end time, and optionally may include additional sessions, a description, additional
    organizers (presenters), and registration settings. You can only add organizers to a training if you
    have a multi-user account. Once a training has been created with this method, you can accept
    registrations to the training. Registration is for the entire training - all sessions. (The
    GoToTraining admin site enables you to create trainings that allow participants to register for
    individual sessions as well as automatically create weekly or monthly events.) Registration settings
    controls whether you allow web registration for this training, and whether a confirmation email is
    sent to the registrant following registration. Disabling the confirmation email is an API-only
    setting. If the user registers through the GoToTraining website, a confirmation email is sent. If
    the user is manually approved by the training administrator through the GoToTraining web site, the
    confirmation email is sent. It is recommended that you disable web registration if you disable
    confirmation emails. The response contains a trainingKey for the scheduled training.

    Args:
        organizer_key (int):
        body (TrainingReqCreate): Describes the details used to create a new training.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | str
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
    body: TrainingReqCreate,
) -> Response[ErrorResponse | str]:
    """Create Training

     Schedules a training of one or more sessions. The call requires a training's name, at least one
    start and end time, and optionally may include additional sessions, a description, additional
    organizers (presenters), and registration settings. You can only add organizers to a training if you
    have a multi-user account. Once a training has been created with this method, you can accept
    registrations to the training. Registration is for the entire training - all sessions. (The
    GoToTraining admin site enables you to create trainings that allow participants to register for
    individual sessions as well as automatically create weekly or monthly events.) Registration settings
    controls whether you allow web registration for this training, and whether a confirmation email is
    sent to the registrant following registration. Disabling the confirmation email is an API-only
    setting. If the user registers through the GoToTraining website, a confirmation email is sent. If
    the user is manually approved by the training administrator through the GoToTraining web site, the
    confirmation email is sent. It is recommended that you disable web registration if you disable
    confirmation emails. The response contains a trainingKey for the scheduled training.

    Args:
        organizer_key (int):
        body (TrainingReqCreate): Describes the details used to create a new training.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | str]
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
    body: TrainingReqCreate,
) -> ErrorResponse | str | None:
    """Create Training

     Schedules a training of one or more sessions. The call requires a training's name, at least one
    start and end time, and optionally may include additional sessions, a description, additional
    organizers (presenters), and registration settings. You can only add organizers to a training if you
    have a multi-user account. Once a training has been created with this method, you can accept
    registrations to the training. Registration is for the entire training - all sessions. (The
    GoToTraining admin site enables you to create trainings that allow participants to register for
    individual sessions as well as automatically create weekly or monthly events.) Registration settings
    controls whether you allow web registration for this training, and whether a confirmation email is
    sent to the registrant following registration. Disabling the confirmation email is an API-only
    setting. If the user registers through the GoToTraining website, a confirmation email is sent. If
    the user is manually approved by the training administrator through the GoToTraining web site, the
    confirmation email is sent. It is recommended that you disable web registration if you disable
    confirmation emails. The response contains a trainingKey for the scheduled training.

    Args:
        organizer_key (int):
        body (TrainingReqCreate): Describes the details used to create a new training.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | str
    """

    return (
        await asyncio_detailed(
            organizer_key=organizer_key,
            client=client,
            body=body,
        )
    ).parsed
