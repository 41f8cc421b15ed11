// The demo topology of examples/hub_spoke (the emulator's `demo` seed), in TypeScript
// against the `azure-peering` package. The SDK in ./sdks/azure-peering is generated from plugin/schema.json (see
// README.md); the provider plugin pulumi-resource-azure-peering does the work.
import * as peering from "./sdks/azure-peering";

const connectivity =
    "/subscriptions/361de6c3-799a-41e4-8381-fc64ef7a8afb/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks";
const landingZone =
    "/subscriptions/6c95aa64-db25-4975-ba88-29cd57894580/resourceGroups/rg-spokes/providers/Microsoft.Network/virtualNetworks";

const spokes: Record<string, peering.types.input.SpokeArgs> = {
    identity: { vnetId: `${connectivity}/vnet-identity` },
    payments: { vnetId: `${landingZone}/vnet-payments`, useHubGateway: true },
    web: { vnetId: `${landingZone}/vnet-web`, useHubGateway: true },
    analytics: { vnetId: `${landingZone}/vnet-analytics`, link: "subnets", localSubnetNames: ["app"], hubSubnetNames: ["shared"] },
};

const hub = new peering.HubSpokePeering("hub", { hubVnetId: `${connectivity}/vnet-hub`, spokes });

export const peerings = hub.peerings;
