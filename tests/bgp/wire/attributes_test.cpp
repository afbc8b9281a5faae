#include "bgp/wire/attributes.h"

#include <gtest/gtest.h>

namespace halink::bgp {
namespace {

AsPath path(std::initializer_list<AsPathSegment> segs) { return AsPath{segs}; }
AsPathSegment seq(std::vector<uint32_t> a) { return {AsPathSegmentType::as_sequence, std::move(a)}; }
AsPathSegment set(std::vector<uint32_t> a) { return {AsPathSegmentType::as_set, std::move(a)}; }
AsPathSegment confed(std::vector<uint32_t> a) { return {AsPathSegmentType::confed_sequence, std::move(a)}; }

TEST(AsPath, DecisionLengthCountsSetAsOneAndConfedAsZero) {
  auto p = path({confed({65010, 65011}), seq({65001, 65002}), set({65003, 65004, 65005})});
  EXPECT_EQ(p.decision_length(), 3u);
  EXPECT_EQ(p.neighbor_as(), 65001u);
  EXPECT_EQ(p.origin_as(), 0u);  // ends in a set
  EXPECT_EQ(path({seq({1, 2, 3})}).origin_as(), 3u);
  EXPECT_EQ(AsPath{}.neighbor_as(), 0u);
  EXPECT_EQ(p.to_string(), "(65010 65011) 65001 65002 {65003,65004,65005}");
}

TEST(AsPath, ContainsAndCount) {
  auto p = path({seq({1, 2, 1}), set({1, 3})});
  EXPECT_TRUE(p.contains(3));
  EXPECT_FALSE(p.contains(4));
  EXPECT_EQ(p.count(1), 3u);
}

TEST(AsPath, PrependMergesIntoLeadingSequence) {
  auto p = path({seq({2, 3})});
  p.prepend(1, 2);
  EXPECT_EQ(p, path({seq({1, 1, 2, 3})}));
  auto q = path({set({5, 6})});
  q.prepend(7);
  EXPECT_EQ(q, path({seq({7}), set({5, 6})}));
}

TEST(AsPath, PrependSplitsAt255) {
  AsPath p = path({seq(std::vector<uint32_t>(250, 9))});
  p.prepend(1, 10);
  ASSERT_EQ(p.segments.size(), 2u);
  EXPECT_EQ(p.segments[0].asns.size(), 5u);  // the new leftmost segment takes the overflow
  EXPECT_EQ(p.segments[1].asns.size(), 255u);
  EXPECT_EQ(p.decision_length(), 260u);
  EXPECT_EQ(p.segments[0].asns.front(), 1u);
}

TEST(Communities, TextForms) {
  EXPECT_EQ(community_to_string(community::no_export), "no-export");
  EXPECT_EQ(community_to_string(community::graceful_shutdown), "graceful-shutdown");
  EXPECT_EQ(community_to_string(65000u << 16 | 100), "65000:100");
  EXPECT_EQ(parse_community("65000:100"), 65000u << 16 | 100);
  EXPECT_EQ(parse_community("blackhole"), community::blackhole);
  EXPECT_FALSE(parse_community("65536:1"));
  EXPECT_FALSE(parse_community("nonsense"));
  EXPECT_EQ((LargeCommunity{65000, 1, 2}.to_string()), "65000:1:2");
}

TEST(Communities, ExtendedText) {
  EXPECT_EQ(extended_community_to_string(0x0002FDE800000064ULL), "rt:65000:100");
  EXPECT_EQ(extended_community_to_string(0x01020A0000010064ULL), "rt:10.0.0.1:100");
  EXPECT_EQ(extended_community_to_string(0x020300010000000AULL), "soo:65536:10");
  EXPECT_EQ(extended_community_to_string(0x8006000000000000ULL), "0x8006000000000000");
}

TEST(PathAttributes, EqualValuesHashEqual) {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = path({seq({1, 2})});
  a.communities = {1, 2};
  PathAttributes b = a;
  EXPECT_EQ(a.hash(), b.hash());
  b.communities.push_back(3);
  EXPECT_NE(a.hash(), b.hash());
  EXPECT_STREQ(origin_name(Origin::incomplete), "incomplete");
}

}  // namespace
}  // namespace halink::bgp
