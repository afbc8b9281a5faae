#include "bfd/session.h"

#include <gtest/gtest.h>

#include <random>

#include "harness.h"

using namespace halink;
using namespace halink::bfd;
using namespace halink::bfd::testing;

namespace {

constexpr uint32_t kA = 0x1111;
constexpr uint32_t kB = 0x2222;

Pair up_pair(Duration latency = ms(1), Duration interval = ms(50), uint8_t multiplier = 3) {
  Pair p(make_config(kA, "10.0.0.2", interval, multiplier), make_config(kB, "10.0.0.1", interval, multiplier), latency);
  p.run_until(at_ms(5000));
  EXPECT_EQ(p.a.state(), State::up);
  EXPECT_EQ(p.b.state(), State::up);
  return p;
}

bool sent_after(const Outbox& out, Time t, State s) {
  return std::any_of(out.packets.begin(), out.packets.end(),
                     [&](const Sent& x) { return x.at >= t && x.packet.state == s; });
}

size_t drops(const Session& s, DropReason r) { return s.counters().dropped_by_reason[static_cast<size_t>(r)]; }

}  // namespace

// ---------------------------------------------------------------- configuration

TEST(SessionConfig, ValidationErrorsAreValues) {
  EXPECT_TRUE(validate(make_config(1, "10.0.0.1")).ok());
  auto bad = [](auto mutate, const char* needle) {
    SessionConfig c = make_config(1, "10.0.0.1");
    mutate(c);
    Status s = validate(c);
    ASSERT_FALSE(s.ok()) << needle;
    EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
    EXPECT_FALSE(Session::create(c, constant_random(0), Time::zero()).ok());
  };
  bad([](SessionConfig& c) { c.local_discriminator = 0; }, "discriminator");
  bad([](SessionConfig& c) { c.detect_mult = 0; }, "multiplier");
  bad([](SessionConfig& c) { c.required_min_rx = Duration::zero(); }, "required min rx");
  bad([](SessionConfig& c) { c.desired_min_tx = Duration::zero(); }, "desired min tx");
  bad([](SessionConfig& c) { c.desired_min_tx = max_interval + Duration::microseconds(1); }, "out of range");
  bad([](SessionConfig& c) { c.peer = IpAddress(); }, "unspecified");
  bad([](SessionConfig& c) { c.local_address = IpAddress::parse("2001:db8::1").value(); }, "family");
  bad([](SessionConfig& c) { c.auth = AuthConfig{AuthType::keyed_sha1, 1, {}}; }, "needs a key");
  bad([](SessionConfig& c) { c.auth = AuthConfig{AuthType::keyed_md5, 1, {'k'}}; }, "not supported");
}

TEST(SessionConfig, SettersRejectBadValuesAndKeepTheOldOnes) {
  Session s = make_session(make_config(kA, "10.0.0.2"));
  EXPECT_FALSE(s.set_desired_min_tx(Time::zero(), Duration::zero()).ok());
  EXPECT_FALSE(s.set_required_min_rx(Time::zero(), Duration::zero()).ok());
  EXPECT_FALSE(s.set_detect_mult(Time::zero(), 0).ok());
  EXPECT_FALSE(s.set_auth(Time::zero(), AuthConfig{AuthType::meticulous_keyed_sha1, 1, {}}).ok());
  EXPECT_EQ(s.config().desired_min_tx, ms(50));
  EXPECT_EQ(s.config().detect_mult, 3);
  SessionConfig moved = s.config();
  moved.peer = IpAddress::parse("10.0.0.9").value();
  EXPECT_FALSE(s.reconfigure(Time::zero(), moved).ok());
}

// ---------------------------------------------------------------- handshake

TEST(SessionHandshake, TwoSessionsBackToBackComeUp) {
  Pair p(make_config(kA, "10.0.0.2"), make_config(kB, "10.0.0.1"));
  p.run_until(at_ms(5000));
  for (Outbox* out : {&p.a_out, &p.b_out}) {
    ASSERT_EQ(out->changes.size(), 2u);
    EXPECT_EQ(out->changes[0].old_state, State::down);
    EXPECT_EQ(out->changes[0].new_state, State::init);
    EXPECT_EQ(out->changes[1].old_state, State::init);
    EXPECT_EQ(out->changes[1].new_state, State::up);
    EXPECT_EQ(out->changes[1].diag, Diag::none);
    EXPECT_NE(out->changes[1].reason.find("three-way handshake"), std::string::npos);
  }
  // Both send at t=0, so both see Down, go Init, and come Up a latency later.
  EXPECT_EQ(p.a_out.changes[1].at, at_ms(2));
  EXPECT_EQ(p.a.remote_discriminator(), kB);
  EXPECT_EQ(p.b.remote_discriminator(), kA);
  // Slow rate until Up (§6.8.3), then the configured one after the Poll.
  EXPECT_EQ(p.a_out.packets.front().packet.desired_min_tx_us, 1'000'000u);
  EXPECT_FALSE(p.a.poll_in_progress());
  EXPECT_EQ(p.a.transmit_interval(), ms(50));
  EXPECT_EQ(p.a.detection_time(), ms(150));
  EXPECT_EQ(p.a.info().up_since, std::optional<Time>(at_ms(2)));
  EXPECT_EQ(p.a.counters().up_transitions, 1u);
}

