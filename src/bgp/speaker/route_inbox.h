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
// A session that goes down leaves the withdrawal of everything it announced
// (a snapshot of its Adj-RIB-In) in front of the queue; UPDATEs of the dead
// session still queued are dropped, UPDATEs of a new session queue behind
// the withdrawals, so the order the peer meant is kept.
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

  // The session went down: queued UPDATEs are dropped and `announced` is
  // withdrawn first (replacing withdrawals not done yet: the snapshot holds them).
  void replace_with_withdrawals(std::vector<Prefix> announced);
  bool has_withdrawals() const { return withdrawn_next_ < withdrawals_.size(); }
  // Up to `max` withdrawals, removed from the queue.
  std::vector<Prefix> take_withdrawals(size_t max);

  void clear();
  bool empty() const { return !has_withdrawals() && updates_.empty(); }
  // Prefixes waiting: NLRI and withdrawn routes of queued UPDATEs plus
  // withdrawals of a session that went down.
  size_t queued_prefixes() const { return update_prefixes_ + (withdrawals_.size() - withdrawn_next_); }
  size_t queued_updates() const { return updates_.size(); }

private:
  std::deque<session::ReceivedUpdate> updates_;
  size_t update_prefixes_ = 0;
  std::vector<Prefix> withdrawals_;
  size_t withdrawn_next_ = 0;
};

}  // namespace halink::bgp
