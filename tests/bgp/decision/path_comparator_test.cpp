#include "bgp/decision/path_comparator.h"

#include "decision_fixture.h"

namespace halink::bgp::testing {
namespace {

class ComparatorTest : public DecisionFixture {
protected:
  void SetUp() override {
    add_peer(1, 65001);
    add_peer(2, 65002);
  }
  // Compares two attribute variants learned from peers 1 and 2.
  PathComparison compare(const PathAttributes& a, const PathAttributes& b, uint32_t cost_a = 0, uint32_t cost_b = 0) {
    AttrSetRef ra = intern(a), rb = intern(b);
    return compare_paths(view(1, ra, cost_a), view(2, rb, cost_b), config_);
  }
  PathAttributes base() { return make_attrs({65001, 64999}, gateway(1)); }
};

TEST_F(ComparatorTest, LocallyOriginatedWinsFirst) {
  PeerInfo local;
  local.id = 3;
  local.local = true;
  local.ebgp = false;
  peers_.upsert(local);
  PathAttributes own = make_attrs({}, IpAddress());
  own.local_pref = 10;  // even with a lower LOCAL_PREF
  PathAttributes learned = base();
  learned.local_pref = 500;
  AttrSetRef a = intern(own), b = intern(learned);
  const PathComparison c = compare_paths(view(3, a), view(1, b), config_);
  EXPECT_TRUE(c.a_better());
  EXPECT_EQ(c.step, DecisionStep::locally_originated);
}

TEST_F(ComparatorTest, HigherLocalPrefWinsAndMissingMeansDefault) {
  PathAttributes a = base(), b = base();
  a.local_pref = 200;
  const PathComparison c = compare(a, b);  // b has none: default 100
  EXPECT_TRUE(c.a_better());
  EXPECT_EQ(c.step, DecisionStep::local_pref);
  config_.default_local_pref = 300;
  EXPECT_TRUE(compare(a, b).b_better());
}

TEST_F(ComparatorTest, ShorterAsPathWinsWithSetCountingOneAndConfedZero) {
  PathAttributes a = base(), b = base();
  a.as_path->segments.push_back({AsPathSegmentType::as_set, {1, 2, 3, 4}});       // length 3
  b.as_path->segments.push_back({AsPathSegmentType::as_sequence, {5, 6}});        // length 4
  b.as_path->segments.insert(b.as_path->segments.begin(), {AsPathSegmentType::confed_sequence, {7, 8, 9}});
  const PathComparison c = compare(a, b);
  EXPECT_TRUE(c.a_better());
  EXPECT_EQ(c.step, DecisionStep::as_path_length);
}

TEST_F(ComparatorTest, LowerOriginWins) {
  PathAttributes a = base(), b = base();
  b.origin = Origin::incomplete;
  a.origin = Origin::egp;
  const PathComparison c = compare(a, b);
  EXPECT_TRUE(c.a_better());
  EXPECT_EQ(c.step, DecisionStep::origin);
}

TEST_F(ComparatorTest, LowerMedWinsOnlyFromTheSameNeighbourAs) {
  PathAttributes a = base(), b = base();  // both paths start with AS 65001
  a.med = 20;
  b.med = 10;
  PathComparison c = compare(a, b);
  EXPECT_TRUE(c.b_better());
  EXPECT_EQ(c.step, DecisionStep::med);

  b.as_path->segments[0].asns[0] = 65002;  // different neighbour AS: MED ignored
  c = compare(a, b);
  EXPECT_NE(c.step, DecisionStep::med);
  EXPECT_EQ(c.step, DecisionStep::router_id);

  config_.always_compare_med = true;
  c = compare(a, b);
  EXPECT_TRUE(c.b_better());
  EXPECT_EQ(c.step, DecisionStep::med);
}

TEST_F(ComparatorTest, MissingMedIsZero) {
  PathAttributes a = base(), b = base();
  b.med = 1;
  const PathComparison c = compare(a, b);
  EXPECT_TRUE(c.a_better());
  EXPECT_EQ(c.step, DecisionStep::med);
}

TEST_F(ComparatorTest, EbgpBeatsIbgp) {
  add_peer(3, 65000, /*ebgp=*/false);
  PathAttributes a = base();
  AttrSetRef ra = intern(a);
  const PathComparison c = compare_paths(view(3, ra), view(1, ra), config_);
  EXPECT_TRUE(c.b_better());
  EXPECT_EQ(c.step, DecisionStep::ebgp_over_ibgp);
}

TEST_F(ComparatorTest, LowerIgpCostWins) {
  const PathComparison c = compare(base(), base(), 5, 3);
  EXPECT_TRUE(c.b_better());
  EXPECT_EQ(c.step, DecisionStep::igp_cost);
}

TEST_F(ComparatorTest, LowerRouterIdWinsAndOriginatorIdStandsInForIt) {
  PathComparison c = compare(base(), base());  // router ids 1 and 2
  EXPECT_TRUE(c.a_better());
  EXPECT_EQ(c.step, DecisionStep::router_id);
  PathAttributes reflected = base();
  reflected.originator_id = 9;  // RFC 4456 §9: compared instead of peer 1's id
  c = compare(reflected, base());
  EXPECT_TRUE(c.b_better());
  EXPECT_EQ(c.step, DecisionStep::router_id);
}

TEST_F(ComparatorTest, ShorterClusterListWins) {
  PathAttributes a = base(), b = base();
  a.originator_id = 9;
  b.originator_id = 9;
  a.cluster_list = {1, 2};
  b.cluster_list = {1};
  const PathComparison c = compare(a, b);
  EXPECT_TRUE(c.b_better());
  EXPECT_EQ(c.step, DecisionStep::cluster_list_length);
}

TEST_F(ComparatorTest, LowerPeerAddressIsTheLastTieBreak) {
  PeerInfo twin = peers_[2];
  twin.id = 3;
  twin.router_id = 1;  // same router id as peer 1, address 10.0.2.1 > 10.0.1.1
  peers_.upsert(twin);
  AttrSetRef a = intern(base());
  const PathComparison c = compare_paths(view(3, a), view(1, a), config_);
  EXPECT_TRUE(c.b_better());
  EXPECT_EQ(c.step, DecisionStep::peer_address);
}

TEST_F(ComparatorTest, LastStepLimitsTheComparison) {
  const PathComparison c = compare_paths(view(1, route(1)), view(2, route(2)), config_, DecisionStep::igp_cost);
  EXPECT_EQ(c.preference, 0);
  EXPECT_EQ(c.step, DecisionStep::equal);
  EXPECT_STREQ(decision_step_name(DecisionStep::as_path_length), "as-path-length");
}

}  // namespace
}  // namespace halink::bgp::testing
