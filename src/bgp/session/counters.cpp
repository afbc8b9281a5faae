#include "bgp/session/counters.h"

namespace halink::bgp {

void MessageCounters::count(uint8_t message_type) {
  switch (static_cast<MessageType>(message_type)) {
    case MessageType::open: ++open; return;
    case MessageType::update: ++update; return;
    case MessageType::notification: ++notification; return;
    case MessageType::keepalive: ++keepalive; return;
    case MessageType::route_refresh: ++route_refresh; return;
  }
  ++other;
}

}  // namespace halink::bgp
