// A peer's session goes down: its paths leave in bounded slices
// (DecisionProcess::begin_peer_withdrawal / withdraw_peer_slice), next hops
// first, without touching the paths of its next session.
#include <gtest/gtest.h>

#include <map>

#include "bgp/decision/decision_process.h"
#include "bgp/rib/adj_rib_in.h"
#include "decision_fixture.h"

namespace halink::bgp::testing {
namespace {

Prefix nth(uint32_t i) { return Prefix::make_masked(IpAddress::v4((10u << 24) | (i << 8)), 24); }

class PeerWithdrawalTest : public DecisionFixture {
protected:
  void SetUp() override {
    for (PeerId id = 1; id <= 4; ++id) add_peer(id, 65010);  // four tunnels to one AS
  }
  void announce(PeerId peer, uint32_t count) {
    const AttrSetRef attrs = route(peer);
    for (uint32_t i = 0; i < count; ++i) decision_.update(nth(i), peer, attrs);
  }
  // Runs slices to the end; the prefixes reported and the largest slice.
  std::map<Prefix, RouteChange> drain(PeerId peer, size_t max_prefixes, size_t* largest = nullptr,
                                      size_t* calls = nullptr) {
    std::map<Prefix, RouteChange> changes;
    for (bool done = false; !done;) {
      size_t in_slice = 0;
      done = decision_.withdraw_peer_slice(peer, max_prefixes, [&](const Prefix& p, const RouteChange& c) {
        EXPECT_FALSE(changes.count(p)) << "reported twice: " << p.to_string();
        changes[p] = c;
        ++in_slice;
      });
      if (largest) *largest = std::max(*largest, in_slice);
      if (calls) ++*calls;
    }
    return changes;
  }

