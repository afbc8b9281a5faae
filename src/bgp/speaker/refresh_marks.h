// The routes a neighbour must send again during an Enhanced Route Refresh
// (RFC 7313 §4), per family: at its BoRR every route it had announced is
// marked stale; announcing or withdrawing a route again clears the mark; at
// its EoRR the routes still marked are purged. Until then they stay in use:
// a refresh never takes away a route the peer still has.
#pragma once

#include <vector>

#include "bgp/rib/prefix_map.h"

namespace halink::bgp {

class RefreshMarks {
public:
  // BoRR: these routes of the family are stale. A second BoRR before the
  // EoRR starts over.
  void begin(Family family, const std::vector<Prefix>& routes) {
    PrefixMap<bool>& marked = marked_[index(family)];
    marked.clear();
    for (const Prefix& p : routes) *marked.find_or_insert(p).first = true;
    active_[index(family)] = true;
  }
  bool in_progress() const { return active_[0] || active_[1]; }
  // The peer announced or withdrew the route again.
  void refreshed(const Prefix& prefix) {
    if (active_[index(prefix.family())]) marked_[index(prefix.family())].erase(prefix);
  }
  // EoRR: the routes still stale, to purge; the family's refresh is over.
  // Empty for an EoRR without a BoRR.
  std::vector<Prefix> end(Family family) {
    std::vector<Prefix> stale;
    marked_[index(family)].for_each([&](const Prefix& p, const bool&) { stale.push_back(p); });
    marked_[index(family)].clear();
    active_[index(family)] = false;
    return stale;
  }
  // The session went down: its routes go anyway.
  void clear() {
    for (Family f : {Family::ipv4, Family::ipv6}) end(f);
  }

private:
  static size_t index(Family family) { return family == Family::ipv4 ? 0 : 1; }
  PrefixMap<bool> marked_[2];
  bool active_[2] = {false, false};
};

}  // namespace halink::bgp
