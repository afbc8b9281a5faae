// The kernel FIB against a real kernel, in a scratch network namespace with
// four veth links standing in for four tunnels. Needs root; skipped otherwise.
// Everything is checked by dumping the kernel's tables, not our own model.
#include "fib/netlink_fib.h"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <map>
#include <set>

#include "fib/kernel_tables.h"
#include "fib/netlink_socket.h"
#include "fib/scratch_namespace.h"
#include "fib_test_support.h"

namespace halink::fib {
namespace {

using test::ip;
using test::many_routes;
using test::prefix;

class NetlinkFibTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "kernel FIB tests need root (they create network namespaces)";
    auto created = ScratchNamespace::create("halink-fibtest");
    ASSERT_TRUE(created.ok()) << created.message();
    namespace_ = std::move(*created);
    for (int i = 0; i < 4; ++i) {
      // "literal" + std::to_string() trips a false g++ 12 -O3 -Wrestrict; n is an lvalue.
      const std::string n = std::to_string(i);
      const std::string link = "t" + n, peer = "p" + n;
      ASSERT_TRUE(namespace_->ip("link add " + link + " type veth peer name " + peer).ok());
      ASSERT_TRUE(namespace_->ip("link set " + link + " up").ok());
      ASSERT_TRUE(namespace_->ip("link set " + peer + " up").ok());
      ASSERT_TRUE(namespace_->ip("addr add 10.100." + n + ".1/30 dev " + link).ok());
      ASSERT_TRUE(namespace_->ip("addr add 2001:db8:" + n + "::1/64 dev " + link + " nodad").ok());
      tunnels_.push_back(NextHop{ip("10.100." + n + ".2"), link, 0, 1});
      tunnels_v6_.push_back(NextHop{ip("2001:db8:" + n + "::2"), link, 0, 1});
    }
    auto reader = namespace_->inside([](const Status& entered) -> Result<std::unique_ptr<NetlinkSocket>> {
      if (!entered) return entered.error();
      return NetlinkSocket::open();
    });
    ASSERT_TRUE(reader.ok()) << reader.message();
    reader_ = std::move(*reader);
  }

  std::unique_ptr<NetlinkFib> open_fib(NetlinkFibOptions options = {}) {
    auto fib = namespace_->inside([&](const Status& entered) -> Result<std::unique_ptr<NetlinkFib>> {
      if (!entered) return entered.error();
      return NetlinkFib::open(options);
    });
    EXPECT_TRUE(fib.ok()) << fib.message();
    return fib.ok() ? std::move(*fib) : nullptr;
  }

  std::vector<KernelRoute> kernel_routes(uint8_t protocol = kHalinkRouteProtocol) {
    auto routes = dump_routes(*reader_);
    EXPECT_TRUE(routes.ok()) << routes.message();
    std::vector<KernelRoute> ours;
    if (!routes) return ours;
    for (KernelRoute& route : *routes)
      if (route.protocol == protocol && route.table == 254) ours.push_back(std::move(route));
    return ours;
  }

  std::vector<KernelNextHop> kernel_next_hops(uint8_t protocol = kHalinkRouteProtocol) {
    auto next_hops = dump_next_hops(*reader_);
    EXPECT_TRUE(next_hops.ok()) << next_hops.message();
    std::vector<KernelNextHop> ours;
    if (!next_hops) return ours;
    for (KernelNextHop& next_hop : *next_hops)
      if (next_hop.protocol == protocol) ours.push_back(std::move(next_hop));
    return ours;
  }

  static std::set<IpAddress> gateways(const KernelRoute& route) {
    std::set<IpAddress> result;
    for (const NextHop& next_hop : route.next_hops) result.insert(next_hop.gateway);
    return result;
  }

  std::unique_ptr<ScratchNamespace> namespace_;
  std::unique_ptr<NetlinkSocket> reader_;
  std::vector<NextHop> tunnels_;
  std::vector<NextHop> tunnels_v6_;
};