  LocRib rib_;
  DecisionProcess decision_{rib_, peers_, config_};
};

TEST_F(PeerWithdrawalTest, NextHopsFirstThenEveryPrefixInBoundedSlices) {
  announce(1, 3000);
  announce(2, 3000);
  const std::vector<NextHop> down = decision_.begin_peer_withdrawal(1);
  EXPECT_EQ(down, (std::vector<NextHop>{{gateway(1), 1}}));
  // Retired at once: forwarding and best path no longer use peer 1, even
  // before its slice came.
  EXPECT_EQ(decision_.next_hops(nth(0)), (std::vector<NextHop>{{gateway(2), 2}}));
  EXPECT_EQ(decision_.best(nth(0))->peer, 2u);
  EXPECT_EQ(AdjRibIn(rib_, 1).size(), 0u);
  EXPECT_EQ(decision_.pending_withdrawals(1), 3000u);

  size_t largest = 0, calls = 0;
  const auto changes = drain(1, 200, &largest, &calls);
  EXPECT_EQ(changes.size(), 3000u);
  EXPECT_LE(largest, 2 * 200u);  // rounded up to the end of a probe run at most
  EXPECT_GE(calls, 3000u / 400u);
  for (const auto& [prefix, change] : changes) EXPECT_TRUE(change.next_hops_changed) << prefix.to_string();
  EXPECT_EQ(decision_.pending_withdrawals(1), 0u);
  EXPECT_EQ(rib_.prefix_count(), 3000u);
  EXPECT_EQ(rib_.find(nth(42))->size(), 1u);
  EXPECT_EQ(decision_.next_hops(nth(42)), (std::vector<NextHop>{{gateway(2), 2}}));
}

TEST_F(PeerWithdrawalTest, SolePathsLeaveTheLocRib) {
  announce(3, 500);
  EXPECT_EQ(decision_.begin_peer_withdrawal(3).size(), 1u);
  const auto changes = drain(3, 64);
  EXPECT_EQ(changes.size(), 500u);
  for (const auto& [prefix, change] : changes) EXPECT_TRUE(change.best_changed && change.next_hops_changed);
  EXPECT_EQ(rib_.prefix_count(), 0u);
  EXPECT_EQ(rib_.path_count(3, Family::ipv4), 0u);
  // Nothing pending: done at once.
  EXPECT_TRUE(decision_.withdraw_peer_slice(3, 10, [](const Prefix&, const RouteChange&) { ADD_FAILURE(); }));
}

TEST_F(PeerWithdrawalTest, TheNextSessionsRoutesStay) {
  announce(1, 1000);
  decision_.begin_peer_withdrawal(1);
  // One slice, then the session is back and announces half of it again,
  // one prefix with new attributes, and one new prefix.
  decision_.withdraw_peer_slice(1, 100, [](const Prefix&, const RouteChange&) {});
  const AttrSetRef same = route(1);
  for (uint32_t i = 0; i < 500; ++i) decision_.update(nth(i), 1, same);
  decision_.update(nth(600), 1, route(1, {64998}));
  decision_.update(nth(5000), 1, same);
  EXPECT_EQ(AdjRibIn(rib_, 1).size(), 502u);
  const auto changes = drain(1, 100);
  for (const auto& [prefix, change] : changes) EXPECT_GE(prefix, nth(500)) << prefix.to_string();
  EXPECT_EQ(rib_.prefix_count(), 502u);
  EXPECT_EQ(rib_.path_count(1, Family::ipv4), 502u);
  for (uint32_t i = 0; i < 500; ++i) ASSERT_EQ(decision_.best(nth(i))->peer, 1u) << i;
  EXPECT_NE(rib_.find(nth(600)), nullptr);
  EXPECT_EQ(rib_.find(nth(700)), nullptr);
  // The new session's next hop is in use again for the next withdrawal.
  EXPECT_EQ(decision_.begin_peer_withdrawal(1), (std::vector<NextHop>{{gateway(1), 1}}));
  EXPECT_EQ(drain(1, 1000).size(), 502u);
  EXPECT_EQ(rib_.prefix_count(), 0u);
}

TEST_F(PeerWithdrawalTest, ReannouncedRetiredPathIsSelectedAgain) {
  decision_.update(nth(0), 1, route(1));
  decision_.update(nth(0), 2, route(2));
  EXPECT_EQ(decision_.best(nth(0))->peer, 1u);
  decision_.begin_peer_withdrawal(1);
  // Before any slice, peer 2 changes its route: the retired path is out.
  decision_.update(nth(0), 2, route(2, {64998}));
  EXPECT_EQ(decision_.next_hops(nth(0)), (std::vector<NextHop>{{gateway(2), 2}}));
  // Peer 1's new session sends the very same attributes again.
  const RouteChange change = decision_.update(nth(0), 1, route(1));
  EXPECT_TRUE(change.next_hops_changed);
  EXPECT_EQ(decision_.best(nth(0))->peer, 1u);
  EXPECT_TRUE(drain(1, 10).empty());
  EXPECT_EQ(rib_.find(nth(0))->size(), 2u);
}

TEST_F(PeerWithdrawalTest, DroppingAgainBeforeTheEndRetiresEverything) {
  announce(1, 800);
  decision_.begin_peer_withdrawal(1);
  decision_.withdraw_peer_slice(1, 50, [](const Prefix&, const RouteChange&) {});
  decision_.update(nth(10000), 1, route(1));  // the next session, briefly
  decision_.begin_peer_withdrawal(1);
  EXPECT_EQ(decision_.pending_withdrawals(1) + 0, rib_.prefix_count());
  drain(1, 100);
  EXPECT_EQ(rib_.prefix_count(), 0u);
}

TEST_F(PeerWithdrawalTest, LocalRoutesHaveNoNextHopToTakeDown) {
  PeerInfo local;
  local.id = 0;
  local.local = true;
  local.ebgp = false;
  peers_.upsert(local);
  PathAttributes own;
  own.origin = Origin::igp;
  own.as_path = AsPath{};
  decision_.update(nth(1), 0, intern(own));
  EXPECT_TRUE(decision_.begin_peer_withdrawal(0).empty());
  EXPECT_EQ(drain(0, 10).size(), 1u);
}

}  // namespace
}  // namespace halink::bgp::testing
