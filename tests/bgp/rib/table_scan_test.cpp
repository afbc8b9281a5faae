// The resumable scan under RIB slices (FlatTable::scan via PrefixMap::scan):
// every entry present for the whole walk is visited exactly once, however
// the table changes between calls.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "bgp/rib/prefix_map.h"

namespace halink::bgp {
namespace {

Prefix v4(uint32_t n, int length = 24) { return Prefix::make_masked(IpAddress::v4(n << 8), length); }
Prefix v6(uint32_t n) {
  uint8_t bytes[16] = {0x20, 0x01, 0x0d, 0xb8};
  bytes[4] = uint8_t(n >> 24);
  bytes[5] = uint8_t(n >> 16);
  bytes[6] = uint8_t(n >> 8);
  bytes[7] = uint8_t(n);
  return Prefix::make_masked(IpAddress::from_bytes(Family::ipv6, bytes), 64);
}

TEST(TableScan, EmptyMapIsDoneAtOnce) {
  PrefixMap<int> map;
  PrefixMap<int>::Cursor cursor;
  EXPECT_TRUE(map.scan(cursor, 10, [](const Prefix&, int&) { ADD_FAILURE(); }));
}

TEST(TableScan, VisitsEveryEntryOnceInBoundedCalls) {
  PrefixMap<int> map;
  for (uint32_t i = 0; i < 5000; ++i) *map.find_or_insert(v4(i)).first = 1;
  for (uint32_t i = 0; i < 700; ++i) *map.find_or_insert(v6(i)).first = 1;
  std::map<Prefix, int> seen;
  PrefixMap<int>::Cursor cursor;
  size_t calls = 0, largest = 0;
  for (bool done = false; !done; ++calls) {
    size_t visited = 0;
    done = map.scan(cursor, 100, [&](const Prefix& p, int&) {
      ++seen[p];
      ++visited;
    });
    largest = std::max(largest, visited);
  }
  EXPECT_EQ(seen.size(), 5700u);
  for (const auto& [prefix, count] : seen) EXPECT_EQ(count, 1) << prefix.to_string();
  // A call ends at the first empty slot after its budget: probe runs at
  // load ≤ 0.8 are short, so the overshoot is small.
  EXPECT_LE(largest, 2 * 100u);
  EXPECT_GE(calls, 5700u / 200u);
}

TEST(TableScan, SurvivesInsertsErasesAndGrowthBetweenCalls) {
  std::mt19937 rng(7);
  for (int round = 0; round < 8; ++round) {
    PrefixMap<int> map;
    std::vector<Prefix> present;  // erase picks at random: a vector, swap-and-pop
    uint32_t next = 0;
    for (; next < 3000; ++next) {
      *map.find_or_insert(v4(next)).first = 1;
      present.push_back(v4(next));
    }
    const uint32_t initial = next;
    std::set<Prefix> erased;
    std::map<Prefix, int> seen;
    PrefixMap<int>::Cursor cursor;
    for (bool done = false; !done;) {
      done = map.scan(cursor, 1 + rng() % 200, [&](const Prefix& p, int&) { ++seen[p]; });
      // Other work between slices: new prefixes (forcing growth) and
      // withdrawals of random ones (shifting probe runs back).
      for (int k = 0; k < 150; ++k) {
        *map.find_or_insert(v4(next)).first = 1;
        present.push_back(v4(next++));
      }
      for (int k = 0; k < 100 && !present.empty(); ++k) {
        const size_t at = rng() % present.size();
        map.erase(present[at]);
        erased.insert(present[at]);
        present[at] = present.back();
        present.pop_back();
      }
    }
    for (uint32_t i = 0; i < initial; ++i) {
      if (!erased.count(v4(i))) {
        EXPECT_EQ(seen[v4(i)], 1) << "round " << round << " " << v4(i).to_string();
      }
    }
    for (const auto& [prefix, count] : seen) EXPECT_LE(count, 1) << prefix.to_string();
  }
}

}  // namespace
}  // namespace halink::bgp
