// Best path, multipath and change detection through DecisionProcess: the
// article's designs (4 equal tunnels; 8 tunnels with 4 prepended).
#include "bgp/decision/decision_process.h"

#include <algorithm>
#include <random>

#include "bgp/decision/path_selection.h"
#include "decision_fixture.h"

namespace halink::bgp::testing {
namespace {

const Prefix remote = Prefix::parse("192.168.100.0/24").value();

class MultipathTest : public DecisionFixture {
protected:
  std::vector<NextHop> hops_of(std::initializer_list<PeerId> ids) {
    std::vector<NextHop> hops;
    for (PeerId id : ids) hops.push_back({gateway(id), id});
    std::sort(hops.begin(), hops.end());
    return hops;
  }
  AttrSetRef prepended(PeerId peer, size_t times) {
    PathAttributes a = make_attrs({peers_[peer].remote_as, 64999}, gateway(peer));
    a.as_path->prepend(peers_[peer].remote_as, times);
    return intern(a);
  }

  LocRib rib_;
  DecisionProcess decision_{rib_, peers_, config_};
};

TEST_F(MultipathTest, FourEqualEbgpPathsGiveFourNextHops) {
  for (PeerId id = 1; id <= 4; ++id) add_peer(id, 65010);  // one remote AS, four tunnels
  for (PeerId id = 1; id <= 4; ++id) {
    const RouteChange change = decision_.update(remote, id, route(id));
    EXPECT_TRUE(change.next_hops_changed) << id;
  }
  EXPECT_EQ(decision_.next_hops(remote), hops_of({1, 2, 3, 4}));
  EXPECT_EQ(decision_.best(remote)->peer, 1u);  // lowest router id
  EXPECT_EQ(decision_.multipath(remote).size(), 4u);
}

TEST_F(MultipathTest, PrependedPathsStayBackupAndTakeOverAtOnce) {
  for (PeerId id = 1; id <= 8; ++id) add_peer(id, 65010);
  // Peers 5–8 are the slower ISP's tunnels: their routes carry a prepend.
  for (PeerId id = 5; id <= 8; ++id) decision_.update(remote, id, prepended(id, 3));
  for (PeerId id = 1; id <= 4; ++id) decision_.update(remote, id, route(id));
  EXPECT_EQ(decision_.next_hops(remote), hops_of({1, 2, 3, 4}));
  EXPECT_EQ(rib_.find(remote)->size(), 8u);

  // Withdrawing three short paths shrinks the set; the long ones stay out.
  for (PeerId id = 1; id <= 3; ++id) {
    const RouteChange change = decision_.withdraw(remote, id);
    EXPECT_TRUE(change.next_hops_changed);
  }
  EXPECT_EQ(decision_.next_hops(remote), hops_of({4}));
  // The last short path goes: all four long ones in one step.
  const RouteChange change = decision_.withdraw(remote, 4);
  EXPECT_TRUE(change.best_changed);
  EXPECT_TRUE(change.next_hops_changed);
  EXPECT_EQ(decision_.next_hops(remote), hops_of({5, 6, 7, 8}));
}

TEST_F(MultipathTest, EbgpMultipathNeedsTheSameNeighbourAsUnlessRelaxed) {
  add_peer(1, 65010);
  add_peer(2, 65010);
  add_peer(3, 65020);  // the other ISP's AS, same AS-path length
  for (PeerId id = 1; id <= 3; ++id) decision_.update(remote, id, route(id));
  EXPECT_EQ(decision_.next_hops(remote), hops_of({1, 2}));

  DecisionConfig relaxed = config_;
  relaxed.multipath_relax = true;
  decision_.set_config(relaxed);
  const RouteChange change = decision_.reselect(remote);
  EXPECT_TRUE(change.next_hops_changed);
  EXPECT_FALSE(change.best_changed);
  EXPECT_EQ(decision_.next_hops(remote), hops_of({1, 2, 3}));
}

TEST_F(MultipathTest, MaxPathsLimitsTheSetInComparatorOrder) {
  for (PeerId id = 1; id <= 6; ++id) add_peer(id, 65010);
  DecisionConfig limited = config_;
  limited.max_paths_ipv4 = 3;
  decision_.set_config(limited);
  for (PeerId id = 6; id >= 1; --id) decision_.update(remote, id, route(id));
  EXPECT_EQ(decision_.next_hops(remote), hops_of({1, 2, 3}));  // lowest router ids
  limited.max_paths_ipv4 = 1;
  decision_.set_config(limited);
  decision_.reselect(remote);
  EXPECT_EQ(decision_.next_hops(remote), hops_of({1}));
}

TEST_F(MultipathTest, ManyPeersSpillScratchSpaceToTheHeap) {
  for (PeerId id = 1; id <= 20; ++id) add_peer(id, 65010);
  for (PeerId id = 20; id >= 1; --id) decision_.update(remote, id, route(id));
  EXPECT_EQ(decision_.next_hops(remote).size(), 8u);  // default max_paths
  DecisionConfig wide = config_;
  wide.max_paths_ipv4 = 32;
  decision_.set_config(wide);
  EXPECT_TRUE(decision_.reselect(remote).next_hops_changed);
  EXPECT_EQ(decision_.next_hops(remote).size(), 20u);
  EXPECT_TRUE(decision_.withdraw(remote, 7).next_hops_changed);
  EXPECT_EQ(decision_.next_hops(remote).size(), 19u);
  EXPECT_EQ(rib_.path_count(7, Family::ipv4), 0u);
  EXPECT_EQ(rib_.path_count(8, Family::ipv4), 1u);
}

TEST_F(MultipathTest, DifferentIgpCostsAreNotEqual) {
  for (PeerId id = 1; id <= 3; ++id) add_peer(id, 65010);
  DecisionConfig costed = config_;
  costed.igp_cost = [](const IpAddress& nh) -> std::optional<uint32_t> {
    if (nh == IpAddress::v4(10, 0, 3, 1)) return std::nullopt;  // unresolvable
    return nh == IpAddress::v4(10, 0, 1, 1) ? 20 : 10;
  };
  decision_.set_config(costed);
  for (PeerId id = 1; id <= 3; ++id) decision_.update(remote, id, route(id));
  EXPECT_EQ(decision_.best(remote)->peer, 2u);
  EXPECT_EQ(decision_.next_hops(remote), hops_of({2}));
}

TEST_F(MultipathTest, UnresolvableOnlyPathLeavesNoRoute) {
  add_peer(1, 65010);
  DecisionConfig costed = config_;
  costed.igp_cost = [](const IpAddress&) -> std::optional<uint32_t> { return std::nullopt; };
  decision_.set_config(costed);
  const RouteChange change = decision_.update(remote, 1, route(1));
  EXPECT_FALSE(change.changed());
  EXPECT_EQ(decision_.best(remote), nullptr);
  EXPECT_TRUE(decision_.next_hops(remote).empty());
}

TEST_F(MultipathTest, ChangeDetection) {
  add_peer(1, 65010);
  add_peer(2, 65010);
  RouteChange change = decision_.update(remote, 2, route(2));
  EXPECT_TRUE(change.best_changed);
  EXPECT_TRUE(change.next_hops_changed);
  // The same path again: nothing changed.
  change = decision_.update(remote, 2, route(2));
  EXPECT_FALSE(change.changed());
  // New attributes, same next hop: best changed (re-advertise), FIB unchanged.
  change = decision_.update(remote, 2, route(2, {64998, 64999}));
  EXPECT_TRUE(change.best_changed);
  EXPECT_FALSE(change.next_hops_changed);
  // A longer path from peer 1 is only a backup.
  change = decision_.update(remote, 1, route(1, {1, 2, 3, 4}));
  EXPECT_FALSE(change.changed());
  // Withdrawing the backup changes nothing either.
  change = decision_.withdraw(remote, 1);
  EXPECT_FALSE(change.changed());
  change = decision_.withdraw(remote, 2);
  EXPECT_TRUE(change.best_changed);
  EXPECT_TRUE(change.next_hops_changed);
  EXPECT_EQ(rib_.find(remote), nullptr);  // empty prefixes leave the Loc-RIB
  EXPECT_FALSE(decision_.withdraw(remote, 2).changed());
}

TEST_F(MultipathTest, WithdrawingTheLastPathOfAPrefix) {
  add_peer(1, 65010);
  PeerInfo own;  // our own route: no next hop to forward to
  own.id = 0;
  own.remote_as = 65000;
  own.ebgp = false;
  own.local = true;
  peers_.upsert(own);
  // Many prefixes in one table, so the erased entry has neighbours in its
  // probe runs that must stay findable.
  std::vector<Prefix> prefixes;
  for (uint32_t i = 0; i < 200; ++i)
    prefixes.push_back(Prefix::make_masked(IpAddress::v4(0x0A000000u + (i << 8)), 24));
  for (const Prefix& p : prefixes) decision_.update(p, 1, route(1));
  decision_.update(remote, 0, route(0));
  for (size_t i = 0; i < prefixes.size(); i += 2) {
    const RouteChange change = decision_.withdraw(prefixes[i], 1);
    EXPECT_TRUE(change.best_changed);
    EXPECT_TRUE(change.next_hops_changed);
  }
  for (size_t i = 0; i < prefixes.size(); ++i)
    EXPECT_EQ(rib_.find(prefixes[i]) != nullptr, i % 2 == 1) << prefixes[i].to_string();
  EXPECT_EQ(rib_.prefix_count(), prefixes.size() / 2 + 1);
  EXPECT_EQ(rib_.path_count(1, Family::ipv4), prefixes.size() / 2);
  // A local route's last path: the best changes, forwarding does not.
  const RouteChange local = decision_.withdraw(remote, 0);
  EXPECT_TRUE(local.best_changed);
  EXPECT_FALSE(local.next_hops_changed);
  EXPECT_EQ(rib_.find(remote), nullptr);
}

TEST_F(MultipathTest, WithdrawingAnUnusablePathChangesNothing) {
  add_peer(1, 65010);
  DecisionConfig costed = config_;
  costed.igp_cost = [](const IpAddress&) -> std::optional<uint32_t> { return std::nullopt; };
  decision_.set_config(costed);
  decision_.update(remote, 1, route(1));
  EXPECT_FALSE(decision_.withdraw(remote, 1).changed());
  EXPECT_EQ(rib_.find(remote), nullptr);
}

// MED only compares paths from the same neighbouring AS, so "better" is not
// transitive; the result must not depend on the order paths arrived in.
TEST_F(MultipathTest, MedEliminationIsOrderIndependent) {
  add_peer(1, 65010);
  add_peer(2, 65020);
  add_peer(3, 65010);
  auto with_med = [&](PeerId peer, uint32_t med) {
    PathAttributes a = make_attrs({peers_[peer].remote_as, 64999}, gateway(peer));
    a.med = med;
    return intern(a);
  };
  // Peer 1 (AS 65010, MED 20, router id 1) is eliminated by peer 3 (same AS,
  // MED 10); then peer 2 (router id 2) beats peer 3 (router id 3).
  const std::vector<std::vector<PeerId>> orders{{1, 2, 3}, {3, 2, 1}, {2, 1, 3}, {2, 3, 1}};
  for (const auto& order : orders) {
    LocRib rib;
    DecisionProcess decision(rib, peers_, config_);
    for (PeerId id : order) decision.update(remote, id, with_med(id, id == 1 ? 20 : 10));
    EXPECT_EQ(decision.best(remote)->peer, 2u);
  }
}

// A peer's first path to a known prefix, and the removal of a path other
// than the best, are usually decided in place (select_added_path,
// prepare_removal). Whatever the paths, the configuration and the order,
// the selection must be the one the full pass makes, and the reported
// change must match what forwarding and the peers see.
TEST_F(MultipathTest, IncrementalSelectionMatchesTheFullPass) {
  for (PeerId id = 1; id <= 6; ++id) add_peer(id, id <= 3 ? 65010 : 65020, /*ebgp=*/id != 6);
  std::mt19937 rng(7);
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  auto random_route = [&](PeerId peer) {
    std::vector<uint32_t> path{peers_[peer].remote_as};
    for (uint32_t i = pick(4) / 2; i > 0; --i) path.push_back(64990 + pick(3));
    PathAttributes a = make_attrs(path, gateway(peer));
    // Mostly equal MEDs (the incremental case), sometimes not.
    if (const uint32_t med = pick(12); med < 3) a.med = 10 * med;
    if (pick(8) == 0) a.local_pref = 200;
    if (pick(8) == 0) a.origin = Origin::incomplete;
    return intern(a);
  };
  for (int trial = 0; trial < 400; ++trial) {
    DecisionConfig config = config_;
    config.max_paths_ipv4 = static_cast<uint16_t>(1 + pick(4));
    config.multipath_relax = pick(2);
    config.always_compare_med = pick(3) == 0;
    LocRib rib;
    DecisionProcess decision(rib, peers_, config);
    for (int step = 0; step < 40; ++step) {
      const PeerId peer = 1 + pick(6);
      const Path* old_best = decision.best(remote);
      const std::optional<Path> best_before = old_best ? std::optional<Path>(*old_best) : std::nullopt;
      const std::vector<NextHop> hops_before = decision.next_hops(remote);
      RouteChange change;
      if (pick(5) == 0) {
        change = decision.withdraw(remote, peer);
      } else if (pick(15) == 0) {
        decision.begin_peer_withdrawal(peer);  // its session dropped
        while (!decision.withdraw_peer_slice(peer, 1, [&](const Prefix&, RouteChange c) { change = c; })) {
        }
      } else {
        change = decision.update(remote, peer, random_route(peer));
      }
      const Path* new_best = decision.best(remote);
      const std::optional<Path> best_after = new_best ? std::optional<Path>(*new_best) : std::nullopt;
      ASSERT_EQ(change.best_changed, best_before != best_after) << "trial " << trial << " step " << step;
      ASSERT_EQ(change.next_hops_changed, hops_before != decision.next_hops(remote))
          << "trial " << trial << " step " << step;
      // The full pass over the same paths finds nothing to change.
      ASSERT_FALSE(decision.reselect(remote).changed()) << "trial " << trial << " step " << step;
    }
  }
}

TEST_F(MultipathTest, Ipv6UsesLinkLocalNextHopWhenNoGlobalOne) {
  add_peer(1, 65010);
  PathAttributes a = make_attrs({65010}, IpAddress());
  a.next_hop.reset();
  a.link_local_next_hop = IpAddress::parse("fe80::1").value();
  const Prefix v6 = Prefix::parse("2001:db8:100::/48").value();
  decision_.update(v6, 1, intern(a));
  ASSERT_EQ(decision_.next_hops(v6).size(), 1u);
  EXPECT_EQ(decision_.next_hops(v6)[0].gateway, IpAddress::parse("fe80::1").value());
}

}  // namespace
}  // namespace halink::bgp::testing
