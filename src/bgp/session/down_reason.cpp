#include "bgp/session/down_reason.h"

namespace halink::bgp {

const char* down_reason_name(DownReason reason) {
  switch (reason) {
    case DownReason::hold_timer_expired: return "hold timer expired";
    case DownReason::notification_received: return "NOTIFICATION received";
    case DownReason::notification_sent: return "NOTIFICATION sent";
    case DownReason::connection_closed: return "connection closed by peer";
    case DownReason::bfd_down: return "BFD down";
    case DownReason::admin_shutdown: return "administrative shutdown";
    case DownReason::admin_reset: return "administrative reset";
    case DownReason::max_prefix: return "maximum number of prefixes reached";
    case DownReason::malformed_message: return "malformed message";
  }
  return "unknown";
}

}  // namespace halink::bgp
