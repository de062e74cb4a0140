"""The mobile app's phones: register a push token after sign-in, delete it on sign-out."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field

from server.deps import Caller, RuntimeDep
from server.openapi_docs import AUTHENTICATED, problem_responses
from server.problems import ApiError
from server.schemas import Strict
from wiring.push import Devices

router = APIRouter(prefix="/v1/devices", tags=["devices"])

ERRORS = problem_responses(*AUTHENTICATED)
TOKEN_PATTERN = r"^[A-Za-z0-9_\-:\[\]\.]{8,200}$"
"""Expo push tokens (`ExponentPushToken[...]`) and native FCM / APNs tokens."""


class RegisterDevice(Strict):
    """A phone's push token."""

    token: str = Field(pattern=TOKEN_PATTERN, description="The push token the app was given.")
    platform: Literal["ios", "android", "web"] = Field(description="The phone's platform.")


class Device(BaseModel):
    """A registered phone."""

    token: str
    platform: str
    registered_at: float = Field(description="Epoch seconds of the latest registration.")


def _devices(runtime: RuntimeDep) -> Devices:
    if runtime.devices is None:
        raise ApiError(503, "devices_unavailable", "This server keeps no devices.")
    return runtime.devices


def _customer(caller: Caller) -> str:
    if caller.role != "customer" or not caller.customer_id:
        raise ApiError(403, "forbidden_role", "Only customers register phones.")
    return caller.customer_id


@router.post("", status_code=status.HTTP_201_CREATED, responses=ERRORS)
async def register_device(body: RegisterDevice, caller: Caller, runtime: RuntimeDep) -> Device:
    """Notify this phone when an agent replies or a reply waits for the customer's yes."""
    device = _devices(runtime).devices.register(_customer(caller), body.token, body.platform)
    return Device(token=device.token, platform=device.platform, registered_at=device.updated_at)


@router.get("", responses=ERRORS)
async def list_devices(caller: Caller, runtime: RuntimeDep) -> list[Device]:
    """The calling customer's registered phones."""
    found = _devices(runtime).devices.devices(_customer(caller))
    return [Device(token=d.token, platform=d.platform, registered_at=d.updated_at) for d in found]


@router.delete(
    "/{token}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**ERRORS, **problem_responses(404)},
)
async def delete_device(
    token: Annotated[str, Path(pattern=TOKEN_PATTERN)], caller: Caller, runtime: RuntimeDep
) -> Response:
    """Stop notifying this phone (the app calls it on sign-out)."""
    if not _devices(runtime).devices.unregister(_customer(caller), token):
        raise ApiError(404, "device_not_found", "No such device is registered to you.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
