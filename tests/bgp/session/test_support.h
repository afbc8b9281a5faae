// Shared helpers for the session tests: configurations, the peer's OPEN and
// filters over a session's actions.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <variant>
#include <vector>

#include "bgp/session/session.h"
#include "bgp/wire/codec.h"

namespace halink::bgp::testing {

constexpr uint32_t local_id = 0x0A000001;   // 10.0.0.1
constexpr uint32_t remote_id = 0x0A000002;  // 10.0.0.2

inline Time at_seconds(double s) { return Time::from_ns(static_cast<int64_t>(s * 1e9)); }

// eBGP AS65001 (us) to AS65002 (peer), hold 90 s, connect retry 5 s.
inline SessionConfig local_config() {
  SessionConfig c;
  c.local_as = 65001;
  c.router_id = local_id;
  c.remote_as = 65002;
  return c;
}

// The mirror image: the peer's configuration.
inline SessionConfig remote_config() {
  SessionConfig c;
  c.local_as = 65002;
  c.router_id = remote_id;
  c.remote_as = 65001;
  return c;
}

// The OPEN the peer sends by default (the same capabilities we announce).
inline OpenMessage peer_open(uint16_t hold_seconds = 90) {
  OpenMessage o = build_open(remote_config());
  o.hold_time = hold_seconds;
  return o;
}

// Jitter factor 1.0: timers fire exactly at their configured values.
inline Session::RandomSource no_jitter() {
  return [] { return 1.0; };
}

template <class T>
std::vector<T> all_of(const std::vector<SessionAction>& actions) {
  std::vector<T> out;
  for (const SessionAction& a : actions)
    if (auto* t = std::get_if<T>(&a)) out.push_back(*t);
  return out;
}

template <class T>
std::optional<T> only(const std::vector<SessionAction>& actions) {
  std::vector<T> found = all_of<T>(actions);
  if (found.size() != 1) return std::nullopt;
  return found.front();
}

// Every whole message in the SendBytes actions for `connection`, decoded.
inline std::vector<Message> sent_messages(const std::vector<SessionAction>& actions, ConnectionId connection,
                                          const CodecContext& ctx = {}) {
  StreamDecoder decoder(extended_max_message_size);
  for (const auto& send : all_of<session::SendBytes>(actions))
    if (send.connection == connection) decoder.feed(send.bytes);
  std::vector<Message> out;
  for (;;) {
    StreamDecoder::FrameResult r = decoder.next();
    if (r.kind != StreamDecoder::FrameResult::Kind::frame) break;
    out.push_back(decode_message(r.frame.type, r.frame.body, ctx).message);
  }
  return out;
}

inline std::vector<uint8_t> bytes_of(const OpenMessage& m) { return encode(m); }
inline std::vector<uint8_t> keepalive_bytes() { return encode(Keepalive{}); }

}  // namespace halink::bgp::testing
