#include "fib/nexthop_groups.h"

#include <gtest/gtest.h>

#include "fib_test_support.h"

namespace halink::fib {
namespace {

using test::change;
using test::many_routes;
using test::prefix;
using test::via;
using test::withdraw;

template <class Op>
size_t count_of(const Plan& plan) {
  size_t n = 0;
  for (const FibOperation& op : plan.operations) n += std::holds_alternative<Op>(op) ? 1 : 0;
  return n;
}

const NextHop a = via("192.0.2.1", "wg0");
const NextHop b = via("192.0.2.5", "wg1");
const NextHop c = via("192.0.2.9", "wg2");
const NextHop d = via("192.0.2.13", "wg3");

TEST(NextHopGroups, FirstRouteCreatesNextHopsThenGroupThenRoute) {
  NextHopGroups groups(100);
  RouteChange changes[] = {change("10.1.0.0/16", {a, b})};
  Plan plan = groups.apply(changes);
  ASSERT_TRUE(plan.errors.empty());
  ASSERT_EQ(plan.operations.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<AddNextHop>(plan.operations[0]));
  EXPECT_TRUE(std::holds_alternative<AddNextHop>(plan.operations[1]));
  const auto& group = std::get<SetGroup>(plan.operations[2]);
  EXPECT_TRUE(group.created);
  EXPECT_EQ(group.members.size(), 2u);
  const auto& route = std::get<SetRoute>(plan.operations[3]);
  EXPECT_EQ(route.group, group.id);
  EXPECT_EQ(route.prefix, prefix("10.1.0.0/16"));
}

TEST(NextHopGroups, RoutesWithTheSameSetShareOneGroupWhateverTheOrder) {
  NextHopGroups groups;
  RouteChange changes[] = {change("10.1.0.0/16", {a, b, c}), change("10.2.0.0/16", {c, a, b}),
                           change("10.3.0.0/16", {b, c, a})};
  Plan plan = groups.apply(changes);
  EXPECT_EQ(count_of<AddNextHop>(plan), 3u);
  EXPECT_EQ(count_of<SetGroup>(plan), 1u);
  EXPECT_EQ(count_of<SetRoute>(plan), 3u);
  EXPECT_EQ(groups.group_count(), 1u);
  EXPECT_EQ(groups.group_of(prefix("10.1.0.0/16")), groups.group_of(prefix("10.3.0.0/16")));
}

TEST(NextHopGroups, SameNextHopSetAgainWritesNothing) {
  NextHopGroups groups;
  RouteChange changes[] = {change("10.1.0.0/16", {a, b})};
  (void)groups.apply(changes);
  RouteChange again[] = {change("10.1.0.0/16", {b, a})};
  EXPECT_TRUE(groups.apply(again).operations.empty());
}

TEST(NextHopGroups, WeightsMakeDistinctGroupsAndRepeatedPathsAddUp) {
  NextHopGroups groups;
  RouteChange changes[] = {change("10.1.0.0/16", {a, b}), change("10.2.0.0/16", {via("192.0.2.1", "wg0", 3), b}),
                           change("10.3.0.0/16", {a, via("192.0.2.1", "wg0", 2), b})};
  Plan plan = groups.apply(changes);
  EXPECT_EQ(count_of<AddNextHop>(plan), 2u);  // weights do not make new nexthop objects
  EXPECT_EQ(groups.group_count(), 2u);        // {a,b} and {a×3,b}
  EXPECT_EQ(groups.group_of(prefix("10.2.0.0/16")), groups.group_of(prefix("10.3.0.0/16")));
}

TEST(NextHopGroups, NextHopDeathReplacesTheGroupOnceAndMovesEveryRoute) {
  NextHopGroups groups;
  auto install = many_routes(10000, {a, b, c, d});
  (void)groups.apply(install);
  ObjectId group = *groups.group_of(prefix("10.0.0.0/24"));
  ObjectId dead = *groups.next_hop_id(d);

  Plan plan = groups.remove_next_hop(d);
  ASSERT_EQ(plan.operations.size(), 2u);
  const auto& replaced = std::get<SetGroup>(plan.operations[0]);
  EXPECT_EQ(replaced.id, group);
  EXPECT_FALSE(replaced.created);
  EXPECT_EQ(replaced.members.size(), 3u);
  // The kernel drops the member itself when the nexthop is deleted.
  EXPECT_TRUE(replaced.done_by_next_hop_delete);
  EXPECT_EQ(std::get<DeleteNextHop>(plan.operations[1]).id, dead);
  EXPECT_FALSE(groups.next_hop_id(d));
  for (const FibRoute& route : groups.routes()) EXPECT_EQ(route.next_hops.size(), 3u);

  // The speaker's recomputation afterwards finds nothing left to write.
  auto recomputed = many_routes(10000, {a, b, c});
  EXPECT_TRUE(groups.apply(recomputed).operations.empty());
}

TEST(NextHopGroups, WeightIsIgnoredWhenANextHopDies) {
  NextHopGroups groups;
  RouteChange changes[] = {change("10.1.0.0/16", {via("192.0.2.1", "wg0", 5), b})};
  (void)groups.apply(changes);
  Plan plan = groups.remove_next_hop(a);
  EXPECT_EQ(count_of<SetGroup>(plan), 1u);
  EXPECT_EQ(groups.routes()[0].next_hops, std::vector<NextHop>{b});
}

TEST(NextHopGroups, EcmpFourThreeZero) {
  NextHopGroups groups;
  auto install = many_routes(100, {a, b, c, d});
  (void)groups.apply(install);
  (void)groups.remove_next_hop(d);
  (void)groups.remove_next_hop(c);
  (void)groups.remove_next_hop(b);
  EXPECT_EQ(groups.route_count(), 100u);
  EXPECT_EQ(groups.next_hop_count(), 1u);

  Plan last = groups.remove_next_hop(a);
  ASSERT_EQ(last.operations.size(), 2u);
  const auto& removal = std::get<DeleteGroup>(last.operations[0]);
  EXPECT_EQ(removal.routes_removed.size(), 100u);
  EXPECT_TRUE(std::holds_alternative<DeleteNextHop>(last.operations[1]));
  EXPECT_EQ(groups.route_count(), 0u);
  EXPECT_EQ(groups.group_count(), 0u);
  EXPECT_EQ(groups.next_hop_count(), 0u);
  // The speaker's withdrawals that follow are no-ops.
  EXPECT_TRUE(groups.apply(many_routes(100, {})).operations.empty());
}

TEST(NextHopGroups, DuplicateSetAfterDeathIsUsedUntilMergedLazily) {
  NextHopGroups groups;
  auto wide = many_routes(10, {a, b, c, d}, 10);
  auto narrow = many_routes(5, {a, b, c}, 20);
  (void)groups.apply(wide);
  (void)groups.apply(narrow);
  ObjectId wide_group = *groups.group_of(prefix("10.0.0.0/24"));
  ObjectId narrow_group = *groups.group_of(prefix("20.0.0.0/24"));

  (void)groups.remove_next_hop(d);
  EXPECT_EQ(groups.group_count(), 2u);
  EXPECT_EQ(groups.duplicate_group_count(), 1u);
  EXPECT_EQ(groups.group_of(prefix("10.0.0.0/24")), wide_group);  // not moved during the failure

  // A new route with that set goes to the canonical group.
  RouteChange fresh[] = {change("30.0.0.0/8", {c, b, a})};
  Plan plan = groups.apply(fresh);
  EXPECT_EQ(count_of<SetGroup>(plan), 0u);
  EXPECT_EQ(groups.group_of(prefix("30.0.0.0/8")), narrow_group);

  Plan slice = groups.merge_duplicate_groups(4);
  EXPECT_EQ(count_of<SetRoute>(slice), 4u);
  EXPECT_EQ(count_of<DeleteGroup>(slice), 0u);
  Plan rest = groups.merge_duplicate_groups(100);
  EXPECT_EQ(count_of<SetRoute>(rest), 6u);
  ASSERT_EQ(count_of<DeleteGroup>(rest), 1u);
  EXPECT_EQ(groups.group_count(), 1u);
  EXPECT_EQ(groups.duplicate_group_count(), 0u);
  EXPECT_EQ(groups.routes_using(narrow_group).size(), 16u);
}

TEST(NextHopGroups, BatchMovingAWholeGroupRepointsTheGroupNotTheRoutes) {
  NextHopGroups groups;
  auto install = many_routes(1000, {a, b, c});
  (void)groups.apply(install);
  ObjectId group = *groups.group_of(prefix("10.0.0.0/24"));
  // The peer behind d comes back: the speaker re-sends every route with d.
  auto recovered = many_routes(1000, {a, b, c, d});
  Plan plan = groups.apply(recovered);
  EXPECT_EQ(count_of<AddNextHop>(plan), 1u);
  EXPECT_EQ(count_of<SetGroup>(plan), 1u);
  EXPECT_EQ(count_of<SetRoute>(plan), 0u);
  EXPECT_EQ(groups.group_of(prefix("10.3.231.0/24")), group);
  EXPECT_EQ(groups.members(group)->size(), 4u);
}

TEST(NextHopGroups, PartialMoveRepointsOnlyTheMovedRoutes) {
  NextHopGroups groups;
  auto install = many_routes(10, {a, b});
  (void)groups.apply(install);
  RouteChange changes[] = {change("10.0.0.0/24", {a}), change("10.0.1.0/24", {a})};
  Plan plan = groups.apply(changes);
  EXPECT_EQ(count_of<SetGroup>(plan), 1u);  // the new group {a}
  EXPECT_EQ(count_of<SetRoute>(plan), 2u);
  EXPECT_EQ(groups.group_count(), 2u);
}

TEST(NextHopGroups, WithdrawDeletesTheRouteAndUnusedObjects) {
  NextHopGroups groups;
  RouteChange install[] = {change("10.1.0.0/16", {a, b}), change("10.2.0.0/16", {b})};
  (void)groups.apply(install);
  RouteChange first[] = {withdraw("10.1.0.0/16")};
  Plan plan = groups.apply(first);
  // Route first, then its group, then nexthop a; b stays for 10.2/16.
  ASSERT_EQ(plan.operations.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<DeleteRoute>(plan.operations[0]));
  EXPECT_TRUE(std::holds_alternative<DeleteGroup>(plan.operations[1]));
  EXPECT_EQ(std::get<DeleteNextHop>(plan.operations[2]).id, *groups.next_hop_id(b) - 1);
  EXPECT_EQ(groups.next_hop_count(), 1u);

  RouteChange second[] = {withdraw("10.2.0.0/16"), withdraw("10.9.0.0/16")};
  EXPECT_EQ(groups.apply(second).operations.size(), 3u);
  EXPECT_EQ(groups.route_count() + groups.group_count() + groups.next_hop_count(), 0u);
}

TEST(NextHopGroups, SoleRouteChangingSetRepointsItsGroup) {
  NextHopGroups groups;
  RouteChange install[] = {change("10.1.0.0/16", {a, b})};
  (void)groups.apply(install);
  ObjectId group = *groups.group_of(prefix("10.1.0.0/16"));
  RouteChange moved[] = {change("10.1.0.0/16", {c})};
  Plan plan = groups.apply(moved);
  // add c, replace the group's members, delete a, delete b: the route itself is untouched.
  ASSERT_EQ(plan.operations.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<AddNextHop>(plan.operations[0]));
  EXPECT_EQ(std::get<SetGroup>(plan.operations[1]).id, group);
  EXPECT_EQ(count_of<SetRoute>(plan), 0u);
  EXPECT_EQ(groups.next_hop_count(), 1u);
}

TEST(NextHopGroups, FewRoutesMoveIntoAnExistingGroupInsteadOfDuplicatingIt) {
  NextHopGroups groups;
  RouteChange install[] = {change("10.1.0.0/16", {a, b}), change("10.2.0.0/16", {c})};
  (void)groups.apply(install);
  ObjectId target = *groups.group_of(prefix("10.2.0.0/16"));
  RouteChange moved[] = {change("10.1.0.0/16", {c})};
  Plan plan = groups.apply(moved);
  // route, delete old group, delete a, delete b
  ASSERT_EQ(plan.operations.size(), 4u);
  EXPECT_EQ(std::get<SetRoute>(plan.operations[0]).group, target);
  EXPECT_TRUE(std::holds_alternative<DeleteGroup>(plan.operations[1]));
  EXPECT_EQ(groups.group_count(), 1u);
  EXPECT_EQ(groups.duplicate_group_count(), 0u);
}

// The active/passive ISP failover's writes (docs/PERFORMANCE.md "Failover
// side by side"): with repoint_routes_up_to, a group of few routes is never
// replaced (the kernel waits for an RCU grace period under RTNL for that);
// its routes are re-pointed to a new group and the old one deleted unused.
TEST(NextHopGroups, NextHopDeathRepointsTheRoutesOfASmallGroupInsteadOfReplacingIt) {
  NextHopGroups groups(100, 4);
  RouteChange install[] = {change("10.1.0.0/16", {a, b}), change("10.2.0.0/16", {a, b})};
  (void)groups.apply(install);
  ObjectId old_group = *groups.group_of(prefix("10.1.0.0/16"));
  ObjectId dead = *groups.next_hop_id(a);

  Plan plan = groups.remove_next_hop(a);
  // add group {b}, re-point both routes, delete the old group, delete a.
  ASSERT_EQ(plan.operations.size(), 5u);
  const auto& created = std::get<SetGroup>(plan.operations[0]);
  EXPECT_TRUE(created.created);
  ASSERT_EQ(created.members.size(), 1u);
  EXPECT_EQ(std::get<SetRoute>(plan.operations[1]).group, created.id);
  EXPECT_EQ(std::get<SetRoute>(plan.operations[2]).group, created.id);
  EXPECT_EQ(std::get<DeleteGroup>(plan.operations[3]).id, old_group);
  EXPECT_TRUE(std::get<DeleteGroup>(plan.operations[3]).routes_removed.empty());
  EXPECT_EQ(std::get<DeleteNextHop>(plan.operations[4]).id, dead);
  for (const FibOperation& op : plan.operations) {
    if (auto* set = std::get_if<SetGroup>(&op)) {
      EXPECT_TRUE(set->created) << to_string(op);
    }
  }
  for (const FibRoute& route : groups.routes()) EXPECT_EQ(route.next_hops, std::vector<NextHop>{b});
  EXPECT_EQ(groups.group_count(), 1u);
  EXPECT_EQ(groups.next_hop_count(), 1u);

  // The speaker's recomputation afterwards finds nothing left to write.
  RouteChange recomputed[] = {change("10.1.0.0/16", {b}), change("10.2.0.0/16", {b})};
  EXPECT_TRUE(groups.apply(recomputed).operations.empty());
}

TEST(NextHopGroups, SmallGroupsMoveIntoTheSurvivorsExistingGroup) {
  NextHopGroups groups(100, 4);
  RouteChange install[] = {change("10.1.0.0/16", {a, b}), change("10.2.0.0/16", {b})};
  (void)groups.apply(install);
  ObjectId target = *groups.group_of(prefix("10.2.0.0/16"));
  Plan plan = groups.remove_next_hop(a);
  EXPECT_EQ(count_of<SetGroup>(plan), 0u);
  EXPECT_EQ(groups.group_of(prefix("10.1.0.0/16")), target);
  EXPECT_EQ(groups.group_count(), 1u);
}

TEST(NextHopGroups, AboveTheBoundOneGroupReplaceStillMovesEveryRoute) {
  NextHopGroups groups(100, 4);
  auto install = many_routes(5, {a, b, c});
  (void)groups.apply(install);
  Plan plan = groups.remove_next_hop(c);
  ASSERT_EQ(plan.operations.size(), 2u);
  EXPECT_FALSE(std::get<SetGroup>(plan.operations[0]).created);
  EXPECT_EQ(count_of<SetRoute>(plan), 0u);
}

TEST(NextHopGroups, ADeadNextHopInSeveralGroupsIsOneNextHopDeleteForTheKernel) {
  NextHopGroups groups;
  auto four = many_routes(100, {a, b, c, d}, 10);
  auto three = many_routes(100, {a, b, d}, 11);
  auto two = many_routes(100, {c, d}, 12);
  (void)groups.apply(four);
  (void)groups.apply(three);
  (void)groups.apply(two);
  Plan plan = groups.remove_next_hop(d);
  ASSERT_EQ(plan.operations.size(), 4u);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(std::get<SetGroup>(plan.operations[i]).done_by_next_hop_delete);
  EXPECT_TRUE(std::holds_alternative<DeleteNextHop>(plan.operations[3]));
}

TEST(NextHopGroups, SmallGroupMovingToANewSetGetsANewGroupNotAReplace) {
  // r1 in the ISP failover: its route leaves the sibling's next hop for the
  // two standby tunnels.
  NextHopGroups groups(100, 4);
  RouteChange install[] = {change("10.2.0.0/16", {a})};
  (void)groups.apply(install);
  ObjectId old_group = *groups.group_of(prefix("10.2.0.0/16"));
  RouteChange moved[] = {change("10.2.0.0/16", {c, d})};
  Plan plan = groups.apply(moved);
  // add c, add d, add group {c,d}, route, delete old group, delete a.
  ASSERT_EQ(plan.operations.size(), 6u);
  EXPECT_TRUE(std::get<SetGroup>(plan.operations[2]).created);
  EXPECT_NE(std::get<SetRoute>(plan.operations[3]).group, old_group);
  EXPECT_EQ(std::get<DeleteGroup>(plan.operations[4]).id, old_group);
  EXPECT_TRUE(std::holds_alternative<DeleteNextHop>(plan.operations[5]));
  EXPECT_EQ(groups.group_count(), 1u);
}

TEST(NextHopGroups, FreedIdsAreNotReusedWithinOnePlan) {
  NextHopGroups groups(1);
  RouteChange install[] = {change("10.1.0.0/16", {a})};
  (void)groups.apply(install);
  RouteChange swap[] = {withdraw("10.1.0.0/16"), change("10.2.0.0/16", {b})};
  Plan plan = groups.apply(swap);
  std::vector<ObjectId> added, deleted;
  for (const FibOperation& op : plan.operations) {
    if (auto* n = std::get_if<AddNextHop>(&op)) added.push_back(n->id);
    if (auto* g = std::get_if<SetGroup>(&op)) added.push_back(g->id);
    if (auto* n = std::get_if<DeleteNextHop>(&op)) deleted.push_back(n->id);
    if (auto* g = std::get_if<DeleteGroup>(&op)) deleted.push_back(g->id);
  }
  for (ObjectId id : added) EXPECT_EQ(std::count(deleted.begin(), deleted.end(), id), 0) << id;
  // ...but are by a later one.
  RouteChange later[] = {change("10.3.0.0/16", {c})};
  Plan reuse = groups.apply(later);
  EXPECT_LE(std::get<AddNextHop>(reuse.operations[0]).id, 2u);
}

TEST(NextHopGroups, MixedFamilies) {
  NextHopGroups groups;
  NextHop v6a = via("2001:db8::1", "wg0");
  NextHop v6b = via("2001:db8::2", "wg1");
  RouteChange install[] = {change("10.1.0.0/16", {a, b}), change("2001:db8:100::/48", {v6a, v6b}),
                           change("10.2.0.0/16", {v6a}),  // RFC 8950: IPv4 over an IPv6 next hop
                           change("2001:db8:200::/48", {a})};
  Plan plan = groups.apply(install);
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].prefix, prefix("2001:db8:200::/48"));
  EXPECT_EQ(groups.route_count(), 3u);
  (void)groups.remove_next_hop(v6a);
  auto routes = groups.routes();
  ASSERT_EQ(routes.size(), 2u);  // 10.2/16 lost its only next hop
  EXPECT_EQ(routes[1].prefix, prefix("2001:db8:100::/48"));
  EXPECT_EQ(routes[1].next_hops, std::vector<NextHop>{v6b});
}

