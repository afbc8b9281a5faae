// One BGP session on a real TCP socket for the full-table benchmark: the
// sans-IO Session (src/bgp/session) does the OPEN/KEEPALIVE handshake, the
// hold timer and the keepalives; this class moves its bytes and, once
// Established, lets the caller write pre-encoded UPDATEs straight to the
// socket. Session bytes (KEEPALIVEs) are written only between whole messages.
//
// Blocking calls with deadlines; one thread per endpoint. The thread must
// already be in the right network namespace.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bgp/session/session.h"
#include "core/ip.h"

namespace halink::bench {

// Monotonic clock as the sans-IO cores take it.
Time monotonic_now();

struct EndpointConfig {
  uint32_t local_as = 0;
  uint32_t remote_as = 0;
  uint32_t router_id = 0;
  IpAddress local_address;
  IpAddress remote_address;
  uint16_t port = 179;
  Family family = Family::ipv4;  // the one family announced (RFC 4760)
  Duration hold_time = Duration::seconds(90);
  bool passive = false;  // accept() rather than connect()
};

class BgpEndpoint {
public:
  explicit BgpEndpoint(EndpointConfig config);
  ~BgpEndpoint();
  BgpEndpoint(const BgpEndpoint&) = delete;
  BgpEndpoint& operator=(const BgpEndpoint&) = delete;

  // Active: connects from local_address to remote_address:port, retrying
  // refused connections until `deadline`. Passive: listens on
  // local_address:port and accepts remote_address only.
  bool connect(Time deadline, std::string& error);
  bool accept(Time deadline, std::string& error);
  // Runs the handshake until Established.
  bool establish(Time deadline, std::string& error);

  // Writes `bytes` (whole messages, chunk by chunk at `chunk_ends`) as fast as
  // the socket takes them, reading and answering the peer meanwhile.
  // Returns the time the first byte was written.
  Time write_messages(const std::vector<uint8_t>& bytes, const std::vector<size_t>& chunk_ends);

  // Waits up to `timeout` for bytes from the peer and hands them to the
  // session (or, when discarding, only counts them); serves timers.
  // Returns false once the session is down.
  bool serve(Duration timeout);

  // Every UPDATE the session decodes goes here (sink); unset: dropped.
  std::function<void(Time, const bgp::Update&)> on_update;
  // Count received bytes without decoding them (blaster rate self-test).
  bool discard_after_established = false;
  uint64_t discarded_bytes() const { return discarded_bytes_; }
  Time last_bytes_at() const { return last_bytes_at_; }

  bool established() const { return session_.established(); }
  std::string down_reason() const { return down_reason_; }

private:
  void drain_actions(Time now);
  bool flush_session_bytes(Time deadline);
  bool write_all(const uint8_t* data, size_t size, bool serve_input);
  bool read_available(Time now);

  EndpointConfig config_;
  bgp::Session session_;
  int socket_ = -1;
  int listener_ = -1;
  bgp::ConnectionId connection_ = 0;
  std::vector<uint8_t> pending_;  // session bytes not yet written
  std::vector<uint8_t> read_buffer_;
  uint64_t discarded_bytes_ = 0;
  Time last_bytes_at_;
  std::string down_reason_;
  bool down_ = false;
};

}  // namespace halink::bench
