#include "bfd/sessions.h"

#include <gtest/gtest.h>

#include <string>

#include "harness.h"

using namespace halink;
using namespace halink::bfd;
using namespace halink::bfd::testing;

namespace {

IpAddress peer_address(int i) {
  return IpAddress::v4(10, 1, static_cast<uint8_t>(i / 250), static_cast<uint8_t>(1 + i % 250));
}
IpAddress own_address(int i) {
  return IpAddress::v4(10, 2, static_cast<uint8_t>(i / 250), static_cast<uint8_t>(1 + i % 250));
}

SessionConfig config_for(uint32_t discriminator, IpAddress peer, Duration interval = ms(50)) {
  SessionConfig c = make_config(discriminator, "10.0.0.1", interval);
  c.peer = peer;
  return c;
}

// Two systems, `n` sessions each, wired back to back with zero latency.
struct TwoSystems {
  Sessions left{seeded_random(1)};
  Sessions right{seeded_random(2)};
  Time now = Time::zero();
  size_t downs_after_up = 0;
  size_t ups = 0;

  explicit TwoSystems(int n) {
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(left.add(now, config_for(1000 + i, peer_address(i))).ok());
      EXPECT_TRUE(right.add(now, config_for(5000 + i, own_address(i))).ok());
    }
    pump();
  }

  void pump() {
    for (;;) {
      std::vector<Action> from_left = left.take_actions();
      std::vector<Action> from_right = right.take_actions();
      if (from_left.empty() && from_right.empty()) return;
      deliver(from_left, left, right, true);
      deliver(from_right, right, left, false);
    }
  }

  void deliver(const std::vector<Action>& actions, const Sessions& from, Sessions& to, bool from_left) {
    for (const Action& a : actions) {
      if (const auto* send = std::get_if<SendPacket>(&a)) {
        const Session* s = from.find(send->local_discriminator);
        ASSERT_NE(s, nullptr);
        int index = static_cast<int>(send->local_discriminator - (from_left ? 1000 : 5000));
        PacketSource source{from_left ? own_address(index) : peer_address(index), "wg0", false, 255};
        EXPECT_EQ(to.on_packet(now, send->packet.bytes(), source), DropReason::none);
      } else {
        const auto& c = std::get<StateChange>(a);
        if (c.new_state == State::up) ++ups;
        if (c.old_state == State::up) ++downs_after_up;
      }
    }
  }

  void run_until(Time end) {
    for (;;) {
      Time next = earliest(left.next_deadline(), right.next_deadline());
      if (next > end) break;
      now = next;
      left.on_timer(now);
      right.on_timer(now);
      pump();
    }
    now = end;
  }
};

}  // namespace

TEST(Sessions, AddRejectsDuplicatesAndBadConfig) {
  Sessions s(seeded_random(1));
  EXPECT_TRUE(s.add(Time::zero(), config_for(1, peer_address(1))).ok());
  Status same_discriminator = s.add(Time::zero(), config_for(1, peer_address(2)));
  ASSERT_FALSE(same_discriminator.ok());
  EXPECT_NE(same_discriminator.message().find("already in use"), std::string::npos);
  Status same_peer = s.add(Time::zero(), config_for(2, peer_address(1)));
  ASSERT_FALSE(same_peer.ok());
  EXPECT_NE(same_peer.message().find("already exists"), std::string::npos);
  SessionConfig other_interface = config_for(3, peer_address(1));
  other_interface.interface = "wg1";
  EXPECT_TRUE(s.add(Time::zero(), other_interface).ok());
  SessionConfig multihop = config_for(4, peer_address(1));
  multihop.multihop = true;
  EXPECT_TRUE(s.add(Time::zero(), multihop).ok());
  SessionConfig no_key = config_for(5, peer_address(9));
  no_key.auth.type = AuthType::keyed_sha1;
  EXPECT_FALSE(s.add(Time::zero(), no_key).ok());
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(s.remove(1));
  EXPECT_FALSE(s.remove(1));
  EXPECT_TRUE(s.add(Time::zero(), config_for(1, peer_address(1))).ok());
}