TEST(NextHopGroups, NextHopWithoutInterfaceIsRefused) {
  NextHopGroups groups;
  RouteChange install[] = {change("10.1.0.0/16", {NextHop{test::ip("192.0.2.1"), "", 0, 1}})};
  Plan plan = groups.apply(install);
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_TRUE(plan.operations.empty());
}

TEST(NextHopGroups, RefcountsReleaseEverythingAfterChurn) {
  NextHopGroups groups;
  std::vector<NextHop> sets[] = {{a}, {a, b}, {b, c}, {a, b, c, d}, {d}};
  for (int round = 0; round < 5; ++round) {
    std::vector<RouteChange> changes;
    for (int i = 0; i < 50; ++i) changes.push_back(change("10." + std::to_string(i) + ".0.0/16", sets[(i + round) % 5]));
    Plan plan = groups.apply(changes);
    EXPECT_TRUE(plan.errors.empty());
  }
  (void)groups.remove_next_hop(b);
  std::vector<RouteChange> all_gone;
  for (int i = 0; i < 50; ++i) all_gone.push_back(withdraw("10." + std::to_string(i) + ".0.0/16"));
  (void)groups.apply(all_gone);
  EXPECT_EQ(groups.route_count(), 0u);
  EXPECT_EQ(groups.group_count(), 0u);
  EXPECT_EQ(groups.next_hop_count(), 0u);
}

