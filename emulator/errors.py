"""ARM errors: one factory per error code, all returning :class:`ArmError`.

Messages follow the shapes the real service returns (docs/emulator.md lists each rule and its source). Codes whose real
value is not documented are guesses; every guess is listed in :data:`GUESSED_CODES` so it can be corrected in one
place, and docs/emulator.md repeats the list.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

ARM_PUBLIC_AUDIENCES = (
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
)

# Codes the reference material does not name: plausible ARM-style values, to be corrected when a real one is known.
GUESSED_CODES: dict[str, str] = {
    "RemotePeeringDoesNotAllowGatewayTransit": "useRemoteGateways while the remote side's peering is missing or "
    "has allowGatewayTransit=false",
    "OnlyOnePeeringCanUseRemoteGateways": "a second peering of one vnet with useRemoteGateways=true",
    "CannotUseRemoteGatewaysWhenVnetHasGateway": "useRemoteGateways on a vnet that has its own gateway",
    "CannotPeerVirtualNetworkWithItself": "remoteVirtualNetwork is the peering's own vnet",
    "VirtualNetworkPeeringLimitReached": "more than 500 peerings on one vnet",
    "SubnetNotFoundForSubnetPeering": "localSubnetNames/remoteSubnetNames names a subnet the vnet does not have",
    "SubnetPeeringRequiresSubnetNames": "peerCompleteVnets=false without subnet names or address prefixes",
    "PeeredAddressPrefixNotInVnet": "localAddressSpace/remoteAddressSpace prefix outside the vnet (prefix peering)",
    "RemoteVirtualNetworkRequired": "peering PUT without properties.remoteVirtualNetwork.id",
    "NetcfgSubnetRangesOverlap": "two subnets of one vnet overlap",
    "InvalidAddressPrefixFormat": "an address prefix that is not CIDR at all",
    "InvalidGatewaySubnet": "a gateway ipConfiguration whose subnet is not named GatewaySubnet",
    "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet (on vnet PUT)": "the real code for peering PUT, reused when a "
    "vnet's new address space overlaps a vnet it is peered with",
    "SubscriptionNotRegisteredForFeature (whose subscription)": "the code is real (subnet peering without "
    "Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets); that the subscription checked is the local vnet's "
    "(the one the peering is written in), not the remote's, and that every PUT of a subnet peering is checked, "
    "updates included, are guesses",
    "FeatureNotFound": "GET of a Microsoft.Features feature the emulator does not know",
    "TooManyAuxiliaryTokens": "more than 3 tokens in x-ms-authorization-auxiliary",
    "OperationNotFound": "unknown operation id on the operations endpoints",
    "ServiceUnavailable": "injected 503",
}


class ArmError(Exception):
    """An ARM error response: HTTP status plus a CloudError body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        details: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = [dict(d) for d in details]
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The CloudError body."""
        return {"error": self.error_object()}

    def error_object(self) -> dict[str, Any]:
        """The inner error object (also used in failed async operation results). ``target`` only when there is
        one (ARM omits it rather than sending null); ``details`` always, as a list."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target is not None:
            error["target"] = self.target
        error["details"] = [dict(d) for d in self.details]
        return error


def _utc(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.UTC).strftime("%m/%d/%Y %H:%M:%S")


# --- authentication (ARM front door) ---------------------------------------------------------------------------


def _bearer_challenge(authority: str, tenant: str | None, error: str, description: str) -> dict[str, str]:
    uri = f"{authority}/{tenant}" if tenant else authority
    return {"WWW-Authenticate": f'Bearer authorization_uri="{uri}", error="{error}", error_description="{description}"'}


def authentication_failed_missing(authority: str) -> ArmError:
    return ArmError(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing.",
        headers=_bearer_challenge(authority, None, "invalid_token", "The authentication failed"),
    )


def authentication_failed_format(authority: str) -> ArmError:
    return ArmError(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        headers=_bearer_challenge(authority, None, "invalid_token", "The authentication failed"),
    )


def invalid_authentication_token(authority: str, reason: str = "") -> ArmError:
    message = "The access token is invalid." if not reason else f"The access token is invalid. {reason}"
    return ArmError(
        401,
        "InvalidAuthenticationToken",
        message,
        headers=_bearer_challenge(authority, None, "invalid_token", "The access token is invalid"),
    )