TEST(Sessions, FirstPacketIsMatchedByAddressThenByDiscriminator) {
  Sessions s(seeded_random(1));
  ASSERT_TRUE(s.add(Time::zero(), config_for(7, peer_address(1))).ok());
  PacketSource from_peer{peer_address(1), "wg0", false, 255};

  // Your Discriminator 0: selected by (peer, interface).
  EXPECT_EQ(s.on_packet(at_ms(1), PeerPacket(State::down, 99, 0).bytes().bytes(), from_peer), DropReason::none);
  EXPECT_EQ(s.find(7)->state(), State::init);
  EXPECT_EQ(s.find(7)->remote_discriminator(), 99u);
  // Unknown source or interface.
  PacketSource stranger{peer_address(2), "wg0", false, 255};
  EXPECT_EQ(s.on_packet(at_ms(2), PeerPacket(State::down, 98, 0).bytes().bytes(), stranger),
            DropReason::no_session_for_source);
  PacketSource other_interface{peer_address(1), "eth0", false, 255};
  EXPECT_EQ(s.on_packet(at_ms(2), PeerPacket(State::down, 98, 0).bytes().bytes(), other_interface),
            DropReason::no_session_for_source);
  // Nonzero Your Discriminator: selected by it, whatever the source.
  EXPECT_EQ(s.on_packet(at_ms(3), PeerPacket(State::init, 99, 7).bytes().bytes(), stranger), DropReason::none);
  EXPECT_EQ(s.find(7)->state(), State::up);
  EXPECT_EQ(s.on_packet(at_ms(4), PeerPacket(State::up, 99, 8).bytes().bytes(), from_peer),
            DropReason::unknown_your_discriminator);
  // Malformed packets never reach a session.
  std::vector<uint8_t> bad = {0x40};
  EXPECT_EQ(s.on_packet(at_ms(5), bad, from_peer), DropReason::bad_version);
  EXPECT_EQ(s.unmatched().dropped, 4u);
  EXPECT_EQ(s.unmatched().dropped_by_reason[static_cast<size_t>(DropReason::no_session_for_source)], 2u);
  EXPECT_EQ(s.find(peer_address(1), "wg0", false), s.find(7));
  EXPECT_EQ(s.find(peer_address(1), "wg1", false), nullptr);
}

TEST(Sessions, ActionsCarryTheDiscriminatorAndStateChanges) {
  Sessions s(seeded_random(1));
  ASSERT_TRUE(s.add(Time::zero(), config_for(7, peer_address(1))).ok());
  EXPECT_TRUE(s.take_actions().empty());
  EXPECT_EQ(s.next_deadline(), Time::zero());  // the first packet is due at once
  s.on_timer(Time::zero());
  std::vector<Action> first = s.take_actions();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(std::get<SendPacket>(first[0]).local_discriminator, 7u);
  ASSERT_TRUE(s.set_admin_down(at_ms(1), 7, true).ok());
  bool saw_change = false;
  for (const Action& a : s.take_actions()) {
    if (auto* c = std::get_if<StateChange>(&a)) {
      saw_change = true;
      EXPECT_EQ(c->local_discriminator, 7u);
      EXPECT_EQ(c->new_state, State::admin_down);
      EXPECT_EQ(c->diag, Diag::administratively_down);
    }
  }
  EXPECT_TRUE(saw_change);
  EXPECT_FALSE(s.set_admin_down(at_ms(1), 8, true).ok());
}

