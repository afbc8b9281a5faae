// One neighbour's received routes waiting for the decision process.
//
// Why a queue (ARCHITECTURE.md "Liveness never waits for route processing"):
// the session decodes every message the moment its bytes arrive, so the hold
// timer is restarted and keepalives go out on time (RFC 4271 §4.4), but the
// work a received UPDATE causes (policy, Adj-RIB-In, decision, FIB, export)
// waits here and is done in bounded slices by Speaker::process_pending(), the
// way OpenBGPD's session engine hands UPDATEs to its RDE. The driver stops
// reading a neighbour's socket while its queue is long, so memory stays
// bounded and TCP flow control slows the sender down.
//
// A session that goes down drops its queued UPDATEs; the withdrawal of what
// it announced is the decision process's (begin_peer_withdrawal retires the
// paths at once, withdraw_peer_slice removes them in slices).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "bgp/session/actions.h"
#include "core/ip.h"

namespace halink::bgp {

class RouteInbox {
public:
  // The work one UPDATE costs, in prefixes (at least 1: an End-of-RIB
  // costs a turn too).
  static size_t cost_of(const Update& update);

  void push(session::ReceivedUpdate update);
  std::optional<session::ReceivedUpdate> pop_update();

  void clear();
  bool empty() const { return updates_.empty(); }
  // Prefixes waiting: NLRI and withdrawn routes of queued UPDATEs.
  size_t queued_prefixes() const { return update_prefixes_; }
  size_t queued_updates() const { return updates_.size(); }

private:
  std::deque<session::ReceivedUpdate> updates_;
  size_t update_prefixes_ = 0;
};

}  // namespace halink::bgp
