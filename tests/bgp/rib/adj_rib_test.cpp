#include <gtest/gtest.h>

#include <algorithm>

#include "bgp/rib/adj_rib_in.h"
#include "bgp/rib/adj_rib_out.h"
#include "bgp/rib/loc_rib.h"

namespace halink::bgp {
namespace {

Prefix P(const char* text) { return Prefix::parse(text).value(); }

class AdjRibTest : public ::testing::Test {
protected:
  AttrSetRef attrs(uint32_t med) {
    PathAttributes a;
    a.origin = Origin::igp;
    a.med = med;
    return store_.intern(a);
  }
  AttributeStore store_;
};

TEST_F(AdjRibTest, InIsThePeersViewOfTheLocRib) {
  LocRib rib;
  AdjRibIn in1(rib, 1), in2(rib, 2);
  PathList& list = rib.find_or_insert(P("10.0.0.0/8"));
  rib.add_path(list, Family::ipv4, {attrs(1), 1});
  rib.add_path(list, Family::ipv4, {attrs(2), 2});
  PathList& v6 = rib.find_or_insert(P("2001:db8::/32"));
  rib.add_path(v6, Family::ipv6, {attrs(3), 1});
  EXPECT_EQ(in1.size(), 2u);
  EXPECT_EQ(in1.size(Family::ipv6), 1u);
  EXPECT_EQ(in2.size(), 1u);
  EXPECT_EQ((*in2.find(P("10.0.0.0/8")))->med, 2u);
  EXPECT_EQ(in2.find(P("2001:db8::/32")), nullptr);
  std::vector<Prefix> prefixes = in1.prefixes();
  std::sort(prefixes.begin(), prefixes.end());
  EXPECT_EQ(prefixes, (std::vector<Prefix>{P("10.0.0.0/8"), P("2001:db8::/32")}));
  rib.remove_path(list, Family::ipv4, list.find(1));
  EXPECT_EQ(in1.size(Family::ipv4), 0u);
  EXPECT_EQ(in1.find(P("10.0.0.0/8")), nullptr);
}

TEST_F(AdjRibTest, PrePolicyCopyOnlyWhenEnabled) {
  LocRib rib;
  AdjRibIn plain(rib, 1);
  plain.update_pre_policy(P("10.0.0.0/8"), attrs(1));
  EXPECT_EQ(plain.pre_policy_size(), 0u);
  AdjRibIn soft(rib, 2, /*keep_pre_policy=*/true);
  soft.update_pre_policy(P("10.0.0.0/8"), attrs(1));
  EXPECT_EQ((*soft.find_pre_policy(P("10.0.0.0/8")))->med, 1u);
  EXPECT_EQ(soft.find(P("10.0.0.0/8")), nullptr);  // rejected by policy: not post-policy
  soft.withdraw_pre_policy(P("10.0.0.0/8"));
  EXPECT_EQ(soft.pre_policy_size(), 0u);
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(AdjRibTest, OutSuppressesRepeatsAndUnneededWithdrawals) {
  AdjRibOut out(3);
  EXPECT_FALSE(out.withdraw(P("2001:db8::/32")));
  EXPECT_TRUE(out.announce(P("2001:db8::/32"), {attrs(1), 1}));
  EXPECT_FALSE(out.announce(P("2001:db8::/32"), {attrs(1), 1}));
  EXPECT_TRUE(out.announce(P("2001:db8::/32"), {attrs(1), 2}));  // same attributes from another peer
  EXPECT_TRUE(out.announce(P("2001:db8::/32"), {attrs(5), 2}));
  // Queued three times, sent once, with what the Adj-RIB-Out holds.
  EXPECT_FALSE(out.take_queued(P("2001:db8::/32"), {attrs(1), 1}));
  EXPECT_TRUE(out.take_queued(P("2001:db8::/32"), {attrs(5), 2}));
  EXPECT_FALSE(out.take_queued(P("2001:db8::/32"), {attrs(5), 2}));
  EXPECT_EQ(out.size(Family::ipv6), 1u);
  EXPECT_TRUE(out.withdraw(P("2001:db8::/32")));
}

TEST_F(AdjRibTest, LocRibHoldsCandidatesPerPrefix) {
  LocRib rib;
  rib.add_path(rib.find_or_insert(P("10.0.0.0/8")), Family::ipv4, {attrs(1), 1});
  rib.add_path(rib.find_or_insert(P("10.0.0.0/8")), Family::ipv4, {attrs(2), 2});
  rib.add_path(rib.find_or_insert(P("2001:db8::/32")), Family::ipv6, {attrs(1), 1});
  EXPECT_EQ(rib.prefix_count(), 2u);
  EXPECT_EQ(rib.find(P("10.0.0.0/8"))->size(), 2u);
  EXPECT_EQ(rib.path_count(1, Family::ipv4), 1u);
  PathList& list = *rib.find(P("10.0.0.0/8"));
  rib.remove_path(list, Family::ipv4, list.find(1));
  rib.remove_path(list, Family::ipv4, list.find(2));
  rib.erase(P("10.0.0.0/8"));
  EXPECT_EQ(rib.find(P("10.0.0.0/8")), nullptr);
  EXPECT_EQ(store_.size(), 1u);
}

}  // namespace
}  // namespace halink::bgp