TEST_F(NetlinkFibTest, InstallsFourWayEcmpThroughOneNexthopGroup) {
  auto fib = open_fib();
  ASSERT_TRUE(fib);
  EXPECT_TRUE(fib->uses_nexthop_objects());
  ASSERT_TRUE(fib->apply(many_routes(200, tunnels_)).ok());
  RouteChange v6[] = {{prefix("2001:db8:100::/48"), tunnels_v6_}};
  ASSERT_TRUE(fib->apply(v6).ok());

  auto routes = kernel_routes();
  ASSERT_EQ(routes.size(), 201u);
  std::set<uint32_t> groups;
  for (const KernelRoute& route : routes) {
    EXPECT_NE(route.nexthop_id, 0u) << route.prefix.to_string();
    EXPECT_EQ(route.metric, 20u);
    EXPECT_EQ(route.next_hops.size(), 4u) << route.prefix.to_string();
    groups.insert(route.nexthop_id);
  }
  EXPECT_EQ(groups.size(), 2u);  // one IPv4 set, one IPv6 set
  EXPECT_EQ(gateways(routes[0]), (std::set<IpAddress>{ip("10.100.0.2"), ip("10.100.1.2"), ip("10.100.2.2"),
                                                      ip("10.100.3.2")}));
  auto next_hops = kernel_next_hops();
  EXPECT_EQ(next_hops.size(), 10u);  // 8 paths + 2 groups
  size_t group_count = 0;
  for (const KernelNextHop& next_hop : next_hops) {
    if (next_hop.group.empty()) continue;
    ++group_count;
    EXPECT_EQ(next_hop.group.size(), 4u);
  }
  EXPECT_EQ(group_count, 2u);
}

TEST_F(NetlinkFibTest, NextHopDeathMovesEveryRouteWithOneNextHopDelete) {
  auto fib = open_fib();
  ASSERT_TRUE(fib);
  ASSERT_TRUE(fib->apply(many_routes(1000, tunnels_)).ok());
  FibStats before = fib->stats();
  ASSERT_TRUE(fib->remove_next_hop(tunnels_[3]).ok());
  FibStats after = fib->stats();
  // One nexthop delete: the kernel drops it from the group itself.
  EXPECT_EQ(after.group_writes - before.group_writes, 0u);
  EXPECT_EQ(after.next_hop_writes - before.next_hop_writes, 1u);
  EXPECT_EQ(after.route_writes, before.route_writes);

  auto routes = kernel_routes();
  ASSERT_EQ(routes.size(), 1000u);
  for (const KernelRoute& route : routes) {
    ASSERT_EQ(route.next_hops.size(), 3u) << route.prefix.to_string();
    ASSERT_EQ(gateways(route).count(ip("10.100.3.2")), 0u) << route.prefix.to_string();
  }
  for (const KernelNextHop& next_hop : kernel_next_hops()) EXPECT_NE(next_hop.gateway, ip("10.100.3.2"));

  // 4 → 3 → 0: the last death removes the routes with the group.
  ASSERT_TRUE(fib->remove_next_hop(tunnels_[2]).ok());
  ASSERT_TRUE(fib->remove_next_hop(tunnels_[1]).ok());
  ASSERT_TRUE(fib->remove_next_hop(NextHop{ip("10.100.0.2"), "t0", 0, 1}).ok());
  EXPECT_TRUE(kernel_routes().empty());
  EXPECT_TRUE(kernel_next_hops().empty());
  EXPECT_EQ(fib->stats().routes_lost_with_last_next_hop, 1000u);
}

TEST_F(NetlinkFibTest, WithCompatModeOffRoutesShowOnlyTheGroupAndStillMove) {
  ASSERT_TRUE(namespace_->exec("sysctl -qw net.ipv4.nexthop_compat_mode=0").ok());
  auto fib = open_fib();
  ASSERT_TRUE(fib);
  ASSERT_TRUE(fib->apply(many_routes(500, tunnels_)).ok());
  ASSERT_TRUE(fib->remove_next_hop(tunnels_[0]).ok());
  std::map<uint32_t, size_t> group_sizes;
  for (const KernelNextHop& next_hop : kernel_next_hops()) {
    EXPECT_NE(next_hop.gateway, ip("10.100.0.2"));
    if (!next_hop.group.empty()) group_sizes[next_hop.id] = next_hop.group.size();
  }
  auto routes = kernel_routes();
  ASSERT_EQ(routes.size(), 500u);
  for (const KernelRoute& route : routes) {
    EXPECT_TRUE(route.next_hops.empty());  // not spelled out without compat mode
    ASSERT_EQ(group_sizes[route.nexthop_id], 3u) << route.prefix.to_string();
  }
}

TEST_F(NetlinkFibTest, DeletedInterfaceIsFollowedWithoutErrors) {
  auto fib = open_fib();
  ASSERT_TRUE(fib);
  ASSERT_TRUE(fib->apply(many_routes(300, tunnels_)).ok());
  // The kernel drops the interface's nexthop from the group by itself; our
  // writes that follow must agree with it, not fail.
  ASSERT_TRUE(namespace_->ip("link del t3").ok());
  Status status = fib->remove_next_hops_via("t3");
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(fib->stats().failed_writes, 0u);
  auto routes = kernel_routes();
  ASSERT_EQ(routes.size(), 300u);
  for (const KernelRoute& route : routes) ASSERT_EQ(route.next_hops.size(), 3u) << route.prefix.to_string();
  EXPECT_EQ(fib->routes()[0].next_hops.size(), 3u);
}

