// What `show neighbor` prints about one session: messages per type in each
// direction, uptime, flaps and the last error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bgp/session/down_reason.h"
#include "bgp/wire/message.h"
#include "core/time.h"

namespace halink::bgp {

struct MessageCounters {
  uint64_t open = 0;
  uint64_t update = 0;
  uint64_t notification = 0;
  uint64_t keepalive = 0;
  uint64_t route_refresh = 0;
  uint64_t other = 0;  // types a decoder refused; counted so totals match the wire

  void count(uint8_t message_type);
  uint64_t total() const { return open + update + notification + keepalive + route_refresh + other; }
};

struct SessionCounters {
  MessageCounters received;
  MessageCounters sent;
  uint64_t established_transitions = 0;  // times the session reached Established
  uint64_t flaps = 0;                    // times an Established session went down
  std::optional<Time> established_since;  // set while Established: uptime is now - this
  Time state_since;                       // when state() last changed
  // The most recent session failure, for `show neighbor`.
  std::optional<DownReason> last_down_reason;
  std::string last_error;
  std::optional<Time> last_down_at;
  std::optional<Notification> last_notification_sent;
  std::optional<Notification> last_notification_received;
  // Failures since the session was last stable (drives the idle-hold back-off).
  uint32_t consecutive_failures = 0;

  // How long the session has been Established; nothing when it is not.
  std::optional<Duration> uptime(Time now) const {
    if (!established_since) return std::nullopt;
    return now - *established_since;
  }
};

}  // namespace halink::bgp