TEST(SessionHandshake, LateSideGoesFromDownStraightToUpOnInit) {
  SessionConfig b = make_config(kB, "10.0.0.1");
  b.admin_down = true;
  Pair p(make_config(kA, "10.0.0.2"), b);
  p.run_until(at_ms(3000));
  EXPECT_EQ(p.a.state(), State::down);  // an AdminDown peer does not make us Init
  EXPECT_EQ(p.b.state(), State::admin_down);
  p.b.set_admin_down(p.now, false);
  p.collect_all();
  p.run_for(ms(100));
  EXPECT_EQ(p.a.state(), State::up);
  ASSERT_EQ(p.b_out.changes.size(), 2u);
  EXPECT_EQ(p.b_out.changes[0].new_state, State::down);
  EXPECT_EQ(p.b_out.changes[1].old_state, State::down);
  EXPECT_EQ(p.b_out.changes[1].new_state, State::up);
}

TEST(SessionHandshake, UpIgnoresInitAndDownIgnoresUp) {
  Session s = make_session(make_config(kA, "10.0.0.2"));
  // Down + received Up: stays Down (§6.8.6).
  EXPECT_EQ(s.on_packet(at_ms(1), PeerPacket(State::up, kB, kA).bytes().bytes(), 255), DropReason::none);
  EXPECT_EQ(s.state(), State::down);
  s.on_packet(at_ms(2), PeerPacket(State::init, kB, kA).bytes().bytes(), 255);
  EXPECT_EQ(s.state(), State::up);
  s.on_packet(at_ms(3), PeerPacket(State::init, kB, kA).bytes().bytes(), 255);
  EXPECT_EQ(s.state(), State::up);
}

// ---------------------------------------------------------------- transmit rate and jitter

