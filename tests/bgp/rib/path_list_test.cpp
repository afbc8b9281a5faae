#include "bgp/rib/path_list.h"

#include <gtest/gtest.h>

namespace halink::bgp {
namespace {

class PathListTest : public ::testing::Test {
protected:
  AttrSetRef attrs(uint8_t n) {
    PathAttributes a;
    a.origin = Origin::igp;
    a.next_hop = IpAddress::v4(192, 0, 2, n);
    return store_.intern(a);
  }
  AttributeStore store_;
};

TEST_F(PathListTest, FirstPathIsInlineAndListGrowsAndShrinks) {
  static_assert(sizeof(PathList) == 24);
  PathList list;
  EXPECT_TRUE(list.empty());
  list.push_back({attrs(1), 1});
  list.push_back({attrs(2), 2});
  list.push_back({attrs(3), 3});
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list.find(2)->attributes->next_hop, IpAddress::v4(192, 0, 2, 2));
  list.erase(list.find(1));
  list.erase(list.find(3));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].peer, 2u);
  EXPECT_EQ(list.find(1), nullptr);
  list.erase(list.find(2));
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(store_.size(), 0u);  // every reference released
}

TEST_F(PathListTest, MoveKeepsPathsAndReferences) {
  PathList a;
  a.push_back({attrs(1), 1});
  PathList b(std::move(a));
  EXPECT_TRUE(a.empty());
  ASSERT_EQ(b.size(), 1u);
  b.push_back({attrs(2), 2});
  b.set_multipath_count(2);
  PathList c;
  c = std::move(b);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.multipath_count(), 2u);
  EXPECT_EQ(c.best()->peer, 1u);
  EXPECT_EQ(store_.size(), 2u);
}

TEST_F(PathListTest, ErasingClampsTheMultipathCount) {
  PathList list;
  list.push_back({attrs(1), 1});
  list.push_back({attrs(2), 2});
  list.set_multipath_count(2);
  list.erase(list.find(1));
  EXPECT_EQ(list.multipath_count(), 1u);
}

}  // namespace
}  // namespace halink::bgp
