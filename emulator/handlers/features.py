"""Subscription features (Microsoft.Features): GET one, list, and register / unregister.

Routes under ``/subscriptions/{s}/providers/Microsoft.Features``: ``features`` (every feature, GET),
``providers/{namespace}/features`` (GET), ``providers/{namespace}/features/{name}`` (GET) and
``providers/{namespace}/features/{name}/register`` / ``unregister`` (POST). Real registration takes minutes
(``Registering``) and needs ``az provider register`` afterwards; here it takes effect at once.
"""

from __future__ import annotations

from .. import errors
from ..http import Response
from ..models.features import REGISTERED, UNREGISTERED, parse_feature
from .common import ArmContext, paged


def _feature_name(ctx: ArmContext) -> str:
    return parse_feature(f"{ctx.params['namespace']}/{ctx.params['feature']}")


def get(ctx: ArmContext) -> Response:
    feature = _feature_name(ctx)
    found = ctx.emu.network.feature(ctx.subscription_id, feature)
    if found is None:
        raise errors.feature_not_found(ctx.params["feature"])
    return Response(200, found.to_wire())


def list_in_namespace(ctx: ArmContext) -> Response:
    found = ctx.emu.network.features(ctx.subscription_id, ctx.params["namespace"])
    return paged(ctx, [f.to_wire() for f in found])


def list_all(ctx: ArmContext) -> Response:
    return paged(ctx, [f.to_wire() for f in ctx.emu.network.features(ctx.subscription_id)])


def _set(ctx: ArmContext, state: str) -> Response:
    feature = _feature_name(ctx)
    if ctx.emu.network.feature(ctx.subscription_id, feature) is None:
        raise errors.feature_not_found(ctx.params["feature"])
    return Response(200, ctx.emu.network.set_feature(ctx.subscription_id, feature, state).to_wire())


def register(ctx: ArmContext) -> Response:
    return _set(ctx, REGISTERED)


def unregister(ctx: ArmContext) -> Response:
    return _set(ctx, UNREGISTERED)
