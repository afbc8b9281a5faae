// Which BGP neighbours of the topology are the two ends of one session.
//
// A neighbour on router R is matched with a neighbour on router P when each
// names the other: by tunnel (both name the same tunnel) or by address (R's
// neighbour address is one of P's addresses, and P's is one of R's: tunnel
// inside addresses, router_id, listen addresses, lan_address). A provider-managed gateway
// that lists no neighbours is taken to answer every session configured
// towards it (the provider builds its side from the connection), so its side
// is "implied" and follows the provider profile.
#pragma once

#include <string>
#include <vector>

#include "config/topology.h"

namespace halink::design {

struct SessionSide {
  const config::RouterConfig* router = nullptr;
  const config::Neighbor* neighbor = nullptr;  // nullptr: implied by a managed gateway

  bool implied() const { return neighbor == nullptr; }
  const std::string& router_name() const { return router->name; }
};

struct Session {
  std::string tunnel;  // empty when the session does not run over a tunnel of the topology
  SessionSide a;
  SessionSide b;

  bool shutdown() const;  // either end administratively down
  std::string describe() const;  // "r1-g1 over tunnel t1"
};

// A neighbour whose peer has no session back (or is outside the topology).
struct HalfSession {
  SessionSide side;
  std::string peer_router;  // empty when the address belongs to no router of the topology
  std::string tunnel;
};

struct SessionMap {
  std::vector<Session> sessions;
  std::vector<HalfSession> one_sided;  // the peer is in the topology but has no matching neighbour
  std::vector<HalfSession> external;   // the peer address is outside the topology

  // A session that is not shut down runs over `tunnel`.
  bool tunnel_carries_session(const std::string& tunnel) const;
  std::vector<const Session*> sessions_over(const std::string& tunnel) const;
};

// The result points into `topology`, which must outlive it.
SessionMap match_sessions(const config::Topology& topology);

}  // namespace halink::design
