// Adj-RIB-Out of one peer (RFC 4271 §3.2): what we have advertised to it.
// The speaker asks it whether a route needs sending: re-announcing
// identical attributes or withdrawing a route the peer never got would only
// cost the peer work.
//
// It records, per prefix, the best path the advertisement was exported
// from (its attribute set and the peer it came from), not the exported
// attributes: export is a function of that path and the neighbour's
// settings, so the same source means the same advertisement. Keeping an
// interned copy of every exported set cost about 50 MB for a full table
// (own AS prepended, next hop self: a new set per source set). When the
// export settings change (policy, next-hop-self) the speaker sends the
// whole table again, as for a route refresh, instead of comparing.
#pragma once

#include <cstddef>

#include "bgp/rib/attribute_store.h"
#include "bgp/rib/peer.h"
#include "bgp/rib/prefix_map.h"

namespace halink::bgp {

// The best path an advertisement was exported from.
struct ExportSource {
  AttrSetRef attributes;
  PeerId from = 0;
  bool operator==(const ExportSource&) const = default;
};

class AdjRibOut {
public:
  explicit AdjRibOut(PeerId peer) : peer_(peer) {}
  PeerId peer() const { return peer_; }

  // Records the route as advertised, to be sent; false when the peer
  // already has the route exported from this source (send nothing).
  bool announce(const Prefix& prefix, const ExportSource& source) {
    auto [slot, inserted] = advertised_.find_or_insert(prefix);
    if (!inserted && slot->is(source)) return false;
    *slot = Advertised{source.attributes, source.from, true};
    return true;
  }
  // Whether the prefix is to be sent as exported from `source`: the speaker
  // queues an announcement each time announce() says so, and a prefix that
  // changed back and forth before the queue was sent is sent once, with
  // what the Adj-RIB-Out holds. True once per announce().
  bool take_queued(const Prefix& prefix, const ExportSource& source) {
    Advertised* a = advertised_.find(prefix);
    if (!a || !a->queued || !a->is(source)) return false;
    a->queued = false;
    return true;
  }
  // False when the peer did not have the route (send no withdrawal).
  bool withdraw(const Prefix& prefix) { return advertised_.erase(prefix); }

  // The source of the route the peer has (sent, not queued), or nulls.
  struct SentSource {
    const AttrSet* attributes = nullptr;
    PeerId from = 0;
  };
  SentSource sent_source(const Prefix& prefix) const {
    const Advertised* a = advertised_.find(prefix);
    return a && !a->queued ? SentSource{a->attributes.get(), a->from} : SentSource{};
  }
  // Records `source` for a sent route without sending anything: the
  // speaker found that it exports to the advertisement the peer has.
  void replace_sent_source(const Prefix& prefix, const ExportSource& source) {
    if (Advertised* a = advertised_.find(prefix); a && !a->queued)
      *a = Advertised{source.attributes, source.from, false};
  }

  bool contains(const Prefix& prefix) const { return advertised_.find(prefix) != nullptr; }
  // Hint that `prefix` is looked up soon (see FlatTable::prefetch).
  void prefetch(const Prefix& prefix) const { advertised_.prefetch(prefix); }
  size_t size() const { return advertised_.size(); }
  size_t size(Family family) const { return advertised_.size(family); }
  // visit(const Prefix&, const AttrSetRef& attributes, PeerId from): the source of each route.
  template <class Visit>
  void for_each(Visit&& visit) const {
    advertised_.for_each([&](const Prefix& p, const Advertised& a) { visit(p, a.attributes, a.from); });
  }
  size_t index_bytes() const { return advertised_.memory_bytes(); }
  // The session went down; on the next Established everything is sent anew.
  void clear() { advertised_.clear(); }

private:
  // ExportSource's fields and the flag side by side: 16 bytes, where an
  // ExportSource member plus the flag would pad to 24 (8 MB in a full table).
  struct Advertised {
    AttrSetRef attributes;
    PeerId from = 0;
    bool queued = false;  // announced, not sent yet
    bool is(const ExportSource& s) const { return from == s.from && attributes == s.attributes; }
  };
  static_assert(sizeof(Advertised) == 16);
  PeerId peer_;
  PrefixMap<Advertised> advertised_;
};

}  // namespace halink::bgp
