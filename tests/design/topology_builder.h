// Topology files for the design tests, written as YAML and read by the real
// loader: the article's 2 + 2 design and its variants.
#pragma once

#include <string>

#include "config/topology.h"

namespace halink::design::test {

struct DesignSpec {
  // false: active/active, 4 tunnels (r1's over isp1, r2's over isp2, both 1 Gbit/s).
  // true: the article's active/passive, 8 tunnels: every router pair over
  // isp1 (1 Gbit/s) and over isp2 (250 Mbit/s).
  bool active_passive = false;
  bool single_isp = false;          // every tunnel over isp1, the only underlay
  bool prepend_isp2_cloud = true;   // active/passive: the cloud side prepends on its isp2 sessions
  bool prepend_isp2_onprem = true;  // ... and the on-prem side on its own
  bool single_firewall = false;     // one firewall between the on-prem LAN and r1, r2
  std::string cloud_profile;        // "" : g1, g2 are halinkd routers; else e.g. "azure-vpn-gateway"
  bool cloud_neighbors = true;      // false: managed gateways list no neighbours
  // Extra keys for the neighbor_defaults of each side, one "key: value" per line.
  std::string onprem_neighbor_keys;
  std::string cloud_neighbor_keys;
  // Extra YAML appended to r1's / fw1's section (e.g. static_routes), indented by the caller.
  std::string r1_extra;
  std::string firewall_extra;
  std::string g2_skip_tunnel;  // a tunnel g2 has no neighbour for (a one-sided session)
  // The routers of each site (not managed gateways) hold an iBGP session
  // over the LAN (lan_address 10.X.0.N), with next_hop_self as given.
  bool site_pairs = false;
  bool site_pairs_next_hop_self = true;
};

std::string design_yaml(const DesignSpec& spec);
config::Topology load_design(const DesignSpec& spec);
config::Topology load_yaml(const std::string& yaml);

}  // namespace halink::design::test
