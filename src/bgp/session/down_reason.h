// Why a session went down, as an enum a program can switch on and as text a
// person can read ("hold timer expired", "NOTIFICATION received: Cease /
// Administrative Shutdown: \"maintenance\"").
#pragma once

#include <cstdint>

namespace halink::bgp {

enum class DownReason : uint8_t {
  hold_timer_expired,     // RFC 4271 §6.5: nothing heard for the negotiated hold time
  notification_received,  // the peer closed the session with a NOTIFICATION
  notification_sent,      // we refused the peer (bad OPEN, FSM error, ...) with a NOTIFICATION
  connection_closed,      // the peer closed TCP without a NOTIFICATION
  bfd_down,               // RFC 9384: BFD declared the path down
  admin_shutdown,         // RFC 9003 Cease / Administrative Shutdown by us
  admin_reset,            // RFC 9003 Cease / Administrative Reset by us
  max_prefix,             // RFC 4486 Cease / Maximum Number of Prefixes Reached
  malformed_message,      // RFC 4271 §6 / RFC 7606 session reset: the decoder refused a message
};

// "hold timer expired", "NOTIFICATION received", ...
const char* down_reason_name(DownReason reason);

}  // namespace halink::bgp
