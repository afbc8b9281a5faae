#include "sim/traffic.h"

#include <gtest/gtest.h>

#include <map>

#include "recording_node.h"
#include "sim/simulation.h"

namespace halink::sim {
namespace {

using testing::ms;
using testing::numbered;

Prefix pfx(const char* text) { return Prefix::parse(text).value(); }

// r (ingress, site 10.1/16) --4 parallel links--> n0..n3 --> d (site 10.2/16).
class Ecmp : public ::testing::Test {
protected:
  Ecmp() {
    r = sim.add_node("r");
    d = sim.add_node("d");
    sim.table(r).add_local(pfx("10.1.0.0/16"));
    sim.table(d).add_local(pfx("10.2.0.0/16"));
    std::vector<fib::NextHop> r_hops;
    for (uint8_t i = 0; i < 4; ++i) {
      const NodeId n = sim.add_node(numbered("n", i));
      middle.push_back(n);
      LinkSpec up;
      up.name = numbered("r-n", i);
      up.a = LinkEnd{r, numbered("wg", i), IpAddress::v4(169, 254, i, 1)};
      up.b = LinkEnd{n, "wg0", IpAddress::v4(169, 254, i, 2)};
      tunnels.push_back(sim.network().add_link(up).value());
      r_hops.push_back(fib::NextHop{IpAddress::v4(169, 254, i, 2), numbered("wg", i)});
      LinkSpec down;
      down.name = numbered("n", i) + "-d";
      down.a = LinkEnd{n, "eth0", IpAddress::v4(10, 9, i, 1)};
      down.b = LinkEnd{d, numbered("eth", i), IpAddress::v4(10, 9, i, 2)};
      sim.network().add_link(down).value();
      // Gateway only: resolved through the link whose far end has that address.
      const fib::RouteChange to_d[] = {{pfx("10.2.0.0/16"), {fib::NextHop{IpAddress::v4(10, 9, i, 2), ""}}}};
      EXPECT_TRUE(sim.table(n).apply(to_d).ok());
    }
    const fib::RouteChange to_d[] = {{pfx("10.2.0.0/16"), r_hops}};
    EXPECT_TRUE(sim.table(r).apply(to_d).ok());
  }

  FlowId add_flows(int count) {
    FlowId first = 0;
    for (int i = 0; i < count; ++i) {
      Flow flow;
      flow.name = numbered("f", i);
      flow.ingress = r;
      flow.tuple = FiveTuple{IpAddress::v4(10, 1, 0, static_cast<uint8_t>(1 + i % 200)),
                             IpAddress::v4(10, 2, 0, static_cast<uint8_t>(1 + i / 200)), 6,
                             static_cast<uint16_t>(40000 + i), 443};
      flow.rate_bps = 1000;
      const FlowId id = sim.traffic().add_flow(flow);
      if (i == 0) first = id;
    }
    return first;
  }

  std::map<LinkId, int> first_hops() {
    std::map<LinkId, int> count;
    for (FlowId f = 0; f < sim.traffic().flow_count(); ++f) {
      const FlowPath path = sim.traffic().route(sim.traffic().flow(f));
      EXPECT_TRUE(path.delivered);
      if (!path.links.empty()) ++count[path.links.front()];
    }
    return count;
  }