def invalid_authentication_token_audience(authority: str, audience: str) -> ArmError:
    allowed = ",".join(f"'{a}'" for a in ARM_PUBLIC_AUDIENCES)
    return ArmError(
        401,
        "InvalidAuthenticationToken",
        f"The access token has been obtained for wrong audience or resource '{audience}'. It should exactly match "
        f"with one of the allowed audiences {allowed}.",
        headers=_bearer_challenge(authority, None, "invalid_token", "The access token is invalid"),
    )


def expired_authentication_token(authority: str, expiry: float, now: float) -> ArmError:
    return ArmError(
        401,
        "ExpiredAuthenticationToken",
        f"The access token expiry UTC time '{_utc(expiry)}' is earlier than current UTC time '{_utc(now)}'.",
        headers=_bearer_challenge(authority, None, "invalid_token", "The access token has expired"),
    )


def invalid_authentication_token_tenant(authority: str, token_tenant: str, subscription_tenant: str) -> ArmError:
    return ArmError(
        401,
        "InvalidAuthenticationTokenTenant",
        f"The access token is from the wrong issuer 'https://sts.windows.net/{token_tenant}/'. It must match the "
        f"tenant 'https://sts.windows.net/{subscription_tenant}/' associated with this subscription. Please use "
        f"the authority (URL) '{authority}/{subscription_tenant}' to get the token. Note, if the subscription is "
        "transferred to another tenant there is no impact to the services, but information about new tenant could "
        "take time to propagate (up to an hour). If you just transferred your subscription and see this error "
        "message, please try back later.",
        headers=_bearer_challenge(
            authority, subscription_tenant, "invalid_token", "The access token is from the wrong issuer"
        ),
    )


def linked_authorization_failed(scope: str, tenant_id: str, linked_subscription: str) -> ArmError:
    return ArmError(
        403,
        "LinkedAuthorizationFailed",
        "The client has permission to perform action 'Microsoft.Network/virtualNetworks/peer/action' on scope "
        f"'{scope}', however the current tenant '{tenant_id}' is not authorized to access linked subscription "
        f"'{linked_subscription}'.",
    )


def authorization_failed(client_id: str, object_id: str, action: str, scope: str) -> ArmError:
    """An identity without the RBAC action on a scope (the code and text as ARM answers them, e.g. in
    Azure/ARO-RP#66)."""
    return ArmError(
        403,
        "AuthorizationFailed",
        f"The client '{client_id}' with object id '{object_id}' does not have authorization to perform action "
        f"'{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh "
        "your credentials.",
    )


def too_many_auxiliary_tokens(count: int) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "TooManyAuxiliaryTokens",
        f"The request has {count} auxiliary tokens in header 'x-ms-authorization-auxiliary'; at most 3 are allowed.",
    )


# --- request shape -----------------------------------------------------------------------------------------------


def missing_api_version() -> ArmError:
    return ArmError(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
    )


def invalid_api_version(version: str, supported: Sequence[str]) -> ArmError:
    return ArmError(
        400,
        "InvalidApiVersionParameter",
        f"The api-version '{version}' is invalid. The supported versions are '{','.join(supported)}'.",
    )


def invalid_resource_type(resource_type: str, api_version: str) -> ArmError:
    return ArmError(
        404,
        "InvalidResourceType",
        f"The resource type '{resource_type}' could not be found in the namespace 'Microsoft.Network' for api "
        f"version '{api_version}'.",
    )


def method_not_allowed(method: str) -> ArmError:
    return ArmError(405, "HttpMethodNotAllowed", f"The requested HTTP method '{method}' is not supported.")


def invalid_request_content(detail: str) -> ArmError:
    return ArmError(
        400,
        "InvalidRequestContent",
        f"The request content was invalid and could not be deserialized: '{detail}'.",
    )


def invalid_request_format(path: str, detail: str) -> ArmError:
    return ArmError(
        400,
        "InvalidRequestFormat",
        "Cannot parse the request.",
        details=[{"code": "InvalidJson", "message": f"{detail} Path '{path}'."}],
    )


