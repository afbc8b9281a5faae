// What the speaker asks its driver (halinkd's runtime or the simulator) to
// do, in order. Drained with Speaker::take_actions() after every input.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "bgp/rib/peer.h"
#include "bgp/session/actions.h"
#include "fib/route.h"

namespace halink::bgp::speaker {

// Transport work for one neighbour's session (see bgp/session/actions.h).
struct SendBytes {
  PeerId peer = 0;
  ConnectionId connection = 0;
  std::vector<uint8_t> bytes;
};
struct Connect {
  PeerId peer = 0;
  ConnectionId connection = 0;
};
struct Close {
  PeerId peer = 0;
  ConnectionId connection = 0;
};

struct PeerUp {
  PeerId peer = 0;
  std::string text;  // negotiated summary, for the log
};
struct PeerDown {
  PeerId peer = 0;
  DownReason reason = DownReason::connection_closed;
  std::string text;
};

// A neighbour's next hop stopped being usable (its session went down):
// a forwarding table that shares next-hop groups between routes drops it
// everywhere in one step, before the per-prefix changes that follow
// (prefix-independent convergence).
struct NextHopDown {
  fib::NextHop next_hop;
};

// The forwarding state that changed: complete next-hop sets per prefix.
struct RouteChanges {
  std::vector<fib::RouteChange> changes;
};

enum class LogLevel : uint8_t { info, warning, error };
struct Log {
  LogLevel level = LogLevel::info;
  PeerId peer = 0;  // 0: the speaker itself
  std::string text;
};

}  // namespace halink::bgp::speaker

namespace halink::bgp {
using SpeakerAction = std::variant<speaker::SendBytes, speaker::Connect, speaker::Close, speaker::PeerUp,
                                   speaker::PeerDown, speaker::NextHopDown, speaker::RouteChanges, speaker::Log>;
}  // namespace halink::bgp