  Simulation sim;
  NodeId r = 0, d = 0;
  std::vector<NodeId> middle;
  std::vector<LinkId> tunnels;
};

TEST_F(Ecmp, SixtyFourFlowsSpreadRoughlyEvenlyOverFourNextHops) {
  add_flows(64);
  const auto count = first_hops();
  ASSERT_EQ(count.size(), 4u);
  for (const auto& [link, n] : count) {
    EXPECT_GE(n, 8) << sim.network().link_name(link);
    EXPECT_LE(n, 24) << sim.network().link_name(link);
  }
}

TEST_F(Ecmp, ManyFlowsSpreadEvenlyAndWeightsAreHonoured) {
  add_flows(8000);
  for (const auto& [link, n] : first_hops()) EXPECT_NEAR(n, 2000, 200) << sim.network().link_name(link);
  // Weights 3:1:0-like shares: give the first next hop weight 3.
  auto hops = sim.table(r).routes().front().next_hops;
  hops[0].weight = 3;
  const fib::RouteChange weighted[] = {{pfx("10.2.0.0/16"), hops}};
  ASSERT_TRUE(sim.table(r).apply(weighted).ok());
  auto count = first_hops();
  EXPECT_NEAR(count[tunnels[0]], 4000, 300);
  EXPECT_NEAR(count[tunnels[1]], 1333, 200);
}

TEST_F(Ecmp, AFlowsPathIsStable) {
  add_flows(64);
  std::vector<FlowPath> before;
  for (FlowId f = 0; f < 64; ++f) before.push_back(sim.traffic().route(sim.traffic().flow(f)));
  // Time passing and an unrelated route do not move any flow.
  sim.run_until(ms(5000));
  const fib::RouteChange other[] = {{pfx("192.0.2.0/24"), {fib::NextHop{IpAddress::v4(169, 254, 0, 2), "wg0"}}}};
  ASSERT_TRUE(sim.table(r).apply(other).ok());
  sim.run_until(ms(6000));
  for (FlowId f = 0; f < 64; ++f) {
    EXPECT_EQ(sim.traffic().route(sim.traffic().flow(f)), before[f]);
    EXPECT_EQ(sim.traffic().current(f), before[f]);
    EXPECT_TRUE(sim.traffic().outages(f).empty());
  }
}

TEST_F(Ecmp, SameHashSeedOnRoutersInSeriesPolarizes) {
  // n0 gets a second way to d; with r's seed it makes r's choice again.
  LinkSpec extra;
  extra.name = "n0-d-2";
  extra.a = LinkEnd{middle[0], "eth1", IpAddress::v4(10, 8, 0, 1)};
  extra.b = LinkEnd{d, "eth9", IpAddress::v4(10, 8, 0, 2)};
  const LinkId second = sim.network().add_link(extra).value();
  const fib::RouteChange two_ways[] = {
      {pfx("10.2.0.0/16"), {fib::NextHop{IpAddress::v4(10, 9, 0, 2), ""}, fib::NextHop{IpAddress::v4(10, 8, 0, 2), ""}}}};
  ASSERT_TRUE(sim.table(middle[0]).apply(two_ways).ok());
  // r uses only two of its four next hops, so that n0 sees half the hash space.
  auto hops = sim.table(r).routes().front().next_hops;
  hops.resize(2);
  const fib::RouteChange two[] = {{pfx("10.2.0.0/16"), hops}};
  ASSERT_TRUE(sim.table(r).apply(two).ok());
  add_flows(256);

  auto second_hops_via_n0 = [&] {
    std::map<LinkId, int> count;
    for (FlowId f = 0; f < sim.traffic().flow_count(); ++f) {
      const FlowPath path = sim.traffic().route(sim.traffic().flow(f));
      if (path.links.size() == 2 && path.links[0] == tunnels[0]) ++count[path.links[1]];
    }
    return count;
  };
  auto spread = second_hops_via_n0();
  EXPECT_EQ(spread.size(), 2u) << "distinct seeds (the default) use both of n0's ways";
  sim.traffic().set_hash_seed(middle[0], sim.traffic().hash_seed(r));
  auto polarized = second_hops_via_n0();
  EXPECT_EQ(polarized.size(), 1u) << "same seed: every flow r sent to n0 takes the same way (LAB-NOTES)";
  // r's first region is n0; n0's first next hop (sorted: 10.8.0.2) is `second`.
  EXPECT_EQ(polarized.count(second), 1u);
}

TEST_F(Ecmp, OutageWindowOfAScriptedFibChangeIsExact) {
  const FlowId f = add_flows(1);
  const auto routes = sim.table(r).routes();
  sim.at(ms(1000), [&] {
    const fib::RouteChange withdraw[] = {{pfx("10.2.0.0/16"), {}}};
    ASSERT_TRUE(sim.table(r).apply(withdraw).ok());
  });
  sim.at(ms(1250), [&] { sim.table(r).replace_routes(routes); });
  // A second outage starting and ending between grid points: seen from
  // the next 1 ms sample on.
  sim.at(Time::from_ns(2'000'400'000), [&] { sim.table(r).clear_routes(); });
  sim.at(Time::from_ns(2'100'400'000), [&] { sim.table(r).replace_routes(routes); });
  sim.run_until(ms(3000));
  const auto& outages = sim.traffic().outages(f);
  ASSERT_EQ(outages.size(), 2u);
  EXPECT_EQ(outages[0].start, ms(1000));
  EXPECT_EQ(outages[0].end, ms(1250));
  EXPECT_EQ(outages[0].length(), Duration::milliseconds(250));
  EXPECT_EQ(outages[0].drop, DropReason::no_route);
  EXPECT_EQ(outages[0].at, r);
  EXPECT_EQ(outages[1].start, ms(2001));
  EXPECT_EQ(outages[1].end, ms(2101));
  EXPECT_EQ(sim.traffic().total_outage(f), Duration::milliseconds(350));
  EXPECT_EQ(sim.traffic().outage_within(f, ms(1200), ms(2050)), Duration::milliseconds(50 + 49));
  EXPECT_NE(sim.trace().text().find("t=1.000000s flow f0 dropped (no-route) at r"), std::string::npos);
  EXPECT_NE(sim.trace().text().find("after 250ms out"), std::string::npos);
}

TEST_F(Ecmp, BrokenAndMendedInOneInstantIsNoOutage) {
  const FlowId f = add_flows(1);
  const auto routes = sim.table(r).routes();
  sim.at(ms(1000), [&] {
    sim.table(r).clear_routes();
    // Restored by a later event at the same instant, after a sample saw the gap.
    sim.at(ms(1000), [&] { sim.table(r).replace_routes(routes); });
  });
  sim.run_until(ms(2000));
  EXPECT_TRUE(sim.traffic().outages(f).empty());
}

TEST_F(Ecmp, BlackholedTunnelDropsItsFlowsUntilTheNextHopIsRemoved) {
  add_flows(64);
  const auto before = first_hops();
  sim.at(ms(100), [&] { sim.set_link_state(tunnels[0], LinkState::blackhole); });
  // What BFD + the speaker would do 300 ms later.
  sim.at(ms(400), [&] {
    ASSERT_TRUE(sim.table(r).remove_next_hop(fib::NextHop{IpAddress::v4(169, 254, 0, 2), "wg0"}).ok());
  });
  sim.run_until(ms(1000));
  int hit = 0;
  for (FlowId f = 0; f < 64; ++f) {
    const auto& outages = sim.traffic().outages(f);
    if (outages.empty()) continue;
    ++hit;
    ASSERT_EQ(outages.size(), 1u);
    EXPECT_EQ(outages[0].start, ms(100));
    EXPECT_EQ(outages[0].end, ms(400));
    EXPECT_EQ(outages[0].drop, DropReason::blackhole);
  }
  EXPECT_EQ(hit, before.at(tunnels[0])) << "exactly the flows hashed onto the dead tunnel";
  EXPECT_DOUBLE_EQ(sim.traffic().current_rate(tunnels[0]), 0.0);
  // Traffic really went into the hole for 300 ms.
  EXPECT_NEAR(sim.traffic().volume(tunnels[0], r), before.at(tunnels[0]) * 1000 * 0.4, 1e-6);
}

TEST_F(Ecmp, CarrierLossMovesFlowsAtOnceWhenLinkdownRoutesAreIgnored) {
  add_flows(64);
  const auto before = first_hops();
  sim.at(ms(100), [&] { sim.set_link_state(tunnels[1], LinkState::carrier_down); });
  sim.run_until(ms(200));
  for (FlowId f = 0; f < 64; ++f) EXPECT_TRUE(sim.traffic().outages(f).empty());
  EXPECT_EQ(first_hops().count(tunnels[1]), 0u);
  // Without ignore_routes_with_linkdown the kernel keeps hashing onto it.
  sim.traffic().set_ignore_linkdown(r, false);
  sim.run_until(ms(300));
  int dropped = 0;
  for (FlowId f = 0; f < 64; ++f) {
    if (sim.traffic().outages(f).empty()) continue;
    ++dropped;
    EXPECT_EQ(sim.traffic().outages(f)[0].drop, DropReason::interface_down);
  }
  EXPECT_EQ(dropped, before.at(tunnels[1]));
}

TEST_F(Ecmp, CrashedIngressAndLoopsAreDrops) {
  const FlowId f = add_flows(1);
  sim.at(ms(10), [&] { sim.crash(r); });
  sim.run_until(ms(20));
  ASSERT_EQ(sim.traffic().outages(f).size(), 1u);
  EXPECT_EQ(sim.traffic().outages(f)[0].drop, DropReason::node_down);
  sim.restart(r);
  // r lost its routes in the crash; a route pointing back and forth loops.
  const fib::RouteChange to_n0[] = {{pfx("10.2.0.0/16"), {fib::NextHop{IpAddress::v4(169, 254, 0, 2), "wg0"}}}};
  ASSERT_TRUE(sim.table(r).apply(to_n0).ok());
  const fib::RouteChange back[] = {{pfx("10.2.0.0/16"), {fib::NextHop{IpAddress::v4(169, 254, 0, 1), ""}}}};
  ASSERT_TRUE(sim.table(middle[0]).apply(back).ok());
  EXPECT_EQ(sim.traffic().route(sim.traffic().flow(f)).drop, DropReason::loop);
}

}  // namespace
}  // namespace halink::sim
