// What `halink lab up` builds for a topology, as plain data.
//
// The plan is a pure function of the topology file: namespaces, veth links
// with their addresses, bridges, WireGuard instances, routes and sysctls.
// The builder (lab.h) only carries it out, so every naming and addressing
// decision here is testable without root.
//
// Layout (one namespace each, named "hl-LAB-NODE"):
//   host  --lan0-- [site LAN bridge "hl-LAB-lan-SITE"] --lan0-- router
//   router --UNDERLAY-- [ISP bridge "hl-LAB-isp-UNDERLAY"] --UNDERLAY-- router
//   router ==WireGuard (interface named as the file says)== router
// Each router's ISP link is shaped to the underlay's bandwidth (tc tbf) in
// both directions. Underlay addresses are 100.64.K.N/24 (RFC 6598 shared
// space, never a real destination), K the underlay's index.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/topology.h"
#include "core/result.h"

namespace halink::lab {

enum class NamespaceRole : uint8_t { router, host, lan, isp };
const char* namespace_role_name(NamespaceRole role);

struct NamespacePlan {
  std::string name;       // "hl-active-active-r1"
  std::string node;       // "r1", "onprem" (site of a LAN), "isp1"
  NamespaceRole role = NamespaceRole::router;
  std::vector<std::string> sysctls;  // "net.ipv4.ip_forward=1", ...
};

// A veth pair; the `a` end is on the node, the `b` end a bridge port.
struct VethPlan {
  std::string a_namespace, a_interface;
  std::optional<config::InterfaceAddress> a_address;
  std::string b_namespace, b_interface;  // enslaved to b_bridge
  std::string b_bridge;
  uint64_t rate_bps = 0;  // tc tbf on both ends; 0: not shaped
  std::string underlay;   // the ISP this link reaches, or empty for a LAN
};

struct WireGuardEnd {
  std::string router;
  std::string namespace_name;
  std::string instance;   // wireguard-go's name, unique on the machine: "hl1a2bt0a"
  std::string interface;  // the name the file gives it: "r1-g1"
  config::InterfaceAddress address;
  uint16_t listen_port = 0;
  IpAddress underlay_address;  // this router's address on the tunnel's ISP
};

struct TunnelPlan {
  std::string name;
  std::string underlay;
  uint32_t mtu = 0;
  std::array<WireGuardEnd, 2> ends;
};

// A route a host needs towards the other sites: ECMP over its site's routers.
struct RoutePlan {
  std::string namespace_name;
  Prefix prefix;
  std::vector<IpAddress> gateways;
  std::string interface;
};

struct DaemonPlan {
  std::string router;
  std::string namespace_name;
  config::DaemonKind kind = config::DaemonKind::halinkd;
};

struct HostPlan {
  std::string name;
  std::string site;
  std::string namespace_name;
  IpAddress address;
};

struct LabPlan {
  std::string lab;  // the topology's name, made safe for file and namespace names
  std::vector<NamespacePlan> namespaces;
  std::vector<std::string> bridges;  // namespace of each bridge; the bridge is "br0" in it
  std::vector<VethPlan> links;
  std::vector<TunnelPlan> tunnels;
  std::vector<RoutePlan> routes;
  std::vector<DaemonPlan> daemons;
  std::vector<HostPlan> hosts;
  std::map<std::string, IpAddress> router_lan_address;  // router name → its LAN address

  const NamespacePlan* find_namespace_of(const std::string& node) const;
  const TunnelPlan* find_tunnel(const std::string& name) const;
  const HostPlan* find_host(const std::string& name) const;
};

constexpr const char* lab_bridge_name = "br0";
constexpr const char* lab_lan_interface = "lan0";
constexpr uint16_t lab_first_wireguard_port = 51820;

// The namespace of `node` in lab `lab`: "hl-LAB-NODE".
std::string lab_namespace_name(const std::string& lab, const std::string& node);

// An Error names what the lab cannot build yet (devices on the data path,
// hosts without an address in their site, more than 250 nodes on a LAN).
Result<LabPlan> plan_lab(const config::Topology& topology);

}  // namespace halink::lab
