#include <gtest/gtest.h>

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

TEST_F(AdjRibTest, InDetectsDuplicatesAndWithdraws) {
  AdjRibIn in(7);
  EXPECT_TRUE(in.update(P("10.0.0.0/8"), attrs(1)));
  EXPECT_FALSE(in.update(P("10.0.0.0/8"), attrs(1)));  // same attributes again
  EXPECT_TRUE(in.update(P("10.0.0.0/8"), attrs(2)));   // implicit withdraw + replace
  EXPECT_EQ(in.size(), 1u);
  EXPECT_EQ(store_.size(), 1u);  // the replaced set was released
  EXPECT_EQ((*in.find(P("10.0.0.0/8")))->med, 2u);
  EXPECT_TRUE(in.withdraw(P("10.0.0.0/8")));
  EXPECT_FALSE(in.withdraw(P("10.0.0.0/8")));
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(AdjRibTest, PrePolicyCopyOnlyWhenEnabled) {
  AdjRibIn plain(1);
  plain.update_pre_policy(P("10.0.0.0/8"), attrs(1));
  EXPECT_EQ(plain.pre_policy_size(), 0u);
  AdjRibIn soft(2, /*keep_pre_policy=*/true);
  soft.update_pre_policy(P("10.0.0.0/8"), attrs(1));
  soft.update(P("10.0.0.0/8"), attrs(2));
  EXPECT_EQ((*soft.find_pre_policy(P("10.0.0.0/8")))->med, 1u);
  EXPECT_EQ((*soft.find(P("10.0.0.0/8")))->med, 2u);
  soft.clear();
  EXPECT_EQ(soft.size() + soft.pre_policy_size(), 0u);
}

TEST_F(AdjRibTest, OutSuppressesRepeatsAndUnneededWithdrawals) {
  AdjRibOut out(3);
  EXPECT_FALSE(out.withdraw(P("2001:db8::/32")));
  EXPECT_TRUE(out.announce(P("2001:db8::/32"), attrs(1)));
  EXPECT_FALSE(out.announce(P("2001:db8::/32"), attrs(1)));
  EXPECT_TRUE(out.announce(P("2001:db8::/32"), attrs(5)));
  EXPECT_EQ(out.size(Family::ipv6), 1u);
  EXPECT_TRUE(out.withdraw(P("2001:db8::/32")));
}

TEST_F(AdjRibTest, LocRibHoldsCandidatesPerPrefix) {
  LocRib rib;
  rib.find_or_insert(P("10.0.0.0/8")).push_back({attrs(1), 1});
  rib.find_or_insert(P("10.0.0.0/8")).push_back({attrs(2), 2});
  rib.find_or_insert(P("2001:db8::/32")).push_back({attrs(1), 1});
  EXPECT_EQ(rib.prefix_count(), 2u);
  EXPECT_EQ(rib.find(P("10.0.0.0/8"))->size(), 2u);
  rib.erase(P("10.0.0.0/8"));
  EXPECT_EQ(rib.find(P("10.0.0.0/8")), nullptr);
  EXPECT_EQ(store_.size(), 1u);
}

}  // namespace
}  // namespace halink::bgp