TEST(NextHopGroups, WithdrawAllDeletesGroupsThenNextHops) {
  NextHopGroups groups;
  RouteChange install[] = {change("10.1.0.0/16", {a, b}), change("10.2.0.0/16", {c})};
  (void)groups.apply(install);
  Plan plan = groups.withdraw_all();
  ASSERT_EQ(plan.operations.size(), 5u);
  EXPECT_TRUE(std::holds_alternative<DeleteGroup>(plan.operations[0]));
  EXPECT_TRUE(std::holds_alternative<DeleteGroup>(plan.operations[1]));
  EXPECT_TRUE(std::holds_alternative<DeleteNextHop>(plan.operations[4]));
  EXPECT_EQ(groups.route_count(), 0u);
}

TEST(NextHopGroups, ResolverRunsOncePerDistinctNextHopList) {
  NextHopGroups groups;
  int calls = 0;
  NextHopGroups::Resolver resolve = [&](const std::vector<NextHop>& next_hops) -> Result<std::vector<NextHop>> {
    ++calls;
    std::vector<NextHop> resolved = next_hops;
    for (NextHop& next_hop : resolved) {
      if (next_hop.interface == "gone") return Error{"interface gone does not exist"};
      next_hop.ifindex = uint32_t(next_hop.interface.back() - '0' + 10);
    }
    return resolved;
  };
  auto changes = many_routes(1000, {a, b});
  changes.push_back(change("172.16.0.0/12", {via("192.0.2.77", "gone")}));
  Plan plan = groups.apply(changes, resolve);
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].message, "interface gone does not exist");
  EXPECT_EQ(groups.routes()[0].next_hops[0].ifindex, 10u);
  EXPECT_TRUE(groups.next_hop_id(NextHop{a.gateway, "wg0", 10, 1}));
}

TEST(NextHopGroups, LaterChangeForTheSamePrefixWins) {
  NextHopGroups groups;
  RouteChange install[] = {change("10.1.0.0/16", {a}), change("10.1.0.0/16", {b}), withdraw("10.2.0.0/16")};
  (void)groups.apply(install);
  auto routes = groups.routes();
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].next_hops, std::vector<NextHop>{b});
  EXPECT_EQ(groups.next_hop_count(), 1u);
}

}  // namespace
}  // namespace halink::fib
