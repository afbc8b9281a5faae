#include "sim/network.h"

#include <gtest/gtest.h>

#include "recording_node.h"
#include "sim/simulation.h"

namespace halink::sim {
namespace {

using testing::attach_recorder;
using testing::ms;
using testing::numbered;

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

LinkSpec link_spec(std::string name, NodeId a, const char* a_if, const char* a_ip, NodeId b, const char* b_if,
                   const char* b_ip) {
  LinkSpec spec;
  spec.name = std::move(name);
  spec.a = LinkEnd{a, a_if, ip(a_ip)};
  spec.b = LinkEnd{b, b_if, ip(b_ip)};
  spec.latency = Duration::milliseconds(10);
  return spec;
}

TEST(Network, RejectsBadLinks) {
  Network net;
  const NodeId a = net.add_node("a");
  const NodeId b = net.add_node("b");
  EXPECT_TRUE(net.add_link(link_spec("ab", a, "eth0", "10.0.0.1", b, "eth0", "10.0.0.2")).ok());
  EXPECT_FALSE(net.add_link(link_spec("ab", a, "eth1", "10.0.1.1", b, "eth1", "10.0.1.2")).ok());  // name
  EXPECT_FALSE(net.add_link(link_spec("ab2", a, "eth0", "10.0.1.1", b, "eth1", "10.0.1.2")).ok());  // interface
  EXPECT_FALSE(net.add_link(link_spec("aa", a, "eth5", "10.0.1.1", a, "eth6", "10.0.1.2")).ok());
  EXPECT_FALSE(net.add_link(link_spec("ax", a, "eth7", "10.0.1.1", 9, "eth6", "10.0.1.2")).ok());
}

TEST(Network, ResolvesInterfacesGatewaysAndPaths) {
  Network net;
  const NodeId a = net.add_node("a"), b = net.add_node("b"), c = net.add_node("c");
  const LinkId ab = net.add_link(link_spec("ab", a, "eth0", "10.0.0.1", b, "eth0", "10.0.0.2")).value();
  const LinkId bc = net.add_link(link_spec("bc", b, "eth1", "10.0.1.1", c, "eth0", "10.0.1.2")).value();
  EXPECT_EQ(net.link_by_interface(b, "eth1"), bc);
  EXPECT_EQ(net.link_by_interface(a, "eth1"), std::nullopt);
  EXPECT_EQ(net.link_to_gateway(a, ip("10.0.0.2")), ab);
  EXPECT_EQ(net.link_to_gateway(a, ip("10.0.1.2")), std::nullopt);
  EXPECT_EQ(net.peer_of(ab, a), b);
  EXPECT_EQ(net.find_node("c"), c);

  auto path = net.make_path(a, {ab, bc});
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->to, c);
  EXPECT_EQ(net.path_latency(*path), Duration::milliseconds(20));
  EXPECT_EQ(path->reversed().from, c);
  EXPECT_FALSE(net.make_path(a, {bc}).ok());
  EXPECT_FALSE(net.make_path(a, {ab, ab}).ok());
}

TEST(Network, SerialisationQueuesPacketsPerDirection) {
  Network net;
  const NodeId a = net.add_node("a"), b = net.add_node("b");
  LinkSpec spec = link_spec("ab", a, "eth0", "10.0.0.1", b, "eth0", "10.0.0.2");
  spec.capacity_bps = 8'000'000;  // 1 byte per microsecond
  const LinkId ab = net.add_link(spec).value();
  const Path forward = net.direct_path(a, ab);
  // 1000 bytes: 1 ms on the wire, then 10 ms of latency.
  EXPECT_EQ(net.transmit(forward, 1000, Time::zero()), ms(11));
  // The second packet waits for the first to leave.
  EXPECT_EQ(net.transmit(forward, 1000, Time::zero()), ms(12));
  // The other direction has its own queue.
  EXPECT_EQ(net.transmit(forward.reversed(), 1000, Time::zero()), ms(11));
}

TEST(Network, BlackholeIsSilentAndBumpsTheFailureEpoch) {
  Network net;
  const NodeId a = net.add_node("a"), b = net.add_node("b");
  const LinkId ab = net.add_link(link_spec("ab", a, "eth0", "10.0.0.1", b, "eth0", "10.0.0.2")).value();
  const uint64_t epoch = net.failure_epoch(ab);
  EXPECT_TRUE(net.set_link_state(ab, LinkState::blackhole).empty());
  EXPECT_FALSE(net.link_usable(ab));
  EXPECT_TRUE(net.carrier_up(ab, a));
  EXPECT_TRUE(net.carrier_up(ab, b));
  EXPECT_EQ(net.failure_epoch(ab), epoch + 1);
  EXPECT_TRUE(net.set_link_state(ab, LinkState::up).empty());
  EXPECT_TRUE(net.link_usable(ab));
  EXPECT_EQ(net.failure_epoch(ab), epoch + 1);
}

TEST(Network, UnderlayLossBlackholesEveryTunnelOverIt) {
  Network net;
  const NodeId r1 = net.add_node("r1"), g1 = net.add_node("g1");
  const UnderlayId isp1 = net.add_underlay("isp1", 1'000'000'000);
  const UnderlayId isp2 = net.add_underlay("isp2", 250'000'000);
  std::vector<LinkId> over_isp1;
  for (int i = 0; i < 4; ++i) {
    LinkSpec spec = link_spec(numbered("t", i), r1, "", "169.254.0.1", g1, "", "169.254.0.2");
    spec.a.interface = numbered("wg", i);
    spec.b.interface = numbered("wg", i);
    spec.underlay = i < 3 ? isp1 : isp2;
    const LinkId id = net.add_link(spec).value();
    if (i < 3) over_isp1.push_back(id);
  }
  EXPECT_EQ(net.tunnels_over(isp1), over_isp1);
  const auto events = net.set_underlay_up(isp1, false);
  EXPECT_TRUE(events.empty()) << "an ISP failing is silent to the tunnel endpoints";
  for (LinkId t : over_isp1) {
    EXPECT_FALSE(net.link_usable(t));
    EXPECT_TRUE(net.carrier_up(t, r1));
  }
  EXPECT_TRUE(net.link_usable(3));
  net.set_underlay_up(isp1, true);
  for (LinkId t : over_isp1) EXPECT_TRUE(net.link_usable(t));
}

TEST(Network, CrashDropsCarrierOnlyOnCables) {
  Network net;
  const NodeId r1 = net.add_node("r1"), sw = net.add_node("lan"), g1 = net.add_node("g1");
  LinkSpec cable = link_spec("r1-lan", r1, "eth1", "10.1.0.1", sw, "p1", "10.1.0.2");
  cable.carrier_follows_peer = true;
  const LinkId c = net.add_link(cable).value();
  const LinkId t = net.add_link(link_spec("r1-g1", r1, "wg0", "169.254.0.1", g1, "wg0", "169.254.0.2")).value();
  const auto events = net.set_node_up(r1, false);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].node, sw);
  EXPECT_EQ(events[0].link, c);
  EXPECT_FALSE(events[0].carrier_up);
  EXPECT_FALSE(net.link_usable(t));
  EXPECT_TRUE(net.carrier_up(t, g1));
  const uint64_t incarnation = net.incarnation(r1);
  const auto back = net.set_node_up(r1, true);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(back[0].carrier_up);
  EXPECT_EQ(net.incarnation(r1), incarnation + 1);
}

TEST(SimulationNetwork, CarrierLossReachesBothEndsAtOnce) {
  Simulation sim;
  const NodeId a = sim.add_node("a"), b = sim.add_node("b");
  const LinkId ab = sim.network().add_link(link_spec("ab", a, "eth0", "10.0.0.1", b, "eth0", "10.0.0.2")).value();
  auto& ra = attach_recorder(sim, a);
  auto& rb = attach_recorder(sim, b);
  sim.at(ms(100), [&] { sim.set_link_state(ab, LinkState::carrier_down); });
  sim.at(ms(200), [&] { sim.set_link_state(ab, LinkState::blackhole); });
  sim.at(ms(300), [&] { sim.set_link_state(ab, LinkState::up); });
  sim.run_until(ms(1000));
  const std::vector<std::string> expected = {"t=0.000000s start", "t=0.100000s interface 0 down",
                                             "t=0.200000s interface 0 up"};
  EXPECT_EQ(ra.events, expected);
  EXPECT_EQ(rb.events, expected);
  EXPECT_NE(sim.trace().text().find("t=0.100000s a interface eth0 carrier down"), std::string::npos);
}

}  // namespace
}  // namespace halink::sim
