// A BGP peer written by hand for tests that need to send what no real
// daemon would: a full table as fast as TCP takes it, garbage, truncated or
// malformed messages. Blocking socket in the calling thread's namespace;
// messages built with the project's own codec (bgp/wire).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/wire/message.h"
#include "core/ip.h"

namespace halink::testing {

class RawBgpPeer {
public:
  RawBgpPeer() = default;
  ~RawBgpPeer();
  RawBgpPeer(const RawBgpPeer&) = delete;
  RawBgpPeer& operator=(const RawBgpPeer&) = delete;

  // Connects to address:port (retrying until `timeout`).
  bool connect(const IpAddress& address, uint16_t port, std::chrono::milliseconds timeout);
  bool send(const std::vector<uint8_t>& bytes);
  // The next whole BGP message (header included), or nullopt on close or timeout.
  std::optional<std::vector<uint8_t>> receive(std::chrono::milliseconds timeout);
  // Receives until a NOTIFICATION arrives (returned) or the connection closes.
  std::optional<bgp::Notification> await_notification(std::chrono::milliseconds timeout);
  // OPEN, then the peer's OPEN and KEEPALIVE, then our KEEPALIVE: Established.
  bool establish(uint32_t as, uint32_t router_id, uint16_t hold_time, std::chrono::milliseconds timeout);
  // Reads whatever arrived without blocking; false once the peer closed or sent a NOTIFICATION.
  bool drain_incoming();
  std::optional<bgp::Notification> notification() const { return notification_; }
  int fd() const { return fd_; }

private:
  int fd_ = -1;
  std::vector<uint8_t> in_;
  std::optional<bgp::Notification> notification_;
};

std::vector<uint8_t> open_message(uint32_t as, uint32_t router_id, uint16_t hold_time);
// A full table: `count` distinct /24s from `first` on, next hop `next_hop`,
// AS_PATH [as, 64512 + group] with `groups` distinct attribute sets; as
// UPDATEs of at most 4096 octets, concatenated.
std::vector<uint8_t> table_updates(uint32_t as, IpAddress next_hop, uint32_t first, size_t count, size_t groups);

}  // namespace halink::testing
