// Building Decoded values: the single place that keeps `action`, `problems`
// and `reset` consistent. Internal to src/bgp/wire.
#pragma once

#include <string>
#include <utility>

#include "bgp/wire/codec.h"

namespace halink::bgp::wire {

inline Notification make_notification(uint8_t code, uint8_t subcode, std::vector<uint8_t> data = {}) {
  return Notification{code, subcode, std::move(data)};
}

// Records a problem and raises the message's outcome to the stronger one
// (RFC 7606 §3(h): the strongest approach of all errors found wins).
inline void add_problem(Decoded& d, ErrorAction action, Notification n, std::string reason) {
  if (action > d.action) {
    d.action = action;
    if (action == ErrorAction::session_reset) d.reset = n;
  }
  d.problems.push_back(DecodeProblem{action, std::move(n), std::move(reason)});
}

inline Decoded session_reset(Notification n, std::string reason) {
  Decoded d;
  add_problem(d, ErrorAction::session_reset, std::move(n), std::move(reason));
  return d;
}

}  // namespace halink::bgp::wire
