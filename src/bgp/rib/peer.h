// What the RIB and the decision process need to know about a BGP neighbour.
//
// Paths carry only a PeerId (4 bytes); everything else about the neighbour is
// looked up here, once per neighbour instead of once per path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ip.h"

namespace halink::bgp {

using PeerId = uint32_t;

struct PeerInfo {
  PeerId id = 0;
  uint32_t remote_as = 0;
  uint32_t router_id = 0;  // BGP Identifier from the neighbour's OPEN (host order)
  IpAddress address;       // the neighbour's session address
  bool ebgp = true;
  // Routes the speaker originates itself (configured networks) are entered
  // as paths of a PeerInfo with local = true and ebgp = false.
  bool local = false;
  std::string interface;  // the tunnel/interface the session runs over; may be empty

  bool operator==(const PeerInfo&) const = default;
};

// PeerInfo by PeerId. Ids are small integers chosen by the speaker, so this
// is a vector, not a map: the decision process reads it on every comparison.
class PeerTable {
public:
  void upsert(PeerInfo info) {
    if (info.id >= peers_.size()) {
      peers_.resize(info.id + 1);
      present_.resize(info.id + 1, false);
    }
    present_[info.id] = true;
    peers_[info.id] = std::move(info);
  }
  void remove(PeerId id) {
    if (id < present_.size()) present_[id] = false;
  }
  const PeerInfo* find(PeerId id) const {
    return id < present_.size() && present_[id] ? &peers_[id] : nullptr;
  }
  // For ids known to be registered (every path's peer is).
  const PeerInfo& operator[](PeerId id) const { return peers_[id]; }

private:
  std::vector<PeerInfo> peers_;
  std::vector<bool> present_;
};

}  // namespace halink::bgp
