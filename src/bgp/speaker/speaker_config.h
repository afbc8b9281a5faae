// What the speaker is told about itself and its neighbours: plain structs
// that halinkd and the simulator fill from the topology file (src/config).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/decision/decision_config.h"
#include "bgp/policy/policy.h"
#include "bgp/session/config.h"
#include "core/ip.h"

namespace halink::bgp {

struct NeighborSettings {
  std::string name;        // unique per speaker; how `halink neighbor NAME` finds it
  IpAddress address;       // the peer's session address (also the expected next hop)
  std::string interface;   // tunnel/interface the peer is reached through; FIB next hops use it
  SessionConfig session;   // local/remote AS, timers, capabilities
  NeighborPolicy policy;   // import/export, max-prefix
  // Our address on this session, used as NEXT_HOP towards the peer
  // (next-hop-self, RFC 4271 §5.1.3). Unset: learned from the connection.
  std::optional<IpAddress> local_address;
  // A next hop of the other family, for routes of that family sent over
  // this session (e.g. IPv6 routes over an IPv4 session, RFC 4760).
  std::optional<IpAddress> local_address_other_family;
  // iBGP: announce eBGP-learned routes with local_address as NEXT_HOP, so
  // the peer forwards to us rather than to a next hop it cannot reach (the
  // far end of our tunnel).
  bool next_hop_self = false;
  // Accept paths that contain our own AS up to this many times (RFC 4271
  // §9.1.2 loop detection otherwise ignores them).
  uint8_t allowas_in = 0;
  // Keep the routes as received so an import policy change can be applied
  // without asking the peer for a ROUTE-REFRESH.
  bool soft_reconfiguration_inbound = false;
  bool shutdown = false;  // configured administratively down
};

struct SpeakerConfig {
  uint32_t local_as = 0;
  uint32_t router_id = 0;            // host order
  std::vector<Prefix> networks;      // originated by this router
  DecisionConfig decision;
  // Whether anything installs the routes (halinkd --no-fib: no). Without a
  // forwarding table the speaker emits no RouteChanges or NextHopDown, so
  // no per-prefix next-hop lists are built and no planner runs: in a full
  // table load that was a quarter of halinkd's cycles (docs/PERFORMANCE.md).
  bool forwarding = true;
};

}  // namespace halink::bgp
