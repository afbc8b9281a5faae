#include "bgp/rib/prefix_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "bgp/rib/path_list.h"
#include "bgp/rib/table_memory.h"

namespace halink::bgp {
namespace {

Prefix P(const char* text) { return Prefix::parse(text).value(); }

TEST(PrefixMap, InsertFindEraseBothFamilies) {
  PrefixMap<int> map;
  *map.find_or_insert(P("10.0.0.0/8")).first = 1;
  *map.find_or_insert(P("10.0.0.0/16")).first = 2;
  *map.find_or_insert(P("2001:db8::/32")).first = 3;
  *map.find_or_insert(P("2001:db8::/48")).first = 4;
  EXPECT_EQ(map.size(), 4u);
  EXPECT_EQ(map.size(Family::ipv4), 2u);
  EXPECT_EQ(*map.find(P("10.0.0.0/8")), 1);
  EXPECT_EQ(*map.find(P("10.0.0.0/16")), 2);
  EXPECT_EQ(*map.find(P("2001:db8::/48")), 4);
  EXPECT_EQ(map.find(P("10.0.0.0/24")), nullptr);
  auto [existing, inserted] = map.find_or_insert(P("10.0.0.0/8"));
  EXPECT_FALSE(inserted);
  EXPECT_EQ(*existing, 1);
  EXPECT_TRUE(map.erase(P("10.0.0.0/8")));
  EXPECT_FALSE(map.erase(P("10.0.0.0/8")));
  EXPECT_EQ(map.find(P("10.0.0.0/8")), nullptr);
  EXPECT_EQ(*map.find(P("10.0.0.0/16")), 2);
}

TEST(PrefixMap, ForEachGivesBackThePrefixes) {
  PrefixMap<int> map;
  std::map<Prefix, int> expected{{P("0.0.0.0/0"), 1}, {P("192.0.2.0/24"), 2}, {P("::/0"), 3},
                                 {P("2001:db8:1::/64"), 4}};
  for (auto& [p, v] : expected) *map.find_or_insert(p).first = v;
  std::map<Prefix, int> seen;
  map.for_each([&](const Prefix& p, int& v) { seen[p] = v; });
  EXPECT_EQ(seen, expected);
}

// Random inserts and erases against std::map: exercises growth and the
// backward-shift deletion across wrap-around.
TEST(PrefixMap, MatchesReferenceUnderRandomOperations) {
  std::mt19937 rng(42);
  PrefixMap<uint32_t> map;
  std::map<Prefix, uint32_t> reference;
  for (int i = 0; i < 200000; ++i) {
    const uint32_t address = rng() & 0xffff00u;  // small key space: many collisions and re-inserts
    const Prefix p = Prefix::make_masked(IpAddress::v4(address), 24);
    if (rng() % 3 == 0) {
      EXPECT_EQ(map.erase(p), reference.erase(p) == 1);
    } else {
      *map.find_or_insert(p).first = static_cast<uint32_t>(i);
      reference[p] = static_cast<uint32_t>(i);
    }
  }
  ASSERT_EQ(map.size(), reference.size());
  for (auto& [p, v] : reference) {
    const uint32_t* found = map.find(p);
    ASSERT_NE(found, nullptr) << p.to_string();
    EXPECT_EQ(*found, v);
  }
}


// Past a few MB the slot array grows where it is (table_memory.h) and the
// table rehashes in place: every entry must stay findable, erasable and
// correct through many such growths, with erasures in between.
TEST(PrefixMap, GrowsInPlaceWithoutLosingEntries) {
  std::mt19937 rng(7);
  PrefixMap<PathList> map;  // the Loc-RIB's slot: 32 bytes, in place from ~130,000 slots
  std::map<Prefix, PeerId> reference;
  size_t mapped_seen = 0;
  for (int i = 0; i < 400000; ++i) {  // ~240,000 entries: two growths in place
    const Prefix p = Prefix::make_masked(IpAddress::v4(rng()), 16 + static_cast<int>(rng() % 9));
    if (rng() % 5 == 0) {
      EXPECT_EQ(map.erase(p), reference.erase(p) == 1);
      continue;
    }
    auto [list, inserted] = map.find_or_insert(p);
    ASSERT_EQ(inserted, reference.count(p) == 0) << p.to_string();
    if (inserted) list->push_back(Path{AttrSetRef{}, static_cast<PeerId>(i)});
    reference.emplace(p, static_cast<PeerId>(i));
    mapped_seen = std::max(mapped_seen, table_memory_mapped_bytes());
  }
  EXPECT_GT(mapped_seen, 0u) << "the test did not reach the in-place growth";
  ASSERT_EQ(map.size(), reference.size());
  for (auto& [p, peer] : reference) {
    const PathList* found = map.find(p);
    ASSERT_NE(found, nullptr) << p.to_string();
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ((*found)[0].peer, peer);
  }
}

}  // namespace
}  // namespace halink::bgp
