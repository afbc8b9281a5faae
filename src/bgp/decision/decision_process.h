// Runs the decision process on the Loc-RIB as paths come and go, and says
// what changed for forwarding.
//
// The speaker feeds every post-policy change (a peer's new or replaced path,
// a withdrawal) through update()/withdraw(); these are also the only way
// paths enter and leave the Loc-RIB (and so the peers' post-policy
// Adj-RIBs-In, see loc_rib.h). Each call re-selects the best path and
// multipath set of that one prefix (path_selection.h) and returns a
// RouteChange: whether the best path changed (re-advertise to peers) and
// whether the set of next hops changed (re-program the FIB). A duplicate
// announcement (same attribute set again) returns at once with no change.
#pragma once

#include <cstdint>
#include <vector>

#include "bgp/decision/decision_config.h"
#include "bgp/rib/loc_rib.h"
#include "bgp/rib/peer.h"

namespace halink::bgp {

// One way to forward a prefix: the gateway and the neighbour it came from
// (whose PeerInfo::interface is the tunnel to use).
struct NextHop {
  IpAddress gateway;
  PeerId peer = 0;
  auto operator<=>(const NextHop&) const = default;
};

struct RouteChange {
  bool best_changed = false;       // a different best path (or none / a first one)
  bool next_hops_changed = false;  // the multipath next-hop set differs
  bool changed() const { return best_changed || next_hops_changed; }
};

class DecisionProcess {
public:
  DecisionProcess(LocRib& rib, const PeerTable& peers, DecisionConfig config)
      : rib_(rib), peers_(peers), config_(std::move(config)) {}

  // `peer` now has this (post-policy) path to `prefix`, replacing its old one.
  RouteChange update(const Prefix& prefix, PeerId peer, AttrSetRef attributes);
  // `peer` no longer has a path to `prefix` (withdrawn, rejected by import
  // policy on re-announcement, or its session went down).
  RouteChange withdraw(const Prefix& prefix, PeerId peer);
  // Hint that update()/withdraw() for `prefix` follows shortly: issue it for
  // the NLRI a few positions ahead when walking an UPDATE, so the Loc-RIB
  // lookups' cache misses overlap instead of adding up.
  void prefetch(const Prefix& prefix) const { rib_.prefetch(prefix); }
  // Re-run the selection for `prefix`, e.g. after an IGP cost changed.
  RouteChange reselect(const Prefix& prefix);

  // ---- A peer's session went down: its paths leave in bounded slices.
  //
  // A full table is a million withdrawals, seconds of work that must not
  // hold up timers and sockets (ARCHITECTURE.md "Liveness never waits for
  // route processing"). So:
  //   1. begin_peer_withdrawal(peer) retires every path the peer has — from
  //      then on none of them is selected again — and returns the next hops
  //      they used, sorted. The caller tells forwarding first (NextHopDown:
  //      one next-hop-group write moves every prefix), before any per-prefix
  //      change arrives.
  //   2. withdraw_peer_slice(peer, max_prefixes, on_change) is called until
  //      it returns true; each call looks at about max_prefixes prefixes
  //      (rounded up to the end of a hash-table probe run) and removes the
  //      retired paths among them, calling on_change(prefix, RouteChange)
  //      for each, like withdraw() does. Anything may happen between calls:
  //      updates from other peers, other peers' withdrawals, and the same
  //      peer's new session announcing routes again (those are a new
  //      generation and stay; a retired path re-announced becomes current).
  // Calling begin_peer_withdrawal() again before the slices are done (the
  // new session dropped too) retires the new paths as well and restarts.
  std::vector<NextHop> begin_peer_withdrawal(PeerId peer);
  template <class OnChange>
  bool withdraw_peer_slice(PeerId peer, size_t max_prefixes, OnChange&& on_change);
  // Retired paths of the peer not withdrawn yet.
  size_t pending_withdrawals(PeerId peer) const { return rib_.stale_path_count(peer); }

  // The selected best path, or nullptr. Selected paths retired since (see
  // begin_peer_withdrawal) are left out of these three until their slice.
  const Path* best(const Prefix& prefix) const;
  // The multipath set, best first; empty when there is no usable path.
  std::vector<Path> multipath(const Prefix& prefix) const;
  // Next hops of the multipath set, sorted, duplicates removed. Paths the
  // speaker originated itself contribute none (nothing to forward to).
  std::vector<NextHop> next_hops(const Prefix& prefix) const;

  const DecisionConfig& config() const { return config_; }
  void set_config(DecisionConfig config) { config_ = std::move(config); }  // then reselect()
  LocRib& rib() { return rib_; }

private:
  // withdraw() of a retired path only (a current one stays).
  RouteChange withdraw_retired(const Prefix& prefix, PeerId peer);

  LocRib& rib_;
  const PeerTable& peers_;
  DecisionConfig config_;
  std::vector<Prefix> slice_;  // reused by withdraw_peer_slice
};

template <class OnChange>
bool DecisionProcess::withdraw_peer_slice(PeerId peer, size_t max_prefixes, OnChange&& on_change) {
  slice_.clear();
  const bool done = rib_.collect_stale(peer, max_prefixes, slice_);
  constexpr size_t prefetch_distance = 4;
  for (size_t i = 0; i < slice_.size(); ++i) {
    if (i + prefetch_distance < slice_.size()) rib_.prefetch(slice_[i + prefetch_distance]);
    on_change(static_cast<const Prefix&>(slice_[i]), withdraw_retired(slice_[i], peer));
  }
  return done;
}

// The next hops of the first multipath_count() paths of `paths` (as
// DecisionProcess::next_hops, for callers that hold a PathList already).
std::vector<NextHop> next_hops_of(const PathList& paths, const PeerTable& peers);

}  // namespace halink::bgp