def location_required() -> ArmError:
    return ArmError(400, "LocationRequired", "The location property is required for this definition.")


def invalid_resource_location(name: str, existing: str, requested: str, resource_group: str) -> ArmError:
    return ArmError(
        400,
        "InvalidResourceLocation",
        f"The resource '{name}' already exists in location '{existing}' in resource group '{resource_group}'. A "
        f"resource with the same name cannot be created in location '{requested}'. Please select a new resource "
        "name.",
    )


def linked_invalid_property_id(value: str, path: str) -> ArmError:
    return ArmError(
        400,
        "LinkedInvalidPropertyId",
        f"Property id '{value}' at path '{path}' is invalid. Expect fully qualified resource Id that start with "
        "'/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.",
    )


def precondition_failed() -> ArmError:
    return ArmError(412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met.")


# --- not found ---------------------------------------------------------------------------------------------------


def subscription_not_found(subscription_id: str) -> ArmError:
    return ArmError(404, "SubscriptionNotFound", f"The subscription '{subscription_id}' could not be found.")


def resource_group_not_found(name: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")


def resource_not_found(resource_type: str, name: str, resource_group: str) -> ArmError:
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{resource_type}/{name}' under resource group '{resource_group}' was not found. For more "
        "details please go to https://aka.ms/ARMResourceNotFoundFix",
    )


def parent_resource_not_found(action: str, child_type: str, parent_id: str) -> ArmError:
    return ArmError(
        404,
        "ParentResourceNotFound",
        f"Failed to perform '{action}' on resource(s) of type '{child_type}', because the parent resource "
        f"'{parent_id}' could not be found.",
    )


def child_not_found(resource_id: str) -> ArmError:
    """A missing child resource (peering, subnet) of an existing vnet: the network RP answers plain NotFound."""
    return ArmError(404, "NotFound", f"Resource {resource_id} not found.")


def operation_not_found(operation_id: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(404, "OperationNotFound", f"Operation {operation_id} was not found.")


# --- references and provisioning ---------------------------------------------------------------------------------


def invalid_global_resource_reference(referenced: str, referencing: str) -> ArmError:
    return ArmError(
        400,
        "InvalidGlobalResourceReference",
        f"Resource {referenced} referenced by resource {referencing} was not found. Please make sure that the "
        "referenced resource exists.",
    )


def invalid_resource_reference(referenced: str, referencing: str) -> ArmError:
    return ArmError(
        400,
        "InvalidResourceReference",
        f"Resource {referenced} referenced by resource {referencing} was not found. Please make sure that the "
        "referenced resource exists, and that both resources are in the same region.",
    )


def referenced_resource_not_provisioned(referenced: str, referencing: str, state: str, operation: str) -> ArmError:
    return ArmError(
        400,
        "ReferencedResourceNotProvisioned",
        f"Cannot proceed with operation because resource {referenced} used by resource {referencing} is not in "
        f"Succeeded state. Resource is in {state} state and the last operation that updated/is updating the "
        f"resource is {operation}.",
    )


def another_operation_in_progress(operation_url: str) -> ArmError:
    return ArmError(
        409,
        "AnotherOperationInProgress",
        "Another operation on this or dependent resource is in progress. To retrieve status of the operation use "
        f"uri: {operation_url}.",
    )


# --- virtual networks and gateways --------------------------------------------------------------------------------


def invalid_address_prefix_format(prefix: str, resource_id: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400, "InvalidAddressPrefixFormat", f"Address prefix {prefix} in resource {resource_id} has an invalid format."
    )


def invalid_cidr_notation(prefix: str, resource_id: str, expected: str) -> ArmError:
    return ArmError(
        400,
        "InvalidCIDRNotation",
        f"The address prefix {prefix} in resource {resource_id} has an invalid CIDR notation. For the given prefix "
        f"length, the address prefix should be {expected}.",
    )


def subnet_range_outside_vnet(subnet_id: str, prefix: str, vnet_id: str, vnet_prefixes: Sequence[str]) -> ArmError:
    return ArmError(
        400,
        "NetcfgSubnetRangeOutsideVnet",
        f"Subnet '{subnet_id}' is not valid because its IP address range {prefix} is outside the IP address range "
        f"{', '.join(vnet_prefixes)} of virtual network '{vnet_id}'.",
    )


def subnet_ranges_overlap(subnet_a: str, subnet_b: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "NetcfgSubnetRangesOverlap",
        f"Subnet '{subnet_a}' is not valid because its IP address range overlaps with that of an existing subnet "
        f"'{subnet_b}' in the virtual network.",
    )


def in_use_subnet_cannot_be_deleted(subnet_id: str, user_id: str) -> ArmError:
    return ArmError(
        400,
        "InUseSubnetCannotBeDeleted",
        f"Subnet {subnet_id} is in use by {user_id} and cannot be deleted. In order to delete the subnet, delete "
        "all the resources within the subnet. See aka.ms/deletesubnet.",
    )


def invalid_gateway_subnet(subnet_id: str, gateway_id: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "InvalidGatewaySubnet",
        f"Subnet {subnet_id} referenced by virtual network gateway {gateway_id} must be named 'GatewaySubnet'.",
    )


def vnet_update_overlaps_peered_vnet(vnet_id: str, other_id: str, prefixes: Sequence[str]) -> ArmError:
    # real code, but its use on a vnet PUT is a guess: see GUESSED_CODES
    return ArmError(
        400,
        "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
        f"Cannot update virtual network {vnet_id} because its address space overlaps with the address space of "
        f"virtual network {other_id} it is peered with. Overlapping address prefixes: {', '.join(prefixes)}",
    )


# --- peerings ----------------------------------------------------------------------------------------------------


def remote_virtual_network_required(peering_id: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "RemoteVirtualNetworkRequired",
        f"Peering {peering_id} must reference a remote virtual network (properties.remoteVirtualNetwork.id).",
        target="properties.remoteVirtualNetwork",
    )


def remote_peering_is_disconnected(peering_id: str, remote_peering_id: str, vnet_id: str) -> ArmError:
    return ArmError(
        400,
        "RemotePeeringIsDisconnected",
        f"Cannot create or update peering {peering_id} because remote peering {remote_peering_id} referencing "
        f"parent virtual network {vnet_id} is in Disconnected state. Update or re-create the remote peering to get "
        "it back to Initiated state. Peering gets Disconnected when remote vnet or remote peering is deleted and "
        "re-created.",
    )


def vnet_address_spaces_overlap(peering_id: str, vnet_id: str, remote_id: str, prefixes: Sequence[str]) -> ArmError:
    return ArmError(
        400,
        "VnetAddressSpacesOverlap",
        f"Cannot create or update peering {peering_id}. Virtual networks {vnet_id} and {remote_id} cannot be "
        f"peered because their address spaces overlap. Overlapping address prefixes: {', '.join(prefixes)}",
    )


def vnet_address_space_overlaps_with_already_peered_vnet(
    peering_id: str, vnet_id: str, other_id: str, peered_with: str, prefixes: Sequence[str]
) -> ArmError:
    return ArmError(
        400,
        "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
        f"Cannot create or update peering {peering_id}. Address space of virtual network {vnet_id} overlaps with "
        f"address space of virtual network {other_id} already peered with virtual network {peered_with}. "
        f"Overlapping address prefixes: {', '.join(prefixes)}",
    )


def remote_vnet_has_no_gateways(peering_id: str, remote_id: str) -> ArmError:
    return ArmError(
        400,
        "RemoteVnetHasNoGateways",
        f"Peering {peering_id} cannot have UseRemoteGateway flag set to true because remote virtual network "
        f"{remote_id} referenced by the peering does not have any gateways.",
    )


def remote_peering_does_not_allow_gateway_transit(peering_id: str, remote_id: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "RemotePeeringDoesNotAllowGatewayTransit",
        # The text real ARM answers (reported in hashicorp/terraform#20298, without its code), also when the remote
        # side's peering does not exist yet (what real Azure says then is not known).
        "Peering-to-Gateway cannot have UseRemoteGateways flag set to true, because corresponding remote peering has "
        f"AllowGatewayTransit flag set to false. (peering {peering_id}, remote virtual network {remote_id})",
    )


def only_one_peering_can_use_remote_gateways(peering_id: str, other_id: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "OnlyOnePeeringCanUseRemoteGateways",
        f"Peering {peering_id} cannot have UseRemoteGateway flag set to true because peering {other_id} of the same "
        "virtual network already uses remote gateways. Only one peering can have this flag set to true.",
    )


def cannot_use_remote_gateways_when_vnet_has_gateway(peering_id: str, vnet_id: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "CannotUseRemoteGatewaysWhenVnetHasGateway",
        f"Peering {peering_id} cannot have UseRemoteGateway flag set to true because virtual network {vnet_id} "
        "already has a gateway.",
    )


def changing_remote_virtual_network_not_allowed(peering_id: str, current: str, requested: str) -> ArmError:
    return ArmError(
        400,
        "ChangingRemoteVirtualNetworkNotAllowed",
        f"Changing remote virtual network of peering {peering_id} from {current} to {requested} is not allowed. "
        "Delete the peering and create a new one.",
    )


def another_peering_already_references_remote_vnet(peering_id: str, other_id: str, remote_id: str) -> ArmError:
    return ArmError(
        400,
        "AnotherPeeringAlreadyReferencesRemoteVnet",
        f"Cannot create or update peering {peering_id} because another peering {other_id} of the same virtual "
        f"network already references remote virtual network {remote_id}.",
    )


def cannot_peer_with_itself(peering_id: str, vnet_id: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "CannotPeerVirtualNetworkWithItself",
        f"Peering {peering_id} cannot reference its own virtual network {vnet_id} as the remote virtual network.",
    )


def peering_limit_reached(peering_id: str, vnet_id: str, limit: int) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "VirtualNetworkPeeringLimitReached",
        f"Cannot create peering {peering_id} because virtual network {vnet_id} already has the maximum number of "
        f"peerings ({limit}).",
    )


def subnet_not_found_for_subnet_peering(peering_id: str, vnet_id: str, names: Sequence[str]) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "SubnetNotFoundForSubnetPeering",
        f"Peering {peering_id} references subnets {', '.join(names)} that do not exist in virtual network {vnet_id}.",
    )


