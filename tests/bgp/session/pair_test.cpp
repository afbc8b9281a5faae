// Two real Sessions back to back through in-memory pipes and a virtual clock.
#include <gtest/gtest.h>

#include <random>

#include "session_pair.h"
#include "test_support.h"

namespace halink::bgp {
namespace {

using namespace halink::bgp::testing;

// A seeded generator: jitter varies as in production, runs repeat exactly.
Session::RandomSource seeded(uint32_t seed) {
  auto engine = std::make_shared<std::mt19937>(seed);
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

SessionConfig with_hold(SessionConfig c, int64_t seconds) {
  c.hold_time = Duration::seconds(seconds);
  return c;
}

Update one_route() {
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{{AsPathSegment{AsPathSegmentType::as_sequence, {65001}}}};
  u.attributes.next_hop = IpAddress::v4(10, 0, 0, 1);
  u.nlri.prefixes.push_back(Prefix::parse("198.51.100.0/24").value());
  return u;
}

TEST(SessionPair, EstablishesThroughTheCollisionOfTwoActiveSides) {
  SessionPair pair(local_config(), remote_config(), seeded(1), seeded(2));
  pair.a().start(pair.now());
  pair.b().start(pair.now());
  pair.run_for(Duration::seconds(1));
  EXPECT_EQ(pair.a().state(), SessionState::established);
  EXPECT_EQ(pair.b().state(), SessionState::established);
  EXPECT_EQ(pair.events_of<session::Established>(0).size(), 1u);
  EXPECT_EQ(pair.events_of<session::Established>(1).size(), 1u);
  EXPECT_TRUE(pair.events_of<session::Down>(0).empty());
  EXPECT_TRUE(pair.events_of<session::Down>(1).empty());
  // Both sides agree on what was negotiated.
  EXPECT_EQ(pair.a().negotiated()->hold_time, Duration::seconds(90));
  EXPECT_EQ(pair.a().negotiated()->remote_id, remote_id);
  EXPECT_EQ(pair.b().negotiated()->remote_id, local_id);
  EXPECT_EQ(pair.a().negotiated()->families, pair.b().negotiated()->families);
}

TEST(SessionPair, KeepalivesHoldTheSessionForSixHoursWithoutAFlap) {
  SessionPair pair(with_hold(local_config(), 9), with_hold(remote_config(), 9), seeded(3), seeded(4));
  pair.a().start(pair.now());
  pair.b().start(pair.now());
  pair.run_for(Duration::seconds(6 * 3600));
  for (int side : {0, 1}) {
    EXPECT_EQ(pair.session(side).state(), SessionState::established);
    EXPECT_EQ(pair.events_of<session::Established>(side).size(), 1u);
    EXPECT_TRUE(pair.events_of<session::Down>(side).empty());
    EXPECT_EQ(pair.session(side).counters().flaps, 0u);
    // Keepalive every 3 s, jittered 0.75–1.0: between 7,200 and 9,600 in 6 hours.
    uint64_t keepalives = pair.session(side).counters().sent.keepalive;
    EXPECT_GE(keepalives, 7200u);
    EXPECT_LE(keepalives, 9601u);
  }
  // At most the last keepalive is still in flight.
  EXPECT_LE(pair.b().counters().sent.keepalive - pair.a().counters().received.keepalive, 1u);
}

TEST(SessionPair, HoldTimerExpiresExactlyTheHoldTimeAfterTheLastMessage) {
  SessionPair pair(with_hold(local_config(), 9), with_hold(remote_config(), 9), seeded(5), seeded(6));
  pair.a().start(pair.now());
  pair.b().start(pair.now());
  pair.run_for(Duration::seconds(100));
  ASSERT_EQ(pair.a().state(), SessionState::established);
  pair.silenced[1] = true;  // b goes silent: its keepalives are lost
  pair.run_for(Duration::seconds(30));
  // (a then tries again and fails again; the first Down is the one that counts.)
  auto downs = pair.events_of<session::Down>(0);
  ASSERT_GE(downs.size(), 1u);
  EXPECT_EQ(downs[0].reason, DownReason::hold_timer_expired);
  EXPECT_TRUE(downs[0].was_established);
  Time down_at = Time::never();
  for (const auto& e : pair.events(0))
    if (std::holds_alternative<session::Down>(e.action)) down_at = earliest(down_at, e.at);
  EXPECT_EQ(down_at, pair.last_delivery_to(0) + Duration::seconds(9));
  // b learns it from a's NOTIFICATION (a's bytes still flow).
  auto b_downs = pair.events_of<session::Down>(1);
  ASSERT_GE(b_downs.size(), 1u);
  EXPECT_EQ(b_downs[0].reason, DownReason::notification_received);
  EXPECT_EQ(b_downs[0].notification_received->code, error_code::hold_timer_expired);
}

TEST(SessionPair, AdminShutdownTextArrivesDecoded) {
  SessionPair pair(local_config(), remote_config(), seeded(7), seeded(8));
  pair.a().start(pair.now());
  pair.b().start(pair.now());
  pair.run_for(Duration::seconds(1));
  ASSERT_TRUE(pair.a().established());
  const std::string text = "Wartung: tunnel 2 moves to ISP B — back at 22:00";
  pair.a().stop(pair.now(), text);
  pair.run_for(Duration::seconds(1));
  // b's first Down is a's NOTIFICATION (later ones are its refused retries).
  auto downs = pair.events_of<session::Down>(1);
  ASSERT_GE(downs.size(), 1u);
  EXPECT_EQ(downs[0].reason, DownReason::notification_received);
  ASSERT_TRUE(downs[0].notification_received.has_value());
  EXPECT_EQ(downs[0].notification_received->shutdown_communication(), text);
  EXPECT_EQ(downs[0].text, "NOTIFICATION received: Cease / Administrative Shutdown: \"" + text + "\"");
  EXPECT_EQ(pair.events_of<session::Down>(0).at(0).reason, DownReason::admin_shutdown);
  EXPECT_EQ(pair.a().state(), SessionState::idle);
  // b keeps trying; a refuses while administratively down.
  pair.run_for(Duration::seconds(600));
  EXPECT_EQ(pair.a().state(), SessionState::idle);
  EXPECT_NE(pair.b().state(), SessionState::established);
  // Started again, both come back without waiting out b's back-off.
  pair.a().start(pair.now());
  pair.run_for(Duration::seconds(1));
  EXPECT_TRUE(pair.a().established());
  EXPECT_TRUE(pair.b().established());
}

TEST(SessionPair, OneByteAtATime) {
  SessionPair pair(local_config(), remote_config(), seeded(9), seeded(10));
  pair.one_byte_at_a_time = true;
  pair.a().start(pair.now());
  pair.b().start(pair.now());
  pair.run_for(Duration::seconds(1));
  ASSERT_TRUE(pair.a().established());
  ASSERT_TRUE(pair.b().established());
  ASSERT_TRUE(pair.a().send_update(pair.now(), one_route()).ok());
  ASSERT_TRUE(pair.b().send_route_refresh(pair.now(), RouteRefresh{AfiSafi::unicast(Family::ipv4), 0}).ok());
  pair.run_for(Duration::seconds(1));
  auto updates = pair.events_of<session::ReceivedUpdate>(1);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].update, one_route());
  EXPECT_EQ(pair.events_of<session::ReceivedRouteRefresh>(0).size(), 1u);
  pair.run_for(Duration::seconds(600));
  EXPECT_TRUE(pair.events_of<session::Down>(0).empty());
}

TEST(SessionPair, APeerThatKeepsRefusingIsRetriedWithBackOffNotAStorm) {
  SessionConfig a = local_config();
  a.idle_hold = IdleHoldBackoff{Duration::seconds(1), Duration::seconds(120), Duration::seconds(60)};
  SessionPair pair(a, remote_config(), seeded(11), seeded(12));
  pair.a().start(pair.now());  // b is administratively down: it refuses every connection
  pair.run_for(Duration::seconds(600));
  // Waits of about 1, 2, 4, ... 120 s: about 10 attempts in 10 minutes, not 120.
  uint64_t attempts = pair.a().counters().sent.open;
  EXPECT_GE(attempts, 8u);
  EXPECT_LE(attempts, 14u);
  EXPECT_GE(pair.a().counters().consecutive_failures, 8u);
  // When b comes up it connects at once, and a accepts despite its back-off.
  pair.b().start(pair.now());
  pair.run_for(Duration::seconds(1));
  EXPECT_TRUE(pair.a().established());
  EXPECT_TRUE(pair.b().established());
}

TEST(SessionPair, PassiveSideWaitsForTheActiveOne) {
  SessionConfig b = remote_config();
  b.passive = true;
  SessionPair pair(local_config(), b, seeded(13), seeded(14));
  pair.b().start(pair.now());
  pair.run_for(Duration::seconds(30));
  EXPECT_EQ(pair.b().state(), SessionState::active);
  pair.a().start(pair.now());
  pair.run_for(Duration::seconds(1));
  EXPECT_TRUE(pair.a().established());
  EXPECT_TRUE(pair.b().established());
}

TEST(SessionPair, DelayOpenOnBothSidesStillEstablishes) {
  SessionConfig a = local_config();
  SessionConfig b = remote_config();
  a.delay_open = Duration::seconds(2);
  b.delay_open = Duration::seconds(3);
  SessionPair pair(a, b, seeded(15), seeded(16));
  pair.a().start(pair.now());
  pair.b().start(pair.now());
  pair.run_for(Duration::seconds(10));
  EXPECT_TRUE(pair.a().established());
  EXPECT_TRUE(pair.b().established());
}

TEST(SessionPair, BfdDownThenRecovery) {
  SessionPair pair(local_config(), remote_config(), seeded(17), seeded(18));
  pair.a().start(pair.now());
  pair.b().start(pair.now());
  pair.run_for(Duration::seconds(1));
  pair.a().bfd_down(pair.now(), "control detection time expired");
  pair.run_for(Duration::milliseconds(100));
  EXPECT_EQ(pair.events_of<session::Down>(1).at(0).notification_received->subcode, cease_subcode::bfd_down);
  pair.run_for(Duration::seconds(10));
  EXPECT_TRUE(pair.a().established());
  EXPECT_TRUE(pair.b().established());
  EXPECT_EQ(pair.a().counters().flaps, 1u);
}

}  // namespace
}  // namespace halink::bgp

