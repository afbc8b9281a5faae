// Adj-RIB-Out of one peer (RFC 4271 §3.2): what we have advertised to it,
// after export policy. The speaker asks it whether a route needs sending:
// re-announcing identical attributes or withdrawing a route the peer never
// got would only cost the peer work.
#pragma once

#include <cstddef>

#include "bgp/rib/attribute_store.h"
#include "bgp/rib/peer.h"
#include "bgp/rib/prefix_map.h"

namespace halink::bgp {

class AdjRibOut {
public:
  explicit AdjRibOut(PeerId peer) : peer_(peer) {}
  PeerId peer() const { return peer_; }

  // Records the route as advertised; false when the peer already has exactly
  // this route (send nothing).
  bool announce(const Prefix& prefix, const AttrSetRef& attributes) {
    auto [slot, inserted] = advertised_.find_or_insert(prefix);
    if (!inserted && *slot == attributes) return false;
    *slot = attributes;
    return true;
  }
  // False when the peer did not have the route (send no withdrawal).
  bool withdraw(const Prefix& prefix) { return advertised_.erase(prefix); }

  const AttrSetRef* find(const Prefix& prefix) const { return advertised_.find(prefix); }
  size_t size() const { return advertised_.size(); }
  size_t size(Family family) const { return advertised_.size(family); }
  template <class Visit>
  void for_each(Visit&& visit) const {
    advertised_.for_each([&](const Prefix& p, AttrSetRef& a) { visit(p, static_cast<const AttrSetRef&>(a)); });
  }
  size_t index_bytes() const { return advertised_.memory_bytes(); }
  // The session went down; on the next Established everything is sent anew.
  void clear() { advertised_.clear(); }

private:
  PeerId peer_;
  PrefixMap<AttrSetRef> advertised_;
};

}  // namespace halink::bgp
