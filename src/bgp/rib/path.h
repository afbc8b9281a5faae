// One path: a neighbour's route to a prefix, as the decision process sees it.
// The prefix is the key of the table holding the path, so it is not repeated.
// 16 bytes: a counted pointer to the interned attribute set, the peer and
// its session generation.
#pragma once

#include "bgp/rib/attribute_store.h"
#include "bgp/rib/peer.h"

namespace halink::bgp {

struct Path {
  AttrSetRef attributes;
  PeerId peer = 0;
  // Which session of the peer the path came from (LocRib::generation()):
  // a path of an earlier session is stale, waiting for its withdrawal.
  // Fills what would be padding: a Path stays 16 bytes.
  uint32_t generation = 0;

  bool operator==(const Path&) const = default;
};

}  // namespace halink::bgp