TEST_F(NetlinkFibTest, ExitWithdrawsEverythingOfOursOnly) {
  ASSERT_TRUE(namespace_->ip("route add 198.51.100.0/24 via 10.100.0.2 proto static").ok());
  {
    auto fib = open_fib();
    ASSERT_TRUE(fib);
    ASSERT_TRUE(fib->apply(many_routes(100, tunnels_)).ok());
    // Same prefix as someone else's static route: both coexist by metric.
    RouteChange same[] = {{prefix("198.51.100.0/24"), {tunnels_[1]}}};
    ASSERT_TRUE(fib->apply(same).ok());
    ASSERT_EQ(kernel_routes().size(), 101u);
  }
  EXPECT_TRUE(kernel_routes().empty());
  EXPECT_TRUE(kernel_next_hops().empty());
  auto statics = kernel_routes(RTPROT_STATIC);
  ASSERT_EQ(statics.size(), 1u);
  EXPECT_EQ(statics[0].prefix, prefix("198.51.100.0/24"));
}

TEST_F(NetlinkFibTest, StartupRemovesStaleStateOfOurProtocolOnly) {
  {
    NetlinkFibOptions keep;
    keep.keep_routes_on_exit = true;
    auto previous_run = open_fib(keep);
    ASSERT_TRUE(previous_run);
    ASSERT_TRUE(previous_run->apply(many_routes(50, tunnels_)).ok());
  }
  ASSERT_EQ(kernel_routes().size(), 50u);
  ASSERT_TRUE(namespace_->ip("route add 198.51.100.0/24 via 10.100.0.2 proto static").ok());
  ASSERT_TRUE(namespace_->ip("nexthop add id 7 via 10.100.1.2 dev t1").ok());
  ASSERT_TRUE(namespace_->ip("route add 203.0.113.0/24 nhid 7").ok());
  // Also a multipath route of ours, as a fallback run would have left it.
  ASSERT_TRUE(namespace_->ip("route add 192.0.2.0/24 proto 201 metric 20 nexthop via 10.100.0.2 dev t0 nexthop via "
                             "10.100.1.2 dev t1")
                  .ok());

  auto fib = open_fib();
  ASSERT_TRUE(fib);
  EXPECT_EQ(fib->startup_cleanup().routes_removed, 51u);
  EXPECT_EQ(fib->startup_cleanup().next_hops_removed, 5u);  // 4 paths + 1 group
  EXPECT_TRUE(kernel_routes().empty());
  EXPECT_TRUE(kernel_next_hops().empty());
  EXPECT_EQ(kernel_routes(RTPROT_STATIC).size(), 1u);
  auto boot = kernel_routes(RTPROT_BOOT);
  ASSERT_EQ(boot.size(), 1u);
  EXPECT_EQ(boot[0].nexthop_id, 7u);
}

TEST_F(NetlinkFibTest, MultipathRoutesWhereNexthopObjectsAreNotUsed) {
  NetlinkFibOptions options;
  options.use_nexthop_objects = false;
  auto fib = open_fib(options);
  ASSERT_TRUE(fib);
  EXPECT_FALSE(fib->uses_nexthop_objects());
  ASSERT_TRUE(fib->apply(many_routes(100, tunnels_)).ok());
  RouteChange single[] = {{prefix("192.0.2.0/24"), {tunnels_[0]}},
                          {prefix("2001:db8:100::/48"), {tunnels_v6_[0], tunnels_v6_[1]}}};
  ASSERT_TRUE(fib->apply(single).ok());
  auto routes = kernel_routes();
  ASSERT_EQ(routes.size(), 102u);
  for (const KernelRoute& route : routes) {
    EXPECT_EQ(route.nexthop_id, 0u);
    size_t expected = route.prefix == prefix("192.0.2.0/24") ? 1 : route.prefix.family() == Family::ipv6 ? 2 : 4;
    EXPECT_EQ(route.next_hops.size(), expected) << route.prefix.to_string();
  }
  EXPECT_TRUE(kernel_next_hops().empty());

  FibStats before = fib->stats();
  ASSERT_TRUE(fib->remove_next_hop(tunnels_[3]).ok());
  EXPECT_EQ(fib->stats().route_writes - before.route_writes, 100u);  // one write per route without groups
  for (const KernelRoute& route : kernel_routes())
    EXPECT_EQ(gateways(route).count(ip("10.100.3.2")), 0u) << route.prefix.to_string();
  fib.reset();
  EXPECT_TRUE(kernel_routes().empty());
}

