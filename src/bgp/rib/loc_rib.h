// The Loc-RIB (RFC 4271 §3.2): for every prefix, the candidate paths that
// passed import policy, with the decision's result kept in their order (see
// PathList). It is storage only; src/bgp/decision's DecisionProcess is the
// one writer that keeps the order right.
#pragma once

#include <cstddef>

#include "bgp/rib/path_list.h"
#include "bgp/rib/prefix_map.h"

namespace halink::bgp {

class LocRib {
public:
  PathList* find(const Prefix& prefix) { return table_.find(prefix); }
  const PathList* find(const Prefix& prefix) const { return table_.find(prefix); }
  // The list for `prefix`, created empty when new.
  PathList& find_or_insert(const Prefix& prefix) { return *table_.find_or_insert(prefix).first; }
  void erase(const Prefix& prefix) { table_.erase(prefix); }

  size_t prefix_count() const { return table_.size(); }
  size_t prefix_count(Family family) const { return table_.size(family); }
  size_t index_bytes() const { return table_.memory_bytes(); }

  // visit(const Prefix&, PathList&); must not add or remove prefixes.
  template <class Visit>
  void for_each(Visit&& visit) const {
    table_.for_each(visit);
  }
  void clear() { table_.clear(); }

private:
  PrefixMap<PathList> table_;
};

}  // namespace halink::bgp
