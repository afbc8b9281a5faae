#include "sim/simulation.h"

#include <gtest/gtest.h>

#include "recording_node.h"

namespace halink::sim {
namespace {

using testing::attach_recorder;
using testing::ms;

Prefix pfx(const char* text) { return Prefix::parse(text).value(); }

class SimulationTest : public ::testing::Test {
protected:
  SimulationTest() {
    a = sim.add_node("a");
    b = sim.add_node("b");
    LinkSpec spec;
    spec.name = "ab";
    spec.a = LinkEnd{a, "eth0", IpAddress::v4(10, 0, 0, 1)};
    spec.b = LinkEnd{b, "eth0", IpAddress::v4(10, 0, 0, 2)};
    link = sim.network().add_link(spec).value();
  }
  Simulation sim;
  NodeId a = 0, b = 0;
  LinkId link = 0;
};

TEST_F(SimulationTest, NodeTimerFollowsNextDeadlineAfterEveryCallback) {
  auto& node = attach_recorder(sim, a);
  int fired = 0;
  node.on_start = [&](Time now) { node.deadline = now + Duration::milliseconds(100); };
  node.on_timer_fired = [&](Time now) {
    if (++fired < 3) node.deadline = now + Duration::milliseconds(100);
  };
  sim.run_until(ms(1000));
  EXPECT_EQ(node.events, (std::vector<std::string>{"t=0.000000s start", "t=0.100000s timer", "t=0.200000s timer",
                                                   "t=0.300000s timer"}));
}

TEST_F(SimulationTest, WakeRereadsTheDeadlineAfterAnOutsideChange) {
  auto& node = attach_recorder(sim, a);
  node.on_start = [&](Time) { node.deadline = ms(500); };
  sim.at(ms(50), [&] {
    node.deadline = ms(70);  // e.g. a configuration change shortened a timer
    sim.wake(a);
  });
  sim.run_until(ms(1000));
  EXPECT_EQ(node.events, (std::vector<std::string>{"t=0.000000s start", "t=0.070000s timer"}));
}

TEST_F(SimulationTest, CrashCancelsTheTimerAndRestartBootsAgain) {
  auto& node = attach_recorder(sim, a);
  node.on_start = [&](Time now) { node.deadline = now + Duration::milliseconds(100); };
  sim.at(ms(50), [&] { sim.crash(a); });
  sim.at(ms(60), [&] { sim.crash(a); });  // already down: nothing happens
  sim.at(ms(300), [&] { sim.restart(a); });
  sim.run_until(ms(1000));
  EXPECT_EQ(node.events, (std::vector<std::string>{"t=0.000000s start", "t=0.050000s crash", "t=0.300000s start",
                                                   "t=0.400000s timer"}));
  EXPECT_EQ(sim.network().incarnation(a), 1u);
}

TEST_F(SimulationTest, CrashEmptiesARoutersTableButNotAStaticDevicesOne) {
  attach_recorder(sim, a);  // a runs a daemon; b is a static box
  const fib::RouteChange route[] = {{pfx("10.2.0.0/16"), {fib::NextHop{IpAddress::v4(10, 0, 0, 2), "eth0"}}}};
  for (NodeId n : {a, b}) {
    sim.table(n).add_local(pfx("10.1.0.0/16"));
    ASSERT_TRUE(sim.table(n).apply(route).ok());
  }
  sim.at(ms(10), [&] {
    sim.crash(a);
    sim.crash(b);
  });
  sim.at(ms(20), [&] {
    sim.restart(a);
    sim.restart(b);
  });
  sim.run_until(ms(100));
  EXPECT_TRUE(sim.table(a).routes().empty());
  EXPECT_EQ(sim.table(a).local_prefixes().size(), 1u);
  EXPECT_EQ(sim.table(b).routes().size(), 1u);
}

TEST_F(SimulationTest, LinkChannelIsSharedByBothEnds) {
  const ChannelId channel = sim.link_channel(link);
  EXPECT_EQ(sim.link_channel(link), channel);
  EXPECT_EQ(sim.datagrams().peer(channel, a), b);
  EXPECT_EQ(sim.datagrams().peer(channel, b), a);
}

class StuckNode : public testing::RecordingNode {
public:
  using RecordingNode::RecordingNode;
  Time next_deadline() const override { return Time::zero(); }  // always due: a bug
  void on_timer(Time) override { ++fires; }
  int fires = 0;
};

TEST_F(SimulationTest, ANodeWhoseTimerNeverAdvancesCannotHangTheRun) {
  auto owned = std::make_unique<StuckNode>(sim, a);
  StuckNode& node = *owned;
  sim.attach(a, std::move(owned));
  sim.run_until(ms(3));
  EXPECT_GT(node.fires, 10'000);
  EXPECT_LT(node.fires, 50'000);
  EXPECT_NE(sim.trace().text().find("timer does not advance"), std::string::npos);
}

TEST_F(SimulationTest, RandomStreamsAreIndependentPerNodeAndSeeded) {
  Simulation other;
  other.add_node("a");
  EXPECT_EQ(sim.random(a).next_u64(), other.random(0).next_u64());
  EXPECT_NE(sim.random(a).next_u64(), sim.random(b).next_u64());
  SimulationConfig config;
  config.seed = 99;
  Simulation reseeded(config);
  reseeded.add_node("a");
  EXPECT_NE(other.random(0).seed(), reseeded.random(0).seed());
}

}  // namespace
}  // namespace halink::sim

namespace halink::sim {
namespace {

TEST(SimulationUnderlay, LosingAnIspSilencesEveryTunnelOverItAndNothingElse) {
  Simulation sim;
  const NodeId r = sim.add_node("r"), g = sim.add_node("g");
  const UnderlayId isp1 = sim.network().add_underlay("isp1", 1'000'000'000);
  const UnderlayId isp2 = sim.network().add_underlay("isp2", 250'000'000);
  std::vector<LinkId> tunnels;
  for (uint8_t i = 0; i < 4; ++i) {
    LinkSpec spec;
    spec.name = testing::numbered("t", i);
    spec.a = LinkEnd{r, testing::numbered("wg", i), IpAddress::v4(169, 254, i, 1)};
    spec.b = LinkEnd{g, testing::numbered("wg", i), IpAddress::v4(169, 254, i, 2)};
    spec.latency = Duration::milliseconds(5);
    spec.underlay = i < 3 ? isp1 : isp2;
    tunnels.push_back(sim.network().add_link(spec).value());
  }
  auto& rr = testing::attach_recorder(sim, r);
  auto& rg = testing::attach_recorder(sim, g);
  // A BFD-like hello every 50 ms on every tunnel.
  for (int t = 0; t < 60; ++t)
    sim.at(testing::ms(50 * t), [&, t] {
      for (LinkId link : tunnels) {
        const auto text = testing::numbered(testing::numbered("t", link) + "#", static_cast<uint64_t>(t));
        ASSERT_TRUE(sim.send_datagram(r, sim.link_channel(link), std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())).ok());
      }
    });
  sim.at(testing::ms(1000), [&] { sim.set_underlay_up(isp1, false); });
  sim.at(testing::ms(2000), [&] { sim.set_underlay_up(isp1, true); });
  sim.run_until(testing::ms(4000));
  for (LinkId link : tunnels) {
    const auto& counters = sim.datagrams().counters(sim.link_channel(link));
    EXPECT_EQ(counters.sent, 60u);
    // Over isp1, the hellos of 1000..2000 ms inclusive are lost: 21. (The
    // one of 1000 ms leaves just before the ISP dies and is lost in flight;
    // the one of 2000 ms leaves just before it returns: scheduled first.)
    EXPECT_EQ(counters.lost, link < 3 ? 21u : 0u) << sim.network().link_name(link);
  }
  EXPECT_TRUE(rr.interface_events.empty());
  EXPECT_TRUE(rg.interface_events.empty());
  EXPECT_EQ(rg.datagrams.size(), 60u * 4 - 3 * 21u);
}

}  // namespace
}  // namespace halink::sim

namespace halink::sim {
namespace {

TEST(SimulationReferences, TableAndRandomSurviveAddingNodes) {
  Simulation sim;
  const NodeId first = sim.add_node("first");
  Random& random = sim.random(first);
  ForwardingTable& table = sim.table(first);
  for (int i = 0; i < 100; ++i) sim.add_node(testing::numbered("n", static_cast<uint64_t>(i)));
  EXPECT_EQ(&random, &sim.random(first));
  EXPECT_EQ(&table, &sim.table(first));
}

}  // namespace
}  // namespace halink::sim