def subnet_peering_requires_subnet_names(peering_id: str, side: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "SubnetPeeringRequiresSubnetNames",
        f"Peering {peering_id} has peerCompleteVnets set to false but names no {side} subnets or address prefixes.",
    )


def peered_prefix_not_in_vnet(peering_id: str, vnet_id: str, prefix: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        400,
        "PeeredAddressPrefixNotInVnet",
        f"Address prefix {prefix} of peering {peering_id} is not within the address space of virtual network "
        f"{vnet_id}.",
    )


# --- subscription features (Microsoft.Features) ---------------------------------------------------------------


def subscription_not_registered_for_feature(subscription_id: str, feature: str) -> ArmError:
    # real code and text; which subscription is checked is a guess: see GUESSED_CODES
    return ArmError(
        400,
        "SubscriptionNotRegisteredForFeature",
        f"Subscription {subscription_id} is not registered for feature {feature} required to carry out the "
        "requested operation.",
    )


def feature_not_found(feature: str) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(404, "FeatureNotFound", f"The feature '{feature}' could not be found.")


# --- injected faults -----------------------------------------------------------------------------------------------


def too_many_requests(retry_after: int, operation: str) -> ArmError:
    return ArmError(
        429,
        "TooManyRequests",
        f"The request is being throttled as the limit has been reached for operation type - {operation}. Please "
        f"retry after {retry_after} seconds.",
        headers={"Retry-After": str(retry_after)},
    )


def internal_server_error(request_id: str) -> ArmError:
    return ArmError(
        500,
        "InternalServerError",
        f"An error occurred while processing the request. Tracking id '{request_id}'.",
    )


def service_unavailable(retry_after: int) -> ArmError:
    # code unknown: see GUESSED_CODES
    return ArmError(
        503,
        "ServiceUnavailable",
        "The service is temporarily unavailable. Please retry the request.",
        headers={"Retry-After": str(retry_after)},
    )


def operation_failed_internally() -> ArmError:
    """What an injected lro_fail ends with (the network RP's generic failure)."""
    return ArmError(500, "InternalServerError", "An error occurred.")
