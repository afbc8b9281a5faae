#include "sim/tcp.h"

#include <gtest/gtest.h>

#include "two_nodes.h"

namespace halink::sim {
namespace {

using testing::ms;
using testing::TwoNodes;

std::vector<std::pair<int64_t, std::string>> deliveries(const testing::RecordingNode& node) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (const auto& r : node.received) out.emplace_back(r.at.ns() / 1'000'000, r.bytes);
  return out;
}

using Tcp = TwoNodes;

TEST_F(Tcp, HandshakeTakesOneRoundTripAndTheAcceptorHearsOfItAfterTheAck) {
  const ConnectionId c = connect_at(ms(0));
  rb->on_bytes = [&](Time, ConnectionId id, const std::string& text) { rb->send(id, "re:" + text); };
  send_at(ms(100), ra, c, "hello");
  sim.run_until(ms(1000));
  EXPECT_EQ(ra->events[1], "t=0.020000s connected 1");
  EXPECT_EQ(rb->events[1], "t=0.030000s accepted 1");
  EXPECT_EQ(deliveries(*rb), (std::vector<std::pair<int64_t, std::string>>{{110, "hello"}}));
  EXPECT_EQ(deliveries(*ra), (std::vector<std::pair<int64_t, std::string>>{{120, "re:hello"}}));
  auto info = sim.tcp().info(c);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->initiator_address, IpAddress::v4(10, 0, 0, 1));
  EXPECT_EQ(info->acceptor_address, IpAddress::v4(10, 0, 0, 2));
  EXPECT_TRUE(info->established);
}

TEST_F(Tcp, SendingBeforeTheConnectionIsOpenIsAnError) {
  const ConnectionId c = connect_at(ms(0));
  ra->send(c, "too early");
  rb->send(c, "not mine yet");
  ra->send(999, "nothing");
  EXPECT_EQ(ra->send_errors.size(), 2u);
  EXPECT_EQ(rb->send_errors.size(), 1u);
}

