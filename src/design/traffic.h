// Where traffic goes in steady state: for every ordered pair of sites, the
// share of the traffic each tunnel carries, from the routing policy alone.
//
// Each router of the sending site picks among the routes it learns over its
// sessions to the receiving site's routers the way the BGP decision process
// does (RFC 4271 §9.1.2.2): highest LOCAL_PREF (import policy), then the
// shortest AS_PATH (the announcing side's export prepends), then the lowest
// MED; paths equal so far form the ECMP set, up to max_paths (a provider
// gateway: its profile's ECMP support). Traffic from the LAN is taken to be
// spread evenly over the site's routers that have a route (what ECMP or a
// balanced first hop on the LAN gives), and each router spreads its part
// evenly over its ECMP set (flow hashing, many flows).
//
// From the shares follow the article's traffic warnings: active/active over
// underlays of unequal bandwidth (the 1 Gbps + 250 Mbps case), standby
// tunnels (active/passive by prepend), replies arriving on tunnels a router
// does not send on (strict rp_filter drops them) and flows whose two
// directions cross different stateful devices.
#pragma once

#include <string>
#include <vector>

#include "config/topology.h"
#include "design/report.h"
#include "design/sessions.h"

namespace halink::design {

// What one router of the sending site chose towards the receiving site.
struct RouteChoice {
  std::string router;
  std::string from_site;
  std::string to_site;
  std::vector<std::string> candidate_tunnels;  // every tunnel it learned a route over
  std::vector<std::string> chosen_tunnels;     // its ECMP set
  uint32_t local_pref = 100;
  size_t as_path_length = 0;
};

struct TrafficAnalysis {
  std::vector<TunnelShare> shares;
  std::vector<RouteChoice> choices;
};

// Shares are also appended to report.traffic, findings to report.findings.
TrafficAnalysis analyse_traffic(const config::Topology& topology, const SessionMap& sessions, Report& report);

}  // namespace halink::design
