#include "bgp/policy/max_prefix_guard.h"

#include <algorithm>

namespace halink::bgp {

const char* max_prefix_event_name(MaxPrefixEvent event) {
  switch (event) {
    case MaxPrefixEvent::none: return "none";
    case MaxPrefixEvent::warning_threshold: return "warning threshold reached";
    case MaxPrefixEvent::limit_warning: return "limit exceeded (warning only)";
    case MaxPrefixEvent::limit_tear_down: return "limit exceeded (session torn down)";
  }
  return "?";
}

size_t MaxPrefixGuard::warning_count() const {
  const size_t percent = std::clamp<size_t>(limits_.warning_threshold_percent, 1, 100);
  // Rounded up so that e.g. 75 % of 10 warns at 8, not 7.
  return (size_t{limits_.limit} * percent + 99) / 100;
}

MaxPrefixEvent MaxPrefixGuard::on_count(size_t accepted_prefixes) {
  if (accepted_prefixes > limits_.limit) {
    if (exceeded_) return MaxPrefixEvent::none;
    exceeded_ = true;
    warned_ = true;
    return limits_.warning_only ? MaxPrefixEvent::limit_warning : MaxPrefixEvent::limit_tear_down;
  }
  exceeded_ = false;
  if (limits_.limit > 0 && accepted_prefixes >= warning_count()) {
    if (warned_) return MaxPrefixEvent::none;
    warned_ = true;
    return MaxPrefixEvent::warning_threshold;
  }
  warned_ = false;
  return MaxPrefixEvent::none;
}

Time MaxPrefixGuard::restart_time(Time torn_down_at) const {
  if (limits_.restart_after.is_zero()) return Time::never();
  return torn_down_at + limits_.restart_after;
}

void MaxPrefixGuard::reset() {
  warned_ = false;
  exceeded_ = false;
}

}  // namespace halink::bgp