TEST(SessionTransmit, SlowTransmitWhileDownIsAtLeastOneSecondLessJitter) {
  Session s = make_session(make_config(kA, "10.0.0.2", ms(50)), seeded_random(7));
  Outbox out;
  Time now = Time::zero();
  for (int i = 0; i < 200; ++i) {
    now = s.next_deadline();
    s.on_timer(now);
    out.collect(s, now);
  }
  ASSERT_EQ(out.packets.size(), 200u);
  for (size_t i = 0; i < out.packets.size(); ++i) {
    EXPECT_EQ(out.packets[i].packet.state, State::down);
    EXPECT_EQ(out.packets[i].packet.desired_min_tx_us, 1'000'000u);  // §6.8.3
    EXPECT_EQ(out.packets[i].packet.required_min_rx_us, 50'000u);
    EXPECT_EQ(out.packets[i].packet.your_discriminator, 0u);
    EXPECT_EQ(out.packets[i].packet.required_min_echo_rx_us, 0u);
    EXPECT_FALSE(out.packets[i].packet.demand);
    if (i > 0) {
      Duration gap = out.packets[i].at - out.packets[i - 1].at;
      EXPECT_GE(gap, ms(750));
      EXPECT_LT(gap, ms(1000));
    }
  }
}

namespace {

// Gaps between periodic packets of a lone session over `count` draws.
std::vector<double> gap_fractions(uint8_t multiplier, int count, uint32_t seed) {
  Session s = make_session(make_config(kA, "10.0.0.2", ms(50), multiplier), seeded_random(seed));
  std::vector<double> out;
  Time last = Time::never();
  for (int i = 0; i <= count; ++i) {
    Time now = s.next_deadline();
    s.on_timer(now);
    s.take_actions();
    if (!last.is_never()) out.push_back(static_cast<double>((now - last).ns()) / 1e9);  // interval is 1 s
    last = now;
  }
  return out;
}

}  // namespace

TEST(SessionTransmit, JitterIs75To100PercentOverManyDraws) {
  std::vector<double> f = gap_fractions(3, 20'000, 11);
  auto [lo, hi] = std::minmax_element(f.begin(), f.end());
  EXPECT_GE(*lo, 0.75);
  EXPECT_LT(*hi, 1.0);
  EXPECT_LT(*lo, 0.752);  // the whole range is used
  EXPECT_GT(*hi, 0.998);
}

TEST(SessionTransmit, JitterIs75To90PercentWithDetectMultOne) {
  std::vector<double> f = gap_fractions(1, 20'000, 12);
  auto [lo, hi] = std::minmax_element(f.begin(), f.end());
  EXPECT_GE(*lo, 0.75);
  EXPECT_LT(*hi, 0.90);
  EXPECT_LT(*lo, 0.752);
  EXPECT_GT(*hi, 0.898);
}

TEST(SessionTransmit, JitterBoundsAreExactAtTheExtremes) {
  auto first_gap = [](uint32_t random, uint8_t multiplier) {
    Session s = make_session(make_config(kA, "10.0.0.2", ms(50), multiplier), constant_random(random));
    s.on_timer(Time::zero());
    Time next = s.next_deadline();
    return next - Time::zero();
  };
  EXPECT_EQ(first_gap(0, 3), ms(750));
  EXPECT_LT(first_gap(0xFFFF'FFFF, 3), ms(1000));
  EXPECT_GT(first_gap(0xFFFF'FFFF, 3), ms(999));
  EXPECT_EQ(first_gap(0, 1), ms(750));
  EXPECT_LT(first_gap(0xFFFF'FFFF, 1), ms(900));
  EXPECT_GT(first_gap(0xFFFF'FFFF, 1), ms(899));
}

TEST(SessionTransmit, UpRateIsNegotiatedMaximumLessJitter) {
  Pair p = up_pair();
  p.a_out.clear();
  p.run_for(Duration::seconds(10));
  std::vector<Time> periodic;
  for (const Sent& s : p.a_out.packets) {
    if (!s.packet.final) periodic.push_back(s.at);
  }
  ASSERT_GT(periodic.size(), 200u);
  for (size_t i = 1; i < periodic.size(); ++i) {
    Duration gap = periodic[i] - periodic[i - 1];
    EXPECT_GE(gap, Duration::microseconds(37'500));
    EXPECT_LT(gap, ms(50));
  }
  // The peer asks for 200 ms: we slow down to max(50, 200).
  ASSERT_TRUE(p.b.set_required_min_rx(p.now, ms(200)).ok());
  p.collect_all();
  p.run_for(ms(100));
  EXPECT_EQ(p.a.transmit_interval(), ms(200));
}

TEST(SessionTransmit, PeerAskingForNoPacketsGetsNoPeriodicOnes) {
  Session s = make_session(make_config(kA, "10.0.0.2"));
  s.on_timer(Time::zero());
  PeerPacket quiet(State::down, kB, 0);
  quiet.packet.required_min_rx_us = 0;  // §6.8.7: do not send periodic packets
  s.on_packet(at_ms(1), quiet.bytes().bytes(), 255);
  s.take_actions();
  // Only the detection deadline is left; no transmit is scheduled.
  EXPECT_EQ(s.next_deadline(), at_ms(1) + ms(150));
  s.on_timer(s.next_deadline());  // Init times out: the Down is still announced
  Outbox out;
  out.collect(s, at_ms(151));
  ASSERT_EQ(out.packets.size(), 1u);
  EXPECT_EQ(out.packets[0].packet.state, State::down);
}

TEST(SessionTransmit, PollIsAnsweredAtOnceWithFinalAndNoPoll) {
  Session s = make_session(make_config(kA, "10.0.0.2"));
  s.on_timer(Time::zero());
  s.take_actions();
  PeerPacket poll(State::down, kB, 0);
  poll.packet.poll = true;
  ASSERT_EQ(s.on_packet(at_ms(10), poll.bytes().bytes(), 255), DropReason::none);
  Outbox out;
  out.collect(s, at_ms(10));
  ASSERT_FALSE(out.packets.empty());
  EXPECT_TRUE(out.packets.front().packet.final);
  EXPECT_FALSE(out.packets.front().packet.poll);
  EXPECT_EQ(out.packets.front().packet.state, State::init);
  EXPECT_EQ(out.packets.front().packet.your_discriminator, kB);
}

TEST(SessionTransmit, RemoteDemandModeStopsPeriodicPacketsButPollsAreAnswered) {
  Session s = make_session(make_config(kA, "10.0.0.2"));
  Time t = Time::zero();
  s.on_timer(t);
  s.on_packet(t, PeerPacket(State::init, kB, kA).bytes().bytes(), 255);
  ASSERT_EQ(s.state(), State::up);
  ASSERT_TRUE(s.poll_in_progress());  // Down -> Up changed our Desired Min TX
  PeerPacket final_packet(State::up, kB, kA);
  final_packet.packet.final = true;
  s.on_packet(t, final_packet.bytes().bytes(), 255);
  ASSERT_FALSE(s.poll_in_progress());  // while polling, periodic packets continue even in Demand mode
  s.take_actions();
  PeerPacket demand(State::up, kB, kA);
  demand.packet.demand = true;
  Outbox out;
  for (int i = 0; i < 50; ++i) {
    t = t + ms(40);
    while (s.next_deadline() <= t) s.on_timer(s.next_deadline());
    s.on_packet(t, demand.bytes().bytes(), 255);
    out.collect(s, t);
  }
  // §6.8.7: no periodic packets while Demand mode is active on the remote.
  size_t before = out.packets.size();
  EXPECT_EQ(before, 0u);
  demand.packet.poll = true;
  s.on_packet(t + ms(1), demand.bytes().bytes(), 255);
  out.collect(s, t + ms(1));
  ASSERT_EQ(out.packets.size(), before + 1);
  EXPECT_TRUE(out.packets.back().packet.final);
  EXPECT_FALSE(out.packets.back().packet.demand);  // we never ask for Demand mode
  // Remote leaves Demand mode: periodic packets resume.
  s.on_packet(t + ms(2), PeerPacket(State::up, kB, kA).bytes().bytes(), 255);
  EXPECT_LE(s.next_deadline(), t + ms(2) + ms(50));
}

// ---------------------------------------------------------------- detection

TEST(SessionDetection, FiresExactlyOneDetectionTimeAfterTheLastPacket) {
  Pair p = up_pair(ms(1));
  Time cut = p.now + Duration::microseconds(12'345);
  p.run_until(cut);
  p.b_to_a = false;
  Time last = p.a_last_rx;
  ASSERT_LE(last, cut);
  Duration detection = p.a.detection_time();
  ASSERT_EQ(detection, ms(150));
  size_t changes = p.a_out.changes.size();

  p.run_until(last + detection - Duration::nanoseconds(1));
  EXPECT_EQ(p.a.state(), State::up);
  EXPECT_EQ(p.a_out.changes.size(), changes);

  p.run_until(last + detection);
  EXPECT_EQ(p.a.state(), State::down);
  ASSERT_EQ(p.a_out.changes.size(), changes + 1);
  const StateChange& down = p.a_out.changes.back();
  EXPECT_EQ(down.at, last + detection);
  EXPECT_EQ(down.diag, Diag::control_detection_time_expired);
  EXPECT_NE(down.reason.find("detection time"), std::string::npos);
  // The failure is noticed within one detection time of the cut, and not
  // before the peer's last packet would have been due.
  EXPECT_GT(down.at - cut, Duration::zero());
  EXPECT_LE(down.at - cut, detection);
  EXPECT_GE(down.at - cut, detection - ms(50));
  EXPECT_EQ(p.a.local_diag(), Diag::control_detection_time_expired);
  // §6.8.1: the remote discriminator is forgotten; packets go slow again.
  EXPECT_EQ(p.a.remote_discriminator(), 0u);
  EXPECT_EQ(p.a_out.packets.back().packet.state, State::down);
  EXPECT_EQ(p.a_out.packets.back().packet.diag, Diag::control_detection_time_expired);
  EXPECT_EQ(p.a_out.packets.back().packet.your_discriminator, 0u);
  EXPECT_EQ(p.a.transmit_interval(), Duration::seconds(1));
  // The peer hears our Down and follows with Neighbor Signaled Session Down.
  p.run_for(ms(10));
  EXPECT_EQ(p.b.state(), State::down);
  EXPECT_EQ(p.b_out.changes.back().diag, Diag::neighbor_signaled_session_down);
}

TEST(SessionDetection, ExactOverManyRandomFailureTimes) {
  // Whatever the moment of failure, Down comes exactly one detection time
  // after the last packet received, so between DT - one interval and DT
  // after the failure itself.
  std::mt19937 gen(42);
  for (uint32_t trial = 0; trial < 100; ++trial) {
    Pair p(make_config(kA, "10.0.0.2"), make_config(kB, "10.0.0.1"), ms(1), trial + 1);
    p.run_until(at_ms(3000));
    ASSERT_EQ(p.a.state(), State::up);
    Time cut = p.now + Duration::microseconds(gen() % 1'000'000);
    p.run_until(cut);
    p.b_to_a = false;
    Time last = p.a_last_rx;
    p.run_until(cut + Duration::seconds(1));
    ASSERT_EQ(p.a.state(), State::down) << "trial " << trial;
    const StateChange& down = p.a_out.changes.back();
    EXPECT_EQ(down.diag, Diag::control_detection_time_expired);
    EXPECT_EQ(down.at, last + ms(150)) << "trial " << trial;
    EXPECT_LE(down.at - cut, ms(150));
    EXPECT_GE(down.at - cut, ms(100));
  }
}

TEST(SessionDetection, DetectMultOneStaysUpThanksToNinetyPercentJitter) {
  Pair p(make_config(kA, "10.0.0.2", ms(50), 1), make_config(kB, "10.0.0.1", ms(50), 1), ms(1));
  p.run_until(at_ms(60'000));
  EXPECT_EQ(p.a.state(), State::up);
  EXPECT_EQ(p.b.state(), State::up);
  EXPECT_EQ(p.a.detection_time(), ms(50));
  EXPECT_EQ(p.a.counters().down_transitions, 0u);
  EXPECT_EQ(p.b.counters().down_transitions, 0u);
}

TEST(SessionDetection, UsesRemoteMultiplierAndAgreedRemoteInterval) {
  SessionConfig b = make_config(kB, "10.0.0.1", ms(80), 4);
  Pair p(make_config(kA, "10.0.0.2", ms(50), 3), b);
  p.run_until(at_ms(5000));
  ASSERT_EQ(p.a.state(), State::up);
  // Remote mult 4 × max(our RequiredMinRx 50, remote DesiredMinTx 80).
  EXPECT_EQ(p.a.detection_time(), ms(320));
  // Remote mult 3 × max(its RequiredMinRx 80, our DesiredMinTx 50).
  EXPECT_EQ(p.b.detection_time(), ms(240));
  SessionInfo info = p.a.info();
  EXPECT_EQ(info.detection_time, ms(320));
  EXPECT_EQ(info.transmit_interval, ms(80));
  EXPECT_EQ(info.remote_detect_mult, 4);
}

TEST(SessionDetection, InitAlsoTimesOutButDownOnlyForgetsThePeer) {
  Session s = make_session(make_config(kA, "10.0.0.2"));
  s.on_packet(at_ms(0), PeerPacket(State::down, kB, 0, ms(50)).bytes().bytes(), 255);
  ASSERT_EQ(s.state(), State::init);
  // Detection while not Up: mult 3 × max(50 ms, remote desired 50 ms).
  EXPECT_EQ(s.detection_time(), ms(150));
  while (s.next_deadline() < at_ms(150)) s.on_timer(s.next_deadline());
  EXPECT_EQ(s.state(), State::init);
  s.on_timer(at_ms(150));
  EXPECT_EQ(s.state(), State::down);
  EXPECT_EQ(s.local_diag(), Diag::control_detection_time_expired);
}

// ---------------------------------------------------------------- Poll / Final

namespace {

// Runs until `out` holds a packet with the Poll bit sent at or after `from`;
// returns its send time.
Time run_until_poll(Pair& p, const Outbox& out, Time from) {
  for (int step = 0; step < 1000; ++step) {
    for (const Sent& s : out.packets) {
      if (s.at >= from && s.packet.poll) return s.at;
    }
    p.run_for(ms(1));
  }
  ADD_FAILURE() << "no Poll sent";
  return Time::never();
}

}  // namespace

TEST(SessionPollFinal, LargerTransmitIntervalAppliesOnlyAfterFinalWithoutFlap) {
  Pair p = up_pair(ms(10));
  size_t a_changes = p.a_out.changes.size(), b_changes = p.b_out.changes.size();
  Time start = p.now;
  size_t sent_before = p.a_out.packets.size();
  ASSERT_TRUE(p.a.set_desired_min_tx(p.now, ms(200)).ok());
  p.collect_all();
  EXPECT_TRUE(p.a.poll_in_progress());
  EXPECT_EQ(p.a.transmit_interval(), ms(50));  // §6.8.3: unchanged until Final
  // §6.5: the Poll rides on the next scheduled packet; no extra packet.
  EXPECT_EQ(p.a_out.packets.size(), sent_before);
  Time poll = run_until_poll(p, p.a_out, start);
  EXPECT_LE(poll - start, ms(50));
  const Sent& poll_packet = *std::find_if(p.a_out.packets.begin(), p.a_out.packets.end(),
                                          [&](const Sent& s) { return s.at == poll && s.packet.poll; });
  EXPECT_EQ(poll_packet.packet.desired_min_tx_us, 200'000u);
  EXPECT_FALSE(poll_packet.packet.final);

  // The Poll reaches b after 10 ms; b's detection time grows at once and its
  // Final reaches a after 20 ms.
  p.run_until(poll + ms(10));
  EXPECT_EQ(p.b.detection_time(), ms(600));
  p.run_until(poll + ms(20) - Duration::nanoseconds(1));
  EXPECT_TRUE(p.a.poll_in_progress());
  EXPECT_EQ(p.a.transmit_interval(), ms(50));
  p.run_until(poll + ms(20));
  EXPECT_FALSE(p.a.poll_in_progress());
  EXPECT_EQ(p.a.transmit_interval(), ms(200));

  // No poll bit afterwards, and no flap over the next 10 s.
  size_t mark = p.a_out.packets.size();
  p.run_for(Duration::seconds(10));
  for (size_t i = mark; i < p.a_out.packets.size(); ++i) EXPECT_FALSE(p.a_out.packets[i].packet.poll);
  EXPECT_EQ(p.a_out.changes.size(), a_changes);
  EXPECT_EQ(p.b_out.changes.size(), b_changes);
  EXPECT_EQ(p.a.state(), State::up);
  EXPECT_EQ(p.b.state(), State::up);
  // Packets never carry Poll and Final together (§6.5).
  for (const Outbox* out : {&p.a_out, &p.b_out}) {
    for (const Sent& s : out->packets) EXPECT_FALSE(s.packet.poll && s.packet.final);
  }
}

TEST(SessionPollFinal, SmallerRequiredMinRxShortensDetectionOnlyAfterFinal) {
  Pair p = up_pair(ms(10));
  ASSERT_TRUE(p.b.set_desired_min_tx(p.now, ms(20)).ok());  // b could go faster, a holds it at 50
  p.collect_all();
  p.run_for(ms(200));
  ASSERT_EQ(p.b.transmit_interval(), ms(50));
  ASSERT_EQ(p.a.detection_time(), ms(150));

  Time start = p.now;
  ASSERT_TRUE(p.a.set_required_min_rx(p.now, ms(20)).ok());
  p.collect_all();
  EXPECT_EQ(p.a.detection_time(), ms(150));  // old value until Final (§6.8.3)
  Time poll = run_until_poll(p, p.a_out, start);
  p.run_until(poll + ms(10));
  EXPECT_EQ(p.b.transmit_interval(), ms(20));  // peer honours a smaller interval at once
  p.run_until(poll + ms(20) - Duration::nanoseconds(1));
  EXPECT_EQ(p.a.detection_time(), ms(150));
  p.run_until(poll + ms(20));
  EXPECT_EQ(p.a.detection_time(), ms(60));

  // A larger RequiredMinRx lengthens the detection time at once.
  ASSERT_TRUE(p.a.set_required_min_rx(p.now, ms(500)).ok());
  EXPECT_EQ(p.a.detection_time(), ms(1500));
  size_t changes = p.a_out.changes.size();
  p.collect_all();
  p.run_for(Duration::seconds(10));
  EXPECT_EQ(p.a_out.changes.size(), changes);
  EXPECT_EQ(p.b.transmit_interval(), ms(500));
}

TEST(SessionPollFinal, SecondChangeDuringPollWaitsForItsOwnPoll) {
  Pair p = up_pair(ms(10));
  Time start = p.now;
  ASSERT_TRUE(p.a.set_desired_min_tx(p.now, ms(100)).ok());
  ASSERT_TRUE(p.a.set_desired_min_tx(p.now, ms(300)).ok());
  p.collect_all();
  Time poll = run_until_poll(p, p.a_out, start);
  for (const Sent& s : p.a_out.packets) {
    if (s.at == poll && s.packet.poll) {
      EXPECT_EQ(s.packet.desired_min_tx_us, 100'000u);  // one change per poll
    }
  }
  p.run_until(poll + ms(20));
  EXPECT_EQ(p.a.transmit_interval(), ms(100));
  p.run_for(Duration::seconds(2));
  EXPECT_FALSE(p.a.poll_in_progress());
  EXPECT_EQ(p.a.transmit_interval(), ms(300));
  EXPECT_EQ(p.b.detection_time(), ms(900));
  EXPECT_EQ(p.a.state(), State::up);
  EXPECT_EQ(p.b.state(), State::up);
}

TEST(SessionPollFinal, DetectMultChangeNeedsNoPollAndIsSentAtOnce) {
  Pair p = up_pair(ms(10));
  Time start = p.now;
  ASSERT_TRUE(p.a.set_detect_mult(p.now, 5).ok());
  p.collect_all();
  EXPECT_FALSE(p.a.poll_in_progress());
  EXPECT_EQ(p.a_out.packets.back().packet.detect_mult, 5);
  EXPECT_EQ(p.a_out.packets.back().at, start);
  p.run_for(ms(20));
  EXPECT_EQ(p.b.detection_time(), ms(250));
}

TEST(SessionPollFinal, ReconfigureChangesBothIntervalsInOnePoll) {
  Pair p = up_pair(ms(10));
  SessionConfig c = p.a.config();
  c.desired_min_tx = ms(100);
  c.required_min_rx = ms(100);
  Time start = p.now;
  ASSERT_TRUE(p.a.reconfigure(p.now, c).ok());
  p.collect_all();
  Time poll = run_until_poll(p, p.a_out, start);
  for (const Sent& s : p.a_out.packets) {
    if (s.at == poll && s.packet.poll) {
      EXPECT_EQ(s.packet.desired_min_tx_us, 100'000u);
      EXPECT_EQ(s.packet.required_min_rx_us, 100'000u);
    }
  }
  p.run_until(poll + ms(20));
  EXPECT_FALSE(p.a.poll_in_progress());
  EXPECT_EQ(p.a.transmit_interval(), ms(100));
  EXPECT_EQ(p.a.detection_time(), ms(300));
}

// ---------------------------------------------------------------- down events

TEST(SessionDown, RemoteAdminDownBringsUsDownWithNeighborSignaled) {
  Pair p = up_pair();
  p.a.set_admin_down(p.now, true);
  p.collect_all();
  ASSERT_FALSE(p.a_out.changes.empty());
  EXPECT_EQ(p.a_out.changes.back().new_state, State::admin_down);
  EXPECT_EQ(p.a_out.changes.back().diag, Diag::administratively_down);
  p.run_for(ms(5));
  EXPECT_EQ(p.b.state(), State::down);
  EXPECT_EQ(p.b_out.changes.back().old_state, State::up);
  EXPECT_EQ(p.b_out.changes.back().diag, Diag::neighbor_signaled_session_down);
  EXPECT_EQ(p.b.info().remote_state, State::admin_down);
  EXPECT_EQ(p.b.info().remote_diag, Diag::administratively_down);
  EXPECT_EQ(p.b.counters().down_transitions, 1u);

  // It stays so: AdminDown packets keep coming at the slow rate.
  Time mark = p.now;
  p.run_for(Duration::seconds(10));
  EXPECT_EQ(p.b.state(), State::down);
  EXPECT_EQ(p.a.state(), State::admin_down);
  EXPECT_TRUE(sent_after(p.a_out, mark + Duration::seconds(9), State::admin_down));
  EXPECT_GT(drops(p.a, DropReason::local_admin_down), 0u);

  p.a.set_admin_down(p.now, false);
  p.collect_all();
  p.run_for(Duration::seconds(3));
  EXPECT_EQ(p.a.state(), State::up);
  EXPECT_EQ(p.b.state(), State::up);
}

TEST(SessionDown, ReceivedDownWhileUpIsNeighborSignaled) {
  Session s = make_session(make_config(kA, "10.0.0.2"));
  s.on_packet(at_ms(0), PeerPacket(State::init, kB, kA).bytes().bytes(), 255);
  ASSERT_EQ(s.state(), State::up);
  s.take_actions();
  s.on_packet(at_ms(10), PeerPacket(State::down, kB, kA).bytes().bytes(), 255);
  EXPECT_EQ(s.state(), State::down);
  std::vector<Action> actions = s.take_actions();
  bool found = false;
  for (const Action& a : actions) {
    if (auto* c = std::get_if<StateChange>(&a)) {
      found = true;
      EXPECT_EQ(c->old_state, State::up);
      EXPECT_EQ(c->diag, Diag::neighbor_signaled_session_down);
      EXPECT_EQ(c->at, at_ms(10));
    }
  }
  EXPECT_TRUE(found);
}

// ---------------------------------------------------------------- reception checks needing a session

TEST(SessionReceptionChecks, EachRuleDropsWithItsReason) {
  auto fresh = [](SessionConfig c = make_config(kA, "10.0.0.2")) { return make_session(std::move(c)); };
  {
    Session s = fresh();
    EXPECT_EQ(s.on_packet(at_ms(1), PeerPacket(State::down, kB, 0).bytes().bytes(), 254), DropReason::ttl_not_255);
    EXPECT_EQ(drops(s, DropReason::ttl_not_255), 1u);
    EXPECT_EQ(s.counters().rx_packets, 0u);
  }
  {
    SessionConfig c = make_config(kA, "10.9.0.2");
    c.multihop = true;
    c.multihop_min_ttl = 250;
    Session s = fresh(c);
    EXPECT_EQ(s.on_packet(at_ms(1), PeerPacket(State::down, kB, 0).bytes().bytes(), 249),
              DropReason::ttl_below_minimum);
    EXPECT_EQ(s.on_packet(at_ms(1), PeerPacket(State::down, kB, 0).bytes().bytes(), 250), DropReason::none);
  }
  {
    Session s = fresh();
    EXPECT_EQ(s.on_packet(at_ms(1), PeerPacket(State::init, kB, kA + 1).bytes().bytes(), 255),
              DropReason::unknown_your_discriminator);
  }
  {
    Session s = fresh();
    PeerPacket signed_packet(State::down, kB, 0);
    signed_packet.auth = AuthConfig{AuthType::keyed_sha1, 1, {'k'}};
    EXPECT_EQ(s.on_packet(at_ms(1), signed_packet.bytes().bytes(), 255), DropReason::auth_present_not_configured);
  }
  {
    SessionConfig c = make_config(kA, "10.0.0.2");
    c.auth = AuthConfig{AuthType::keyed_sha1, 1, {'k'}};
    Session s = fresh(c);
    EXPECT_EQ(s.on_packet(at_ms(1), PeerPacket(State::down, kB, 0).bytes().bytes(), 255), DropReason::auth_missing);
  }
  {
    SessionConfig c = make_config(kA, "10.0.0.2");
    c.admin_down = true;
    Session s = fresh(c);
    EXPECT_EQ(s.on_packet(at_ms(1), PeerPacket(State::down, kB, 0).bytes().bytes(), 255), DropReason::local_admin_down);
    EXPECT_EQ(s.state(), State::admin_down);
  }
  {
    Session s = fresh();
    std::vector<uint8_t> garbage = {0x20, 0x40, 0x00, 0x18};
    EXPECT_EQ(s.on_packet(at_ms(1), garbage, 255), DropReason::length_exceeds_payload);
    EXPECT_EQ(s.counters().dropped, 1u);
  }
}

// ---------------------------------------------------------------- authentication

namespace {

Pair auth_pair(AuthConfig a, AuthConfig b, Duration run = Duration::seconds(10)) {
  SessionConfig ca = make_config(kA, "10.0.0.2");
  SessionConfig cb = make_config(kB, "10.0.0.1");
  ca.auth = std::move(a);
  cb.auth = std::move(b);
  Pair p(ca, cb);
  p.run_until(Time::zero() + run);
  return p;
}

AuthConfig sha1(AuthType type, std::vector<uint8_t> key = {'s', '3', 'c', 'r', '3', 't'}, uint8_t id = 1) {
  return AuthConfig{type, id, std::move(key)};
}

}  // namespace

TEST(SessionAuth, KeyedAndMeticulousSha1ComeUpAndStayUp) {
  for (AuthType t : {AuthType::keyed_sha1, AuthType::meticulous_keyed_sha1}) {
    Pair p = auth_pair(sha1(t), sha1(t), Duration::seconds(30));
    EXPECT_EQ(p.a.state(), State::up) << auth_type_name(t);
    EXPECT_EQ(p.b.state(), State::up) << auth_type_name(t);
    EXPECT_EQ(p.a.counters().dropped, 0u);
    EXPECT_EQ(p.b.counters().dropped, 0u);
    EXPECT_EQ(p.a_out.changes.size(), 2u);
    EXPECT_TRUE(p.a_out.packets.back().packet.authentication_present);
    EXPECT_EQ(p.a.info().auth_type, t);
  }
}

TEST(SessionAuth, BadKeyNeverComesUp) {
  Pair p = auth_pair(sha1(AuthType::keyed_sha1), sha1(AuthType::keyed_sha1, {'o', 't', 'h', 'e', 'r'}));
  EXPECT_EQ(p.a.state(), State::down);
  EXPECT_EQ(p.b.state(), State::down);
  EXPECT_GT(drops(p.a, DropReason::auth_digest_mismatch), 5u);
  EXPECT_EQ(p.a.counters().rx_packets, 0u);
}

TEST(SessionAuth, WrongTypeOrKeyIdNeverComesUp) {
  Pair types = auth_pair(sha1(AuthType::keyed_sha1), sha1(AuthType::meticulous_keyed_sha1));
  EXPECT_EQ(types.a.state(), State::down);
  EXPECT_GT(drops(types.a, DropReason::auth_type_mismatch), 0u);
  Pair ids = auth_pair(sha1(AuthType::keyed_sha1, {'k'}, 1), sha1(AuthType::keyed_sha1, {'k'}, 2));
  EXPECT_EQ(ids.a.state(), State::down);
  EXPECT_GT(drops(ids.a, DropReason::auth_key_id_unknown), 0u);
}

TEST(SessionAuth, ConfiguredAuthNeverComesUpUnauthenticated) {
  Pair p = auth_pair(sha1(AuthType::meticulous_keyed_sha1), AuthConfig{});
  EXPECT_EQ(p.a.state(), State::down);
  EXPECT_EQ(p.b.state(), State::down);
  EXPECT_GT(drops(p.a, DropReason::auth_missing), 0u);
  EXPECT_GT(drops(p.b, DropReason::auth_present_not_configured), 0u);
  EXPECT_TRUE(p.a_out.changes.empty());
}

TEST(SessionAuth, MeticulousReplayIsDropped) {
  Pair p = auth_pair(sha1(AuthType::meticulous_keyed_sha1), sha1(AuthType::meticulous_keyed_sha1));
  ASSERT_EQ(p.b.state(), State::up);
  const Sent& last = p.a_out.packets.back();
  EXPECT_EQ(p.b.on_packet(p.now, last.bytes.bytes(), 255), DropReason::auth_sequence_out_of_window);
  EXPECT_EQ(p.b.state(), State::up);
  // Keyed (non-meticulous) SHA1 accepts an unchanged packet's repeat (§6.7.4).
  Pair keyed = auth_pair(sha1(AuthType::keyed_sha1), sha1(AuthType::keyed_sha1));
  EXPECT_EQ(keyed.b.on_packet(keyed.now, keyed.a_out.packets.back().bytes.bytes(), 255), DropReason::none);
}

TEST(SessionAuth, SequenceIsResynchronisedAfterTwiceTheDetectionTime) {
  SessionConfig c = make_config(kA, "10.0.0.2");
  c.auth = sha1(AuthType::meticulous_keyed_sha1);
  Session s = make_session(c);
  PeerPacket from_peer(State::down, kB, 0);
  from_peer.auth = c.auth;
  from_peer.sequence = 1000;
  ASSERT_EQ(s.on_packet(at_ms(0), from_peer.bytes().bytes(), 255), DropReason::none);
  ASSERT_EQ(s.detection_time(), ms(150));
  from_peer.sequence = 10;  // the peer restarted
  auto run_to = [&](Time t) {
    while (s.next_deadline() <= t) s.on_timer(s.next_deadline());
  };
  run_to(at_ms(299));
  EXPECT_EQ(s.on_packet(at_ms(299), from_peer.bytes().bytes(), 255), DropReason::auth_sequence_out_of_window);
  run_to(at_ms(300));
  EXPECT_EQ(s.on_packet(at_ms(300), from_peer.bytes().bytes(), 255), DropReason::none);
}

TEST(SessionAuth, MeticulousSequenceAdvancesOnEveryPacket) {
  SessionConfig c = make_config(kA, "10.0.0.2");
  c.auth = sha1(AuthType::meticulous_keyed_sha1);
  Session s = make_session(c, constant_random(0xFFFF'FFFE));
  Outbox out;
  for (int i = 0; i < 4; ++i) {
    Time t = s.next_deadline();
    s.on_timer(t);
    out.collect(s, t);
  }
  ASSERT_EQ(out.packets.size(), 4u);
  auto sequence = [](const Sent& x) {
    const auto& d = x.bytes.data;
    return (uint32_t(d[28]) << 24) | (uint32_t(d[29]) << 16) | (uint32_t(d[30]) << 8) | uint32_t(d[31]);
  };
  for (size_t i = 1; i < out.packets.size(); ++i) EXPECT_EQ(sequence(out.packets[i]), sequence(out.packets[i - 1]) + 1);
}

TEST(SessionEvents, StateChangeReadsWellInALog) {
  StateChange c{kA, State::up, State::down, Diag::control_detection_time_expired, "no BFD packet for 150ms", at_ms(1)};
  EXPECT_EQ(to_string(c), "Up -> Down (Control Detection Time Expired): no BFD packet for 150ms");
  StateChange up{kA, State::init, State::up, Diag::none, "", at_ms(1)};
  EXPECT_EQ(to_string(up), "Init -> Up");
}
