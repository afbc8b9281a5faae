// Test drivers for BFD sessions in virtual time: deterministic random
// sources, a hand-made peer, and two sessions wired back to back.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "bfd/auth.h"
#include "bfd/session.h"

namespace halink::bfd::testing {

inline Duration ms(int64_t n) { return Duration::milliseconds(n); }
inline Time at_ms(int64_t n) { return Time::zero() + Duration::milliseconds(n); }

inline RandomSource constant_random(uint32_t value) {
  return [value] { return value; };
}
inline RandomSource seeded_random(uint32_t seed) {
  auto gen = std::make_shared<std::mt19937>(seed);
  return [gen] { return static_cast<uint32_t>((*gen)()); };
}

inline SessionConfig make_config(uint32_t discriminator, const char* peer, Duration interval = ms(50),
                                 uint8_t multiplier = 3) {
  SessionConfig c;
  c.local_discriminator = discriminator;
  c.peer = IpAddress::parse(peer).value();
  c.interface = "wg0";
  c.desired_min_tx = interval;
  c.required_min_rx = interval;
  c.detect_mult = multiplier;
  return c;
}

inline Session make_session(SessionConfig config, RandomSource random = seeded_random(1), Time now = Time::zero()) {
  auto s = Session::create(std::move(config), std::move(random), now);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.message());
  return std::move(s).value();
}

struct Sent {
  Time at;
  ControlPacket packet;
  PacketBuffer bytes;
};

// Splits a session's actions into packets and state changes.
struct Outbox {
  std::vector<Sent> packets;
  std::vector<StateChange> changes;
  size_t forwarded = 0;  // used by Pair

  void collect(Session& s, Time now) {
    for (Action& a : s.take_actions()) {
      if (auto* send = std::get_if<SendPacket>(&a)) {
        DecodedPacket d = decode_control_packet(send->packet.bytes());
        EXPECT_TRUE(d.ok()) << "session sent a packet it would drop: " << drop_reason_name(d.drop);
        packets.push_back(Sent{now, d.packet, send->packet});
      } else {
        changes.push_back(std::get<StateChange>(std::move(a)));
      }
    }
  }
  void clear() {
    packets.clear();
    changes.clear();
    forwarded = 0;
  }
};

// A packet as a remote system would build it, optionally signed.
struct PeerPacket {
  ControlPacket packet;
  AuthConfig auth;
  uint32_t sequence = 0;

  PeerPacket(State state, uint32_t my_discriminator, uint32_t your_discriminator, Duration interval = ms(50),
             uint8_t multiplier = 3) {
    packet.state = state;
    packet.my_discriminator = my_discriminator;
    packet.your_discriminator = your_discriminator;
    packet.desired_min_tx_us = static_cast<uint32_t>(interval.us());
    packet.required_min_rx_us = static_cast<uint32_t>(interval.us());
    packet.detect_mult = multiplier;
  }
  PacketBuffer bytes() const {
    ControlPacket p = packet;
    if (auth.enabled()) {
      p.authentication_present = true;
      p.auth_type = auth.type;
      p.auth_length = auth_section_length(auth);
    }
    PacketBuffer b = encode_control_packet(p);
    if (auth.enabled()) sign_packet(b, auth, sequence);
    return b;
  }
};

// Two sessions joined by a link with a fixed one-way latency; each direction
// can be cut. Runs in virtual time, event by event.
class Pair {
 public:
  Pair(SessionConfig a_config, SessionConfig b_config, Duration latency = ms(1), uint32_t seed = 1)
      : a(make_session(std::move(a_config), seeded_random(seed))),
        b(make_session(std::move(b_config), seeded_random(seed + 1000))),
        latency_(latency) {
    a_out.collect(a, now);
    b_out.collect(b, now);
    forward_new();
  }

  void run_until(Time end) {
    for (;;) {
      Time next = earliest(a.next_deadline(), b.next_deadline());
      if (!in_flight_.empty()) next = earliest(next, in_flight_.begin()->first);
      if (next > end) break;
      now = next;
      while (!in_flight_.empty() && in_flight_.begin()->first <= now) {
        Flight f = in_flight_.begin()->second;
        in_flight_.erase(in_flight_.begin());
        Session& to = f.to_b ? b : a;
        DropReason r = to.on_packet(now, f.bytes.bytes(), 255);
        if (r == DropReason::none) (f.to_b ? b_last_rx : a_last_rx) = now;
        collect_all();
      }
      if (a.next_deadline() <= now) a.on_timer(now);
      if (b.next_deadline() <= now) b.on_timer(now);
      collect_all();
    }
    now = end;
  }
  void run_for(Duration d) { run_until(now + d); }

  Session a;
  Session b;
  Time now = Time::zero();
  bool a_to_b = true;
  bool b_to_a = true;
  Outbox a_out;  // what a sent and how its state changed
  Outbox b_out;
  Time a_last_rx = Time::never();  // last packet a accepted
  Time b_last_rx = Time::never();

  // Call after driving a or b directly (set_*), to forward what they sent.
  void collect_all() {
    a_out.collect(a, now);
    b_out.collect(b, now);
    forward_new();
  }

 private:
  struct Flight {
    bool to_b;
    PacketBuffer bytes;
  };
  void forward_new() {
    for (; a_out.forwarded < a_out.packets.size(); ++a_out.forwarded) {
      const Sent& s = a_out.packets[a_out.forwarded];
      if (a_to_b) in_flight_.emplace(s.at + latency_, Flight{true, s.bytes});
    }
    for (; b_out.forwarded < b_out.packets.size(); ++b_out.forwarded) {
      const Sent& s = b_out.packets[b_out.forwarded];
      if (b_to_a) in_flight_.emplace(s.at + latency_, Flight{false, s.bytes});
    }
  }

  Duration latency_;
  std::multimap<Time, Flight> in_flight_;
};

}  // namespace halink::bfd::testing
