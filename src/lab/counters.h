// Per-tunnel traffic from the tunnel interfaces' own counters (what
// `ip -s link` shows), for each direction between the two sites.
//
// The share of a tunnel in a direction is the packets its sending end
// transmitted in an interval over all tunnels' packets in that direction;
// it includes the tunnel's BGP and BFD packets (a few per second), so a
// tunnel that carries no data still shows a share slightly above zero.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "lab/lab.h"

namespace halink::lab {

struct TunnelCounters {
  // Indexed like the tunnel's ends: packets/bytes that end transmitted.
  std::array<uint64_t, 2> tx_packets{};
  std::array<uint64_t, 2> tx_bytes{};
};

// tunnel name → counters; a tunnel whose interface is gone (a crashed
// tunnel process) reads as zero.
Result<std::map<std::string, TunnelCounters>> read_tunnel_counters(const Lab& lab);

struct TunnelShare {
  std::string tunnel;
  std::string from_site;  // the sending end's site
  std::string to_site;
  uint64_t packets = 0;
  double share = 0;  // of all packets sent from from_site to to_site over tunnels
};

// Shares between two readings; one entry per tunnel and direction.
std::vector<TunnelShare> tunnel_shares(const Lab& lab, const std::map<std::string, TunnelCounters>& before,
                                       const std::map<std::string, TunnelCounters>& after);

}  // namespace halink::lab