TEST(Sessions, NextDeadlineIsTheEarliestOverAllSessions) {
  Sessions s(seeded_random(3));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(s.add(Time::zero(), config_for(1 + i, peer_address(i))).ok());
  s.take_actions();
  for (int step = 0; step < 500; ++step) {
    Time expected = Time::never();
    for (const SessionInfo& info : s.snapshot())
      expected = earliest(expected, s.find(info.local_discriminator)->next_deadline());
    ASSERT_EQ(s.next_deadline(), expected) << "step " << step;
    Time now = s.next_deadline();
    s.on_timer(now);
    std::vector<Action> sent = s.take_actions();
    EXPECT_FALSE(sent.empty());  // only due sessions run, and a due one sends
    for (const Action& a : sent) EXPECT_LE(std::get<SendPacket>(a).packet.size, 52);
  }
  ASSERT_TRUE(s.remove(50));
  Time expected = Time::never();
  for (const SessionInfo& info : s.snapshot())
    expected = earliest(expected, s.find(info.local_discriminator)->next_deadline());
  EXPECT_EQ(s.next_deadline(), expected);
}

TEST(Sessions, HundredPairsComeUpAndStayUpForAMinute) {
  TwoSystems systems(100);
  systems.run_until(at_ms(60'000));
  EXPECT_EQ(systems.ups, 200u);
  EXPECT_EQ(systems.downs_after_up, 0u);
  std::vector<SessionInfo> info = systems.left.snapshot();
  ASSERT_EQ(info.size(), 100u);
  for (size_t i = 0; i < info.size(); ++i) {
    EXPECT_EQ(info[i].local_discriminator, 1000 + i);  // sorted
    EXPECT_EQ(info[i].state, State::up);
    EXPECT_EQ(info[i].remote_discriminator, 5000 + i);
    EXPECT_EQ(info[i].transmit_interval, ms(50));
    EXPECT_EQ(info[i].detection_time, ms(150));
    EXPECT_GT(info[i].counters.rx_packets, 1000u);
    EXPECT_GT(info[i].counters.tx_packets, 1000u);
    EXPECT_EQ(info[i].counters.dropped, 0u);
    ASSERT_TRUE(info[i].up_since.has_value());
  }
}

TEST(Sessions, ReconfigureFollowsAReload) {
  TwoSystems systems(3);
  systems.run_until(at_ms(5'000));
  SessionConfig reloaded = config_for(1001, peer_address(1), ms(100));
  ASSERT_TRUE(systems.left.reconfigure(systems.now, reloaded).ok());
  systems.pump();
  systems.run_until(at_ms(10'000));
  EXPECT_EQ(systems.left.find(1001)->transmit_interval(), ms(100));
  EXPECT_EQ(systems.right.find(5001)->detection_time(), ms(300));
  EXPECT_EQ(systems.downs_after_up, 0u);
  EXPECT_FALSE(systems.left.reconfigure(systems.now, config_for(4242, peer_address(1))).ok());
}

TEST(Sessions, Ipv6LinkLocalPeersAreTellApartByInterface) {
  Sessions s(seeded_random(4));
  IpAddress peer = IpAddress::parse("fe80::1").value();
  SessionConfig on_wg0 = config_for(1, peer);
  SessionConfig on_wg1 = config_for(2, peer);
  on_wg1.interface = "wg1";
  ASSERT_TRUE(s.add(Time::zero(), on_wg0).ok());
  ASSERT_TRUE(s.add(Time::zero(), on_wg1).ok());
  EXPECT_EQ(
      s.on_packet(at_ms(1), PeerPacket(State::down, 77, 0).bytes().bytes(), PacketSource{peer, "wg1", false, 255}),
      DropReason::none);
  EXPECT_EQ(s.find(2)->state(), State::init);
  EXPECT_EQ(s.find(1)->state(), State::down);
  // Hop Limit 255 is required for single hop over IPv6 too (RFC 5881 §5).
  EXPECT_EQ(s.on_packet(at_ms(2), PeerPacket(State::down, 78, 0).bytes().bytes(), PacketSource{peer, "wg0", false, 64}),
            DropReason::ttl_not_255);
  EXPECT_EQ(s.find(1)->counters().dropped_by_reason[static_cast<size_t>(DropReason::ttl_not_255)], 1u);
}