namespace halink::bgp {
namespace {

using namespace halink::bgp::testing;

// Simultaneous opens across latencies and start offsets (both sides started
// before the other's connection arrives): the collision is resolved the same
// way on both ends, so each side comes up exactly once and never goes down.
TEST(SessionPair, CollisionsConvergeWithoutAFlap) {
  for (int64_t latency_ms : {0, 1, 20, 150, 400}) {
    for (int64_t offset_ms : {int64_t{0}, latency_ms / 2, std::max<int64_t>(0, latency_ms - 1)}) {
      for (bool a_higher : {false, true}) {
        SessionConfig a = local_config();
        SessionConfig b = remote_config();
        if (a_higher) std::swap(a.router_id, b.router_id);
        SessionPair pair(a, b, [] { return 0.5; }, [] { return 0.5; });
        pair.latency = Duration::milliseconds(latency_ms);
        pair.a().start(pair.now());
        if (offset_ms == 0) pair.b().start(pair.now());
        pair.run_for(Duration::milliseconds(offset_ms));
        if (offset_ms != 0) pair.b().start(pair.now());
        pair.run_for(Duration::seconds(30));
        SCOPED_TRACE("latency " + std::to_string(latency_ms) + "ms, offset " + std::to_string(offset_ms) +
                     "ms, a_higher " + std::to_string(a_higher));
        EXPECT_TRUE(pair.a().established());
        EXPECT_TRUE(pair.b().established());
        EXPECT_EQ(pair.events_of<session::Established>(0).size(), 1u);
        EXPECT_EQ(pair.events_of<session::Established>(1).size(), 1u);
        for (int side : {0, 1})
          for (const auto& down : pair.events_of<session::Down>(side)) ADD_FAILURE() << side << ": " << down.text;
      }
    }
  }
}

}  // namespace
}  // namespace halink::bgp
