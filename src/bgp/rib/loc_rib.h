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
// keeps the order right. Paths are added and removed through add_path() and
// remove_path() so the per-peer counts stay exact.
#pragma once

#include <cstddef>
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

  void add_path(PathList& list, Family family, Path path) {
    count(path.peer, family) += 1;
    list.push_back(std::move(path));
  }
  void remove_path(PathList& list, Family family, Path* path) {
    count(path->peer, family) -= 1;
    list.erase(path);
  }

  size_t prefix_count() const { return table_.size(); }
  size_t prefix_count(Family family) const { return table_.size(family); }
  // Paths of one peer (its post-policy Adj-RIB-In size; what max-prefix counts).
  size_t path_count(PeerId peer, Family family) const {
    const auto& counts = family == Family::ipv4 ? ipv4_counts_ : ipv6_counts_;
    return peer < counts.size() ? counts[peer] : 0;
  }
  size_t index_bytes() const { return table_.memory_bytes(); }

  // visit(const Prefix&, PathList&); must not add or remove prefixes or paths.
  template <class Visit>
  void for_each(Visit&& visit) const {
    table_.for_each(visit);
  }

private:
  size_t& count(PeerId peer, Family family) {
    auto& counts = family == Family::ipv4 ? ipv4_counts_ : ipv6_counts_;
    if (peer >= counts.size()) counts.resize(peer + 1, 0);
    return counts[peer];
  }

  PrefixMap<PathList> table_;
  std::vector<size_t> ipv4_counts_;
  std::vector<size_t> ipv6_counts_;
};

}  // namespace halink::bgp