TEST_F(NetlinkFibTest, RefusedNextHopIsReportedInWordsAndRetried) {
  auto fib = open_fib();
  ASSERT_TRUE(fib);
  // 192.0.2.99 is not on any link yet: the kernel refuses the nexthop.
  RouteChange change[] = {{prefix("172.16.0.0/12"), {NextHop{ip("192.0.2.99"), "t0", 0, 1}}}};
  Status status = fib->apply(change);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("192.0.2.99 dev t0"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("172.16.0.0/12"), std::string::npos) << status.message();
  EXPECT_GT(fib->stats().failed_writes, 0u);
  EXPECT_TRUE(kernel_routes().empty());
  // `show fib` says what is missing and why.
  std::vector<std::string> missing = fib->not_installed();
  ASSERT_FALSE(missing.empty());
  EXPECT_NE(missing[0].find("nexthop"), std::string::npos) << missing[0];

  // Still refused: the desired state stays, the reason too.
  EXPECT_FALSE(fib->retry_failed().ok());
  EXPECT_FALSE(fib->not_installed().empty());

  ASSERT_TRUE(namespace_->ip("addr add 192.0.2.1/24 dev t0").ok());
  Status retried = fib->retry_failed();
  ASSERT_TRUE(retried.ok()) << retried.message();
  EXPECT_TRUE(fib->not_installed().empty());
  auto routes = kernel_routes();
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(gateways(routes[0]), std::set<IpAddress>{ip("192.0.2.99")});
}

TEST_F(NetlinkFibTest, UnknownInterfaceIsAnErrorNamingIt) {
  auto fib = open_fib();
  ASSERT_TRUE(fib);
  RouteChange change[] = {{prefix("172.16.0.0/12"), {NextHop{ip("10.109.0.2"), "wg9", 0, 1}}},
                          {prefix("172.17.0.0/16"), {tunnels_[0]}}};
  Status status = fib->apply(change);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("wg9"), std::string::npos) << status.message();
  EXPECT_EQ(kernel_routes().size(), 1u);
  std::vector<std::string> missing = fib->not_installed();
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].find("172.16.0.0/12"), std::string::npos) << missing[0];
  EXPECT_NE(missing[0].find("wg9"), std::string::npos) << missing[0];

  // The tunnel appears later: the kept change is installed by the retry.
  // (a veth: this kernel has no dummy interfaces, LAB-NOTES.md)
  ASSERT_TRUE(namespace_->ip("link add wg9 type veth peer name wg9peer").ok());
  ASSERT_TRUE(namespace_->ip("link set wg9peer up").ok());
  ASSERT_TRUE(namespace_->ip("link set wg9 up").ok());
  ASSERT_TRUE(namespace_->ip("addr add 10.109.0.1/24 dev wg9").ok());
  Status retried = fib->retry_failed();
  ASSERT_TRUE(retried.ok()) << retried.message();
  EXPECT_EQ(kernel_routes().size(), 2u);
  EXPECT_TRUE(fib->not_installed().empty());
}

TEST_F(NetlinkFibTest, OtherTableAndDirectNextHops) {
  NetlinkFibOptions options;
  options.table = 1000;
  auto fib = open_fib(options);
  ASSERT_TRUE(fib);
  // A point-to-point tunnel has no gateway: the route goes out of the device.
  NextHop direct{IpAddress(), "t2", 0, 1};
  RouteChange change[] = {{prefix("172.16.0.0/12"), {direct, tunnels_[0]}},
                          {prefix("2001:db8:200::/48"), {direct}}};
  Status status = fib->apply(change);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(kernel_routes().empty());  // not in main
  auto all = dump_routes(*reader_);
  ASSERT_TRUE(all.ok());
  size_t in_table = 0;
  for (const KernelRoute& route : *all)
    if (route.table == 1000 && route.protocol == kHalinkRouteProtocol) ++in_table;
  EXPECT_EQ(in_table, 2u);
}

TEST_F(NetlinkFibTest, WeightsReachTheKernel) {
  auto fib = open_fib();
  ASSERT_TRUE(fib);
  NextHop heavy = tunnels_[0];
  heavy.weight = 3;
  RouteChange change[] = {{prefix("172.16.0.0/12"), {heavy, tunnels_[1]}}};
  ASSERT_TRUE(fib->apply(change).ok());
  bool seen = false;
  for (const KernelNextHop& next_hop : kernel_next_hops()) {
    if (next_hop.group.empty()) continue;
    seen = true;
    std::set<uint16_t> weights;
    for (const GroupMember& member : next_hop.group) weights.insert(member.weight);
    EXPECT_EQ(weights, (std::set<uint16_t>{1, 3}));
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace halink::fib