TEST_F(Tcp, StreamStallsDuringBlackholeAndDeliversInOrderAtTheNextRetransmission) {
  const ConnectionId c = connect_at(ms(0));
  send_at(ms(100), ra, c, "1");
  blackhole(ms(200), ms(2000));
  send_at(ms(300), ra, c, "2");
  send_at(ms(400), ra, c, "3");
  sim.run_until(ms(10'000));
  // RTO = RTT 20 ms + 200 ms, doubling from the first loss at 300 ms:
  // retransmissions at 520, 960, 1840 (all into the hole) and 3600 ms,
  // the first after the path returned at 2000 ms; +10 ms latency.
  EXPECT_EQ(deliveries(*rb), (std::vector<std::pair<int64_t, std::string>>{{110, "1"}, {3610, "2"}, {3610, "3"}}));
  EXPECT_TRUE(ra->closed.empty());
  EXPECT_TRUE(rb->closed.empty());
}

TEST_F(Tcp, DataInFlightWhenThePathDiesIsRetransmitted) {
  const ConnectionId c = connect_at(ms(0));
  send_at(ms(100), ra, c, "in flight");
  blackhole(ms(105), ms(106));  // gone and back before the data would arrive at 110
  sim.run_until(ms(1000));
  // Lost on the wire, retransmitted at 100 + 220 ms.
  EXPECT_EQ(deliveries(*rb), (std::vector<std::pair<int64_t, std::string>>{{330, "in flight"}}));
}

TEST_F(Tcp, ConnectOverDeadPathTimesOut) {
  blackhole(ms(0), Time::never());
  connect_at(ms(1), Duration::seconds(5));
  sim.run_until(ms(20'000));
  ASSERT_EQ(ra->closed.size(), 1u);
  EXPECT_EQ(ra->closed[0].second, TcpCloseReason::connect_timeout);
  EXPECT_EQ(ra->close_times[0], ms(5001));
  EXPECT_TRUE(ra->connected.empty());
  EXPECT_TRUE(rb->accepted.empty());
  EXPECT_EQ(sim.tcp().connection_count(), 0u);
}

TEST_F(Tcp, ConnectCompletesAtTheFirstSynRetransmissionAfterThePathReturns) {
  blackhole(ms(0), ms(2500));
  connect_at(ms(1));
  sim.run_until(ms(20'000));
  // SYNs at 1, 1001, 3001 ms (1 s, 2 s backoff): the third gets through.
  ASSERT_EQ(ra->connected.size(), 1u);
  EXPECT_EQ(ra->events[1], "t=3.021000s connected 1");
  EXPECT_EQ(rb->events[1], "t=3.031000s accepted 1");
}

TEST_F(Tcp, SynToACrashedNodeGetsNoAnswer) {
  sim.at(ms(0), [&] { sim.crash(b); });
  connect_at(ms(1), Duration::seconds(3));
  sim.run_until(ms(10'000));
  ASSERT_EQ(ra->closed.size(), 1u);
  EXPECT_EQ(ra->closed[0].second, TcpCloseReason::connect_timeout);
}

TEST_F(Tcp, CrashedPeerIsFoundByResetWhenTheSurvivorSendsAfterItsRestart) {
  const ConnectionId c = connect_at(ms(0));
  sim.at(ms(1000), [&] { sim.crash(b); });
  send_at(ms(1500), ra, c, "keepalive");
  sim.at(ms(2000), [&] { sim.restart(b); });
  sim.run_until(ms(10'000));
  // Lost at 1500 and 1720 (b down); the retransmission at 2160 reaches the
  // rebooted b, whose stack answers with a RST, back at a 10 ms later.
  ASSERT_EQ(ra->closed.size(), 1u);
  EXPECT_EQ(ra->closed[0].second, TcpCloseReason::reset);
  EXPECT_EQ(ra->close_times[0], ms(2180));
  EXPECT_TRUE(rb->received.empty());
  EXPECT_EQ(rb->events, (std::vector<std::string>{"t=0.000000s start", "t=0.030000s accepted 1",
                                                  "t=1.000000s crash", "t=2.000000s start"}));
}

TEST_F(Tcp, CrashedPeerThatStaysDownIsOnlyFoundByTheSurvivorsOwnTimers) {
  const ConnectionId c = connect_at(ms(0));
  sim.at(ms(1000), [&] { sim.crash(b); });
  send_at(ms(1500), ra, c, "keepalive");
  sim.run_until(ms(60'000));
  EXPECT_TRUE(ra->closed.empty()) << "a hold timer, not TCP, finds this within a minute";
}

TEST_F(Tcp, RestartedPeerCanOpenANewConnectionWhileTheOldOneIsHalfOpen) {
  connect_at(ms(0));
  sim.at(ms(1000), [&] { sim.crash(b); });
  sim.at(ms(2000), [&] { sim.restart(b); });
  sim.at(ms(2100), [&] { sim.tcp_connect(a_to_b.reversed()); });
  sim.run_until(ms(3000));
  EXPECT_EQ(rb->connected.size(), 1u);
  ASSERT_EQ(ra->accepted.size(), 1u);
  ASSERT_EQ(ra->connected.size(), 1u);
  EXPECT_NE(ra->accepted[0], ra->connected[0]);
  EXPECT_TRUE(ra->closed.empty()) << "the old connection stays half-open until a sends on it";
}

TEST_F(Tcp, CloseDeliversPendingDataThenPeerClosed) {
  const ConnectionId c = connect_at(ms(0));
  sim.at(ms(100), [&] {
    ra->send(c, "last words");
    sim.tcp_close(a, c);
  });
  sim.run_until(ms(1000));
  EXPECT_EQ(deliveries(*rb), (std::vector<std::pair<int64_t, std::string>>{{110, "last words"}}));
  ASSERT_EQ(rb->closed.size(), 1u);
  EXPECT_EQ(rb->closed[0].second, TcpCloseReason::peer_closed);
  EXPECT_EQ(rb->close_times[0], ms(110));
  EXPECT_TRUE(ra->closed.empty()) << "the side that closes hears nothing more";
  EXPECT_EQ(sim.tcp().connection_count(), 0u);
}

class TcpGivesUp : public TwoNodes {
protected:
  TcpGivesUp() : TwoNodes(0, [] {
    SimulationConfig config;
    config.tcp.max_retransmissions = 3;
    return config;
  }()) {}
};

TEST_F(TcpGivesUp, AfterMaxRetransmissionsAndThePeerGetsAResetLater) {
  const ConnectionId c = connect_at(ms(0));
  blackhole(ms(50), ms(3500));
  send_at(ms(100), ra, c, "x");
  send_at(ms(4000), rb, c, "y");
  sim.run_until(ms(10'000));
  // Expiries at 320, 760, 1640; the fourth, at 3400, is one too many.
  ASSERT_EQ(ra->closed.size(), 1u);
  EXPECT_EQ(ra->closed[0].second, TcpCloseReason::retransmission_timeout);
  EXPECT_EQ(ra->close_times[0], ms(3400));
  ASSERT_EQ(rb->closed.size(), 1u);
  EXPECT_EQ(rb->closed[0].second, TcpCloseReason::reset);
  EXPECT_EQ(rb->close_times[0], ms(4020));
}

class SlowLink : public TwoNodes {
protected:
  SlowLink() : TwoNodes(1'000'000) {}
};

TEST_F(SlowLink, DeliveryIsLatencyPlusSerialisation) {
  const ConnectionId c = connect_at(ms(0));
  // Handshake packets are 52 bytes on the wire: 416 us each way.
  send_at(ms(100), ra, c, std::string(1448, 'x'));  // one full segment: 1500 bytes = 12 ms at 1 Mbit/s
  send_at(ms(100), ra, c, std::string(1448, 'y'));  // queued behind it
  sim.run_until(ms(1000));
  ASSERT_EQ(rb->received.size(), 2u);
  EXPECT_EQ(rb->received[0].at, ms(122));
  EXPECT_EQ(rb->received[1].at, ms(134));
}

}  // namespace
}  // namespace halink::sim

namespace halink::sim {
namespace {

// Property: whatever the path does (blackholes and carrier losses of any
// length short of the give-up time, at any moment, with any latency and
// capacity), the stream delivers every unit exactly once and in order.
TEST(TcpProperty, EveryUnitArrivesOnceAndInOrderThroughRandomFailures) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Random random(seed);
    Simulation sim;
    const NodeId a = sim.add_node("a"), b = sim.add_node("b");
    LinkSpec spec;
    spec.name = "ab";
    spec.a = LinkEnd{a, "eth0", IpAddress::v4(10, 0, 0, 1)};
    spec.b = LinkEnd{b, "eth0", IpAddress::v4(10, 0, 0, 2)};
    spec.latency = Duration::microseconds(static_cast<int64_t>(100 + random.below(30'000)));
    spec.capacity_bps = random.below(2) ? 0 : 1'000'000 + random.below(100'000'000);
    const LinkId link = sim.network().add_link(spec).value();
    auto& ra = testing::attach_recorder(sim, a);
    auto& rb = testing::attach_recorder(sim, b);
    ConnectionId c = 0;
    sim.at(Time::zero(), [&] { c = sim.tcp_connect(sim.network().direct_path(a, link)); });
    // Up to 12 outages of up to 8 s each within the first ~100 s.
    Time t = Time::zero() + Duration::seconds(1);
    for (int i = 0; i < 12; ++i) {
      t = t + Duration::milliseconds(static_cast<int64_t>(random.below(8000)));
      const auto state = random.below(2) ? LinkState::blackhole : LinkState::carrier_down;
      sim.at(t, [&sim, link, state] { sim.set_link_state(link, state); });
      t = t + Duration::milliseconds(static_cast<int64_t>(1 + random.below(8000)));
      sim.at(t, [&sim, link] { sim.set_link_state(link, LinkState::up); });
    }
    // 300 units of random sizes at random moments, in both directions.
    std::vector<std::string> sent_by_a, sent_by_b;  // in the order the sends ran
    for (int i = 0; i < 300; ++i) {
      const Time when = Time::zero() + Duration::milliseconds(static_cast<int64_t>(1000 + random.below(100'000)));
      const bool from_a = random.below(2) == 0;
      std::string text = testing::numbered(from_a ? "a" : "b", static_cast<uint64_t>(i));
      text.resize(text.size() + random.below(3000), '.');
      sim.at(when, [&, from_a, text] {
        if (from_a) {
          ra.send(c, text);
          sent_by_a.push_back(text);
        } else {
          rb.send(rb.accepted.at(0), text);
          sent_by_b.push_back(text);
        }
      });
    }
    sim.run_until(Time::zero() + Duration::seconds(1000));
    auto texts = [](const std::vector<testing::Received>& got) {
      std::vector<std::string> out;
      for (const auto& r : got) out.push_back(r.bytes);
      return out;
    };
    EXPECT_TRUE(ra.send_errors.empty() && rb.send_errors.empty()) << "seed " << seed;
    EXPECT_TRUE(ra.closed.empty() && rb.closed.empty()) << "seed " << seed;
    EXPECT_EQ(texts(rb.received), sent_by_a) << "seed " << seed;
    EXPECT_EQ(texts(ra.received), sent_by_b) << "seed " << seed;
  }
}

}  // namespace
}  // namespace halink::sim
