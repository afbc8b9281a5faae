#include "fib/memory_fib.h"

#include <gtest/gtest.h>

#include "fib_test_support.h"

namespace halink::fib {
namespace {

using test::change;
using test::ip;
using test::many_routes;
using test::prefix;
using test::via;
using test::withdraw;

const NextHop a = via("192.0.2.1", "wg0");
const NextHop b = via("192.0.2.5", "wg1");
const NextHop c = via("192.0.2.9", "wg2");
const NextHop d = via("192.0.2.13", "wg3");

TEST(MemoryFib, InstallsAndReadsBackRoutes) {
  MemoryFib fib;
  RouteChange changes[] = {change("10.1.0.0/16", {b, a}), change("2001:db8::/32", {via("fe80::1", "wg0")})};
  ASSERT_TRUE(fib.apply(changes).ok());
  auto routes = fib.routes();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].prefix, prefix("10.1.0.0/16"));
  EXPECT_EQ(routes[0].next_hops, (std::vector<NextHop>{a, b}));
  FibStats stats = fib.stats();
  EXPECT_EQ(stats.routes, 2u);
  EXPECT_EQ(stats.groups, 2u);
  EXPECT_EQ(stats.next_hops, 3u);
  EXPECT_EQ(stats.route_writes, 2u);
}

TEST(MemoryFib, LookupUsesTheLongestMatch) {
  MemoryFib fib;
  RouteChange changes[] = {change("10.0.0.0/8", {a}), change("10.1.0.0/16", {b}), change("0.0.0.0/0", {c})};
  ASSERT_TRUE(fib.apply(changes).ok());
  EXPECT_EQ(fib.lookup(ip("10.1.2.3"))->next_hops, std::vector<NextHop>{b});
  EXPECT_EQ(fib.lookup(ip("10.2.2.3"))->next_hops, std::vector<NextHop>{a});
  EXPECT_EQ(fib.lookup(ip("192.0.2.77"))->prefix, prefix("0.0.0.0/0"));
  EXPECT_FALSE(fib.lookup(ip("2001:db8::1")));
}

TEST(MemoryFib, FailoverCostsOneNextHopDeleteWhateverTheRouteCount) {
  for (int count : {100, 10000}) {
    MemoryFib fib;
    ASSERT_TRUE(fib.apply(many_routes(count, {a, b, c, d})).ok());
    FibStats before = fib.stats();
    ASSERT_TRUE(fib.remove_next_hop(d).ok());
    FibStats after = fib.stats();
    // The kernel drops the deleted nexthop from the group: no group write.
    EXPECT_EQ(after.group_writes - before.group_writes, 0u);
    EXPECT_EQ(after.next_hop_writes - before.next_hop_writes, 1u);
    EXPECT_EQ(after.route_writes, before.route_writes);
    EXPECT_EQ(fib.lookup(ip("10.0.5.1"))->next_hops, (std::vector<NextHop>{a, b, c}));
    for (const FibRoute& route : fib.routes()) ASSERT_EQ(route.next_hops, (std::vector<NextHop>{a, b, c}));
  }
}

TEST(MemoryFib, LosingTheLastNextHopRemovesTheRoutes) {
  MemoryFib fib;
  ASSERT_TRUE(fib.apply(many_routes(50, {a})).ok());
  RouteChange other[] = {change("172.16.0.0/12", {b})};
  ASSERT_TRUE(fib.apply(other).ok());
  ASSERT_TRUE(fib.remove_next_hop(a).ok());
  EXPECT_EQ(fib.routes().size(), 1u);
  EXPECT_EQ(fib.stats().routes_lost_with_last_next_hop, 50u);
  EXPECT_TRUE(fib.remove_next_hop(a).ok());  // unknown next hop: nothing to do
}

TEST(MemoryFib, InterfaceGoneRemovesEveryNextHopThroughIt) {
  MemoryFib fib;
  NextHop a2 = via("192.0.2.2", "wg0");
  ASSERT_TRUE(fib.apply(many_routes(30, {a, a2, b})).ok());
  FibStats before = fib.stats();
  ASSERT_TRUE(fib.remove_next_hops_via("wg0").ok());
  EXPECT_EQ(fib.stats().route_writes, before.route_writes);
  for (const FibRoute& route : fib.routes()) EXPECT_EQ(route.next_hops, std::vector<NextHop>{b});
  EXPECT_TRUE(fib.remove_next_hops_via("wg7").ok());
}

TEST(MemoryFib, ModelAcceptsEveryPlanThroughChurn) {
  MemoryFib fib;
  std::vector<NextHop> sets[] = {{a}, {a, b}, {b, c}, {a, b, c, d}, {d}, {}};
  for (int round = 0; round < 12; ++round) {
    std::vector<RouteChange> changes;
    for (int i = 0; i < 40; ++i)
      changes.push_back(change("10." + std::to_string(i) + ".0.0/16", sets[(i * 7 + round) % 6]));
    ASSERT_TRUE(fib.apply(changes).ok()) << round;
    if (round % 4 == 3) {
      ASSERT_TRUE(fib.remove_next_hop(sets[round % 5][0]).ok());
    }
    if (round % 3 == 2) {
      ASSERT_TRUE(fib.merge_duplicate_groups(7).ok());
    }
    // The model of the kernel and the planner agree route by route.
    ASSERT_EQ(fib.routes(), fib.planner().routes()) << round;
  }
  EXPECT_EQ(fib.stats().failed_writes, 0u);
}

TEST(MemoryFib, InvalidChangeIsReportedAndOthersApply) {
  MemoryFib fib;
  RouteChange changes[] = {change("2001:db8::/32", {a}), change("10.0.0.0/8", {a})};
  Status status = fib.apply(changes);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("2001:db8::/32"), std::string::npos);
  EXPECT_EQ(fib.routes().size(), 1u);
}

TEST(MemoryFib, WithdrawLeavesNothingBehind) {
  MemoryFib fib;
  ASSERT_TRUE(fib.apply(many_routes(20, {a, b}, 10)).ok());
  ASSERT_TRUE(fib.apply(many_routes(20, {}, 10)).ok());
  FibStats stats = fib.stats();
  EXPECT_EQ(stats.routes + stats.groups + stats.next_hops, 0u);
}

}  // namespace
}  // namespace halink::fib
