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
//
// The Enhanced Route Refresh markers (BoRR, EoRR; RFC 7313 §4) queue here
// too, in their place among the UPDATEs: an EoRR acted on when it arrives
// would purge the routes whose re-announcements still wait in the queue.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <variant>
#include <vector>

#include "bgp/session/actions.h"
#include "core/ip.h"

namespace halink::bgp {

class RouteInbox {
public:
  // The work one UPDATE costs, in prefixes (at least 1: an End-of-RIB
  // costs a turn too).
  static size_t cost_of(const Update& update);

  using Entry = std::variant<session::ReceivedUpdate, RouteRefresh>;
  void push(session::ReceivedUpdate update);
  void push(RouteRefresh marker);  // a BoRR or EoRR; costs one
  std::optional<Entry> pop();

  void clear();
  bool empty() const { return entries_.empty(); }
  // Prefixes waiting: NLRI and withdrawn routes of queued UPDATEs.
  size_t queued_prefixes() const { return update_prefixes_; }

private:
  static size_t cost_of(const Entry& entry);
  std::deque<Entry> entries_;
  size_t update_prefixes_ = 0;
};

}  // namespace halink::bgp
