// Knobs of the decision process (see path_comparator.h for the rules).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "core/ip.h"

namespace halink::bgp {

struct DecisionConfig {
  // RFC 4271 §9.1.2.2 (c) compares MED only between routes from the same
  // neighbouring AS; this compares it between all routes (FRR/Cisco
  // "always-compare-med").
  bool always_compare_med = false;
  // eBGP multipath normally requires the same neighbouring AS; with relax an
  // equal AS_PATH length suffices (FRR "bestpath as-path multipath-relax").
  // The article's design needs it when the two ISPs' paths come from
  // different ASes.
  bool multipath_relax = false;
  // How many equal paths are installed per prefix; 1 disables ECMP.
  uint16_t max_paths_ipv4 = 8;
  uint16_t max_paths_ipv6 = 8;
  // LOCAL_PREF assumed for a path that carries none (eBGP-learned, RFC 4271
  // §5.1.5 — the attribute is not sent over eBGP).
  uint32_t default_local_pref = 100;
  // RFC 4271 §9.1.2.2 (e) cost of the route to a path's NEXT_HOP; nullopt
  // means unresolvable, which excludes the path (§9.1.2 (1)). When unset,
  // every next hop costs 0: the directly connected eBGP neighbours over
  // tunnels that halink is made for.
  std::function<std::optional<uint32_t>(const IpAddress& next_hop)> igp_cost;

  uint16_t max_paths(Family family) const {
    const uint16_t n = family == Family::ipv4 ? max_paths_ipv4 : max_paths_ipv6;
    return n == 0 ? 1 : n;
  }
};

}  // namespace halink::bgp
