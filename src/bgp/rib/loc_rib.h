// The Loc-RIB: for every prefix, every candidate path that passed import
// policy, with the decision's result kept in their order (see PathList).
//
// One table holds all candidates (as BIRD does) instead of a copy per peer
// plus a selected copy: the post-policy Adj-RIBs-In of RFC 4271 §3.2 are the
// paths of each peer in these lists (AdjRibIn is that per-peer view). One
// prefix lookup per received route instead of two halves both the memory and
// the cache misses of loading a full table.
//
// Storage only: src/bgp/decision's DecisionProcess is the one writer and
// keeps the order right. Paths are added, changed and removed through
// add_path(), set_attributes() and remove_path() so the per-peer counts and
// next hops stay exact.
//
// Session generations. When a peer's session goes down every path it sent
// must go (RFC 4271 §8.2.2 / §9.1.3 — and a full table is a million paths, too
// many to drop in one step without stalling timers and sockets). So
// retire_peer() only starts a new generation for the peer: its paths of
// earlier generations are stale from then on — the decision process no
// longer selects them — and are collected in bounded slices by
// collect_stale(), while paths of the peer's next session (the current
// generation) are left alone.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "bgp/rib/path_list.h"
#include "bgp/rib/prefix_map.h"

namespace halink::bgp {

class LocRib {
public:
  PathList* find(const Prefix& prefix) { return table_.find(prefix); }
  const PathList* find(const Prefix& prefix) const { return table_.find(prefix); }
  // The list for `prefix`, created empty when new. Pointers into the table
  // stay valid until the next find_or_insert() or erase().
  PathList& find_or_insert(const Prefix& prefix) { return *table_.find_or_insert(prefix).first; }
  // Hint that `prefix` is looked up soon (see FlatTable::prefetch).
  void prefetch(const Prefix& prefix) const { table_.prefetch(prefix); }
  // Removes the prefix; its list must be empty (paths leave via remove_path).
  void erase(const Prefix& prefix) { table_.erase(prefix); }
  // The same for the list find() just returned for it: no second lookup.
  void erase(const Prefix& prefix, PathList* list) { table_.erase_found(prefix.family(), list); }

  // Adds a path of the peer's current session.
  void add_path(PathList& list, Family family, Path path) {
    PeerState& peer = state(path.peer);
    path.generation = peer.generation;
    peer.paths[family_index(family)] += 1;
    peer.use_next_hop(path.attributes.forwarding_address());
    list.push_back(std::move(path));
  }
  // Replaces a path's attributes (RFC 4271 §3.1 implicit withdrawal); a
  // stale path re-announced by the peer's new session becomes current.
  void set_attributes(Family family, Path& path, AttrSetRef attributes) {
    PeerState& peer = state(path.peer);
    if (path.generation == peer.generation) {
      peer.release_next_hop(path.attributes.forwarding_address());
    } else {
      peer.stale -= 1;
      peer.paths[family_index(family)] += 1;
      path.generation = peer.generation;
    }
    peer.use_next_hop(attributes.forwarding_address());
    path.attributes = std::move(attributes);
  }
  void remove_path(PathList& list, Family family, Path* path) {
    PeerState& peer = state(path->peer);
    if (path->generation == peer.generation) {
      peer.paths[family_index(family)] -= 1;
      peer.release_next_hop(path->attributes.forwarding_address());
    } else {
      peer.stale -= 1;
    }
    list.erase(path);
  }

  // Whether the path belongs to its peer's current session.
  bool is_current(const Path& path) const {
    return path.peer < peers_.size() ? path.generation == peers_[path.peer].generation : path.generation == 0;
  }

  // The peer's session went down: its paths become stale (never selected
  // again) and await collect_stale(). Returns the forwarding addresses its
  // paths used, so forwarding can move off them before the per-prefix work.
  std::vector<IpAddress> retire_peer(PeerId peer_id) {
    PeerState& peer = state(peer_id);
    std::vector<IpAddress> next_hops;
    for (const auto& [address, uses] : peer.next_hops) next_hops.push_back(address);
    peer.generation += 1;
    peer.stale += peer.paths[0] + peer.paths[1];
    peer.paths[0] = peer.paths[1] = 0;
    peer.next_hops.clear();
    peer.sweep = {};  // earlier generations are all stale: start over
    return next_hops;
  }
  // Scans about `max_prefixes` more prefixes for stale paths of the peer
  // and appends the prefixes holding one to `out`. The caller removes them
  // before anything else changes the Loc-RIB. True when none are left.
  bool collect_stale(PeerId peer_id, size_t max_prefixes, std::vector<Prefix>& out) {
    PeerState& peer = state(peer_id);
    if (peer.stale == 0) {
      peer.sweep = {};
      return true;
    }
    const bool done = table_.scan(peer.sweep, max_prefixes == 0 ? 1 : max_prefixes,
                                  [&](const Prefix& prefix, const PathList& list) {
                                    for (const Path& path : list)
                                      if (path.peer == peer_id && path.generation != peer.generation)
                                        out.push_back(prefix);
                                  });
    if (done) peer.sweep = {};
    return done;
  }
  size_t stale_path_count(PeerId peer) const { return peer < peers_.size() ? peers_[peer].stale : 0; }

  size_t prefix_count() const { return table_.size(); }
  size_t prefix_count(Family family) const { return table_.size(family); }
  // Current paths of one peer (its post-policy Adj-RIB-In size; what
  // max-prefix counts). Stale paths of a finished session do not count.
  size_t path_count(PeerId peer, Family family) const {
    return peer < peers_.size() ? peers_[peer].paths[family_index(family)] : 0;
  }
  size_t index_bytes() const { return table_.memory_bytes(); }

  // visit(const Prefix&, PathList&); must not add or remove prefixes or paths.
  template <class Visit>
  void for_each(Visit&& visit) const {
    table_.for_each(visit);
  }

private:
  struct PeerState {
    uint32_t generation = 0;
    size_t paths[2] = {0, 0};  // current paths per family
    size_t stale = 0;          // paths of earlier generations still here
    // Forwarding addresses of the current paths with their use counts.
    // A peer has one or a few (eBGP, next-hop-self), so a vector.
    std::vector<std::pair<IpAddress, size_t>> next_hops;
    PrefixMap<PathList>::Cursor sweep;

    void use_next_hop(const IpAddress& address) {
      for (auto& [known, uses] : next_hops)
        if (known == address) {
          ++uses;
          return;
        }
      next_hops.emplace_back(address, 1);
    }
    void release_next_hop(const IpAddress& address) {
      for (size_t i = 0; i < next_hops.size(); ++i)
        if (next_hops[i].first == address) {
          if (--next_hops[i].second == 0) {
            next_hops[i] = next_hops.back();
            next_hops.pop_back();
          }
          return;
        }
    }
  };

  static size_t family_index(Family family) { return family == Family::ipv4 ? 0 : 1; }
  PeerState& state(PeerId peer) {
    if (peer >= peers_.size()) peers_.resize(peer + 1);
    return peers_[peer];
  }

  PrefixMap<PathList> table_;
  std::vector<PeerState> peers_;
};

}  // namespace halink::bgp
