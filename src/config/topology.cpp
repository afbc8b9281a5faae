#include "config/topology.h"

#include <algorithm>

namespace halink::config {

const char* bfd_auth_type_name(BfdAuthType t) {
  switch (t) {
    case BfdAuthType::simple_password: return "simple-password";
    case BfdAuthType::keyed_md5: return "keyed-md5";
    case BfdAuthType::meticulous_keyed_md5: return "meticulous-keyed-md5";
    case BfdAuthType::keyed_sha1: return "keyed-sha1";
    case BfdAuthType::meticulous_keyed_sha1: return "meticulous-keyed-sha1";
  }
  return "?";
}

const char* bgp_family_name(BgpFamily f) {
  return f == BgpFamily::ipv4_unicast ? "ipv4" : "ipv6";
}

const char* daemon_kind_name(DaemonKind d) {
  switch (d) {
    case DaemonKind::halinkd: return "halinkd";
    case DaemonKind::bird: return "bird";
    case DaemonKind::frr: return "frr";
  }
  return "?";
}

const char* gateway_profile_name(GatewayProfile p) {
  switch (p) {
    case GatewayProfile::none: return "none";
    case GatewayProfile::azure_vpn_gateway: return "azure-vpn-gateway";
    case GatewayProfile::aws_vgw: return "aws-vgw";
    case GatewayProfile::aws_transit_gateway: return "aws-transit-gateway";
    case GatewayProfile::gcp_ha_vpn: return "gcp-ha-vpn";
  }
  return "?";
}

const char* node_kind_name(NodeKind k) {
  switch (k) {
    case NodeKind::router: return "router";
    case NodeKind::device: return "device";
    case NodeKind::host: return "host";
    case NodeKind::tunnel: return "tunnel";
  }
  return "?";
}

const char* tunnel_kind_name(TunnelKind k) {
  switch (k) {
    case TunnelKind::wireguard: return "wireguard";
    case TunnelKind::ipsec: return "ipsec";
    case TunnelKind::circuit: return "circuit";
  }
  return "?";
}

const char* device_kind_name(DeviceKind k) {
  switch (k) {
    case DeviceKind::firewall: return "firewall";
    case DeviceKind::nat: return "nat";
    case DeviceKind::load_balancer: return "load-balancer";
    case DeviceKind::switch_: return "switch";
  }
  return "?";
}

bool Neighbor::has_family(BgpFamily f) const {
  return std::find(families.begin(), families.end(), f) != families.end();
}

namespace {
template <class T>
const T* find_named(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items)
    if (item.name == name) return &item;
  return nullptr;
}
}  // namespace

const Neighbor* RouterConfig::find_neighbor(const std::string& neighbor_name) const {
  return find_named(neighbors, neighbor_name);
}

const TunnelEnd* Tunnel::end_at(const std::string& router) const {
  if (ends[0].router == router) return &ends[0];
  if (ends[1].router == router) return &ends[1];
  return nullptr;
}

const TunnelEnd* Tunnel::other_end(const std::string& router) const {
  if (ends[0].router == router) return &ends[1];
  if (ends[1].router == router) return &ends[0];
  return nullptr;
}

const Site* Topology::find_site(const std::string& n) const { return find_named(sites, n); }
const Underlay* Topology::find_underlay(const std::string& n) const { return find_named(underlays, n); }
const RouterConfig* Topology::find_router(const std::string& n) const { return find_named(routers, n); }
const Tunnel* Topology::find_tunnel(const std::string& n) const { return find_named(tunnels, n); }
const Device* Topology::find_device(const std::string& n) const { return find_named(devices, n); }
const Host* Topology::find_host(const std::string& n) const { return find_named(hosts, n); }

}  // namespace halink::config
