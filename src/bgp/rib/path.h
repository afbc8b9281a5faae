// One path: a neighbour's route to a prefix, as the decision process sees it.
// The prefix is the key of the table holding the path, so it is not repeated.
#pragma once

#include "bgp/rib/attribute_store.h"
#include "bgp/rib/peer.h"

namespace halink::bgp {

struct Path {
  AttrSetRef attributes;
  PeerId peer = 0;

  bool operator==(const Path&) const = default;
};

}  // namespace halink::bgp
