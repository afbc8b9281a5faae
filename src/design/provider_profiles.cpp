#include "design/provider_profiles.h"

namespace halink::design {

namespace {

IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return IpAddress::v4(a, b, c, d); }

ProviderProfile azure_vpn_gateway() {
  ProviderProfile p;
  p.profile = config::GatewayProfile::azure_vpn_gateway;
  p.display_name = "Azure VPN Gateway";
  // "The BGP keepalive timer is 60 seconds, and the hold timer is 180 seconds"
  // and the gateway does not negotiate them down: Azure VPN Gateway FAQ, BGP
  // section (https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq),
  // restated in "My First TechCommunity Post: Azure VPN Gateway BGP Timer
  // Mismatches" (Microsoft Tech Community, Azure Networking blog).
  p.keepalive = Duration::seconds(60);
  p.hold_time = Duration::seconds(180);
  p.timers_fixed = true;
  p.keepalive_min = p.keepalive_max = p.keepalive;
  // BFD is documented for ExpressRoute only ("Configure BFD over ExpressRoute",
  // https://learn.microsoft.com/azure/expressroute/expressroute-bfd); VPN
  // gateways do not answer BFD ("Do Azure VPN Gateways that leverage BGP
  // support BFD? ... No", blog.workinghardinit.work, Azure VPN Gateway).
  p.bfd_supported = false;
  // Active-active: "the traffic from your Azure virtual network to your
  // on-premises network is routed through both tunnels simultaneously ... For a
  // single TCP or UDP flow, Azure attempts to use the same tunnel": "Design
  // highly available gateway connectivity for cross-premises and VNet-to-VNet
  // connections" (https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-highlyavailable).
  p.ecmp_supported = true;
  // The connection's DPD timeout is a setting (dpdTimeoutSeconds in
  // "Microsoft.Network connections" ARM template reference); no default value
  // was confirmed from a public source, so it is not assumed here.
  p.dead_peer_detection = std::nullopt;
  // "ASNs reserved by Azure: Public ASNs: 8074, 8075, 12076; Private ASNs:
  // 65515, 65517, 65518, 65519, 65520" and IANA's 23456, 64496-64511,
  // 65535-65551: Azure VPN Gateway FAQ, "Which ASNs can I use?"
  // (MicrosoftDocs/azure-docs, articles/vpn-gateway, BGP FAQ include).
  p.reserved_peer_asns = {{8074, 8075}, {12076, 12076}, {65515, 65515}, {65517, 65520},
                          {23456, 23456}, {64496, 64511}, {65535, 65551}};
  // "Azure-reserved APIPA address range for VPN, which is from 169.254.21.0 to
  // 169.254.22.255": "How to connect AWS and Azure using a BGP-enabled VPN
  // gateway" (https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-aws-bgp).
  p.link_local_range_low = v4(169, 254, 21, 0);
  p.link_local_range_high = v4(169, 254, 22, 255);
  p.path_preference_note = "Azure honours AS-path prepend from the peer and lets its own side prepend per connection";
  return p;
}

ProviderProfile aws_site_to_site(config::GatewayProfile profile, bool ecmp) {
  ProviderProfile p;
  p.profile = profile;
  p.display_name = ecmp ? "AWS Transit Gateway (Site-to-Site VPN)" : "AWS Virtual Private Gateway (Site-to-Site VPN)";
  // The customer gateway configuration AWS generates for every VPN connection
  // sets "neighbor 169.254.x.1 timers 10 30 30" (keepalive 10 s, hold 30 s):
  // AWS Site-to-Site VPN User Guide, "Example: Generic customer gateway using
  // Border Gateway Protocol" (docs.aws.amazon.com/vpn/latest/s2svpn/).
  p.keepalive = Duration::seconds(10);
  p.hold_time = Duration::seconds(30);
  p.timers_fixed = true;
  p.keepalive_min = p.keepalive_max = p.keepalive;
  // The tunnel options of a Site-to-Site VPN (EC2 API reference,
  // VpnTunnelOptionsSpecification) have no BFD setting; AWS documents BFD for
  // Direct Connect only ("BGP-specific settings", AWS Direct Connect User Guide).
  p.bfd_supported = false;
  // "Only the transit gateway supports equal-cost multipath (ECMP) routing":
  // Google Cloud, "Connect HA VPN to AWS peer gateways"
  // (https://cloud.google.com/network-connectivity/docs/vpn/how-to/connect-ha-vpn-aws-peer-gateway);
  // TransitGatewayRequestOptions.VpnEcmpSupport: "Enabled by default"
  // (EC2 API reference).
  p.ecmp_supported = ecmp;
  // DPDTimeoutSeconds: "A value greater than or equal to 30. Default: 30"
  // (EC2 API reference, VpnTunnelOptionsSpecification; ModifyVpnTunnelOptions
  // documents 40 s: "the VPN endpoint will consider the peer dead 30 seconds
  // after the first failed keep-alive"). DPD timeout action "clear" (default)
  // takes the tunnel down and removes the routes ("AWS Site-to-Site VPN tunnel
  // initiation options").
  p.dead_peer_detection = Duration::seconds(30);
  // "Amazon EC2 supports all 2-byte ASN numbers in the range of 1 - 65534,
  // with the exception of 7224, which is reserved in the us-east-1 region, and
  // 9059, which is reserved in the eu-west-1 region" (EC2 API reference,
  // CreateCustomerGateway).
  p.reserved_peer_asns = {{7224, 7224}, {9059, 9059}};
  p.path_preference_note =
      "AWS prefers the tunnel whose routes carry the shorter AS path, then the lower MED, from the customer gateway";
  return p;
}

ProviderProfile gcp_ha_vpn() {
  ProviderProfile p;
  p.profile = config::GatewayProfile::gcp_ha_vpn;
  p.display_name = "Google Cloud HA VPN with Cloud Router";
  // RouterBgp.keepaliveInterval: "Hold time is three times the interval at
  // which keepalive messages are sent ... BGP will use the smaller of either
  // the local hold time value or the peer's hold time ... must be between 20
  // and 60. The default is 20." (Compute Engine API reference, routers
  // resource, https://cloud.google.com/compute/docs/reference/rest/v1/routers).
  p.keepalive = Duration::seconds(20);
  p.hold_time = Duration::seconds(60);
  p.timers_fixed = false;
  p.keepalive_min = Duration::seconds(20);
  p.keepalive_max = Duration::seconds(60);
  p.hold_per_keepalive = 3;
  // "BFD is not supported in BGP sessions that are configured for HA VPN
  // tunnels": Cloud Router, "Bidirectional Forwarding Detection (BFD)
  // overview", BFD limitations
  // (https://cloud.google.com/network-connectivity/docs/router/concepts/bfd).
  p.bfd_supported = false;
  // HA VPN with several tunnels and equal advertised priorities spreads
  // traffic over them ("Connect HA VPN to AWS peer gateways": "When enabled,
  // ECMP equally distributes traffic across active tunnels").
  p.ecmp_supported = true;
  p.dead_peer_detection = std::nullopt;
  p.path_preference_note =
      "Cloud Router expresses preference as the advertised route priority, sent to the peer as MED (bgpPeers.advertisedRoutePriority)";
  return p;
}

}  // namespace

const ProviderProfile* provider_profile(config::GatewayProfile profile) {
  static const ProviderProfile azure = azure_vpn_gateway();
  static const ProviderProfile vgw = aws_site_to_site(config::GatewayProfile::aws_vgw, false);
  static const ProviderProfile tgw = aws_site_to_site(config::GatewayProfile::aws_transit_gateway, true);
  static const ProviderProfile gcp = gcp_ha_vpn();
  switch (profile) {
    case config::GatewayProfile::none: return nullptr;
    case config::GatewayProfile::azure_vpn_gateway: return &azure;
    case config::GatewayProfile::aws_vgw: return &vgw;
    case config::GatewayProfile::aws_transit_gateway: return &tgw;
    case config::GatewayProfile::gcp_ha_vpn: return &gcp;
  }
  return nullptr;
}

const ProviderProfile* provider_profile_of(const config::RouterConfig& router) {
  return provider_profile(router.profile);
}

}  // namespace halink::design
