// Shared helpers for the decision tests: peers and attribute sets by hand.
#pragma once

#include <gtest/gtest.h>

#include "bgp/decision/decision_process.h"
#include "bgp/decision/path_comparator.h"

namespace halink::bgp::testing {

inline PathAttributes make_attrs(std::vector<uint32_t> as_path, IpAddress next_hop) {
  PathAttributes a;
  a.origin = Origin::igp;
  if (!as_path.empty()) a.as_path = AsPath{{AsPathSegment{AsPathSegmentType::as_sequence, std::move(as_path)}}};
  else a.as_path = AsPath{};
  a.next_hop = next_hop;
  return a;
}

class DecisionFixture : public ::testing::Test {
protected:
  // Peer i: address/next hop 10.0.<i>.1, router id i, the given AS.
  PeerId add_peer(PeerId id, uint32_t remote_as, bool ebgp = true) {
    PeerInfo info;
    info.id = id;
    info.remote_as = remote_as;
    info.router_id = id;
    info.address = IpAddress::v4(10, 0, static_cast<uint8_t>(id), 1);
    info.ebgp = ebgp;
    info.interface = "tun" + std::to_string(id);
    peers_.upsert(info);
    return id;
  }
  static IpAddress gateway(PeerId id) { return IpAddress::v4(10, 0, static_cast<uint8_t>(id), 1); }

  AttrSetRef intern(const PathAttributes& a) { return store_.intern(a); }
  // The route of `peer` with AS path [peer's AS, then `rest`...].
  AttrSetRef route(PeerId peer, std::vector<uint32_t> rest = {64999}) {
    std::vector<uint32_t> path{peers_[peer].remote_as};
    path.insert(path.end(), rest.begin(), rest.end());
    return intern(make_attrs(path, gateway(peer)));
  }

  PathView view(PeerId peer, const AttrSetRef& a, uint32_t igp_cost = 0) {
    return PathView{a.decision(), peers_[peer], igp_cost};
  }

  AttributeStore store_;
  PeerTable peers_;
  DecisionConfig config_;
};

}  // namespace halink::bgp::testing
