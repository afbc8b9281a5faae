#include "sim/datagram.h"

#include <gtest/gtest.h>

#include "two_nodes.h"

namespace halink::sim {
namespace {

using testing::ms;
using Datagrams = testing::TwoNodes;

TEST_F(Datagrams, DroppedDuringBlackholeAndInFlightWhenItStarts) {
  const ChannelId channel = sim.open_channel(a_to_b);
  std::vector<int> send_times = {0, 100, 200, 245, 300, 400, 500, 600, 700, 800, 900};
  for (int t : send_times)
    sim.at(ms(t), [&, t] {
      const std::string text = std::to_string(t);
      ASSERT_TRUE(sim.send_datagram(a, channel, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())).ok());
    });
  blackhole(ms(250), ms(650));
  sim.run_until(ms(2000));
  std::vector<std::pair<int64_t, std::string>> got;
  for (const auto& d : rb->datagrams) got.emplace_back(d.at.ns() / 1'000'000, d.bytes);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, std::string>>{
                     {10, "0"}, {110, "100"}, {210, "200"}, {710, "700"}, {810, "800"}, {910, "900"}}));
  EXPECT_EQ(sim.datagrams().counters(channel).sent, 11u);
  EXPECT_EQ(sim.datagrams().counters(channel).delivered, 6u);
  EXPECT_EQ(sim.datagrams().counters(channel).lost, 5u);
}

TEST_F(Datagrams, BothDirectionsAndNoDeliveryToACrashedNode) {
  const ChannelId channel = sim.open_channel(a_to_b);
  const uint8_t byte = 1;
  sim.at(ms(0), [&] { ASSERT_TRUE(sim.send_datagram(b, channel, std::span(&byte, 1)).ok()); });
  sim.at(ms(100), [&] { sim.crash(b); });
  sim.at(ms(200), [&] { ASSERT_TRUE(sim.send_datagram(a, channel, std::span(&byte, 1)).ok()); });
  sim.at(ms(300), [&] { sim.restart(b); });
  sim.at(ms(400), [&] { ASSERT_TRUE(sim.send_datagram(a, channel, std::span(&byte, 1)).ok()); });
  sim.run_until(ms(1000));
  ASSERT_EQ(ra->datagrams.size(), 1u);
  EXPECT_EQ(ra->datagrams[0].at, ms(10));
  ASSERT_EQ(rb->datagrams.size(), 1u) << "a channel survives the restart";
  EXPECT_EQ(rb->datagrams[0].at, ms(410));
  EXPECT_EQ(sim.datagrams().peer(channel, a), b);
  const NodeId stranger = sim.add_node("c");
  EXPECT_FALSE(sim.send_datagram(stranger, channel, std::span(&byte, 1)).ok());
}

}  // namespace
}  // namespace halink::sim
