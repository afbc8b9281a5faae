// Max-prefix accounting for one neighbour and family.
//
// The speaker reports the accepted (post-policy) prefix count after each
// UPDATE; the guard says what to do, each event once per crossing:
//   warning_threshold  the count reached warning_threshold_percent of the limit
//   limit_warning      the count exceeded the limit, warning_only: log, stay up
//   limit_tear_down    the count exceeded the limit: send a NOTIFICATION
//                      (Cease, Maximum Number of Prefixes Reached, RFC 4486
//                      §4) and keep the session down until restart_time().
// An event re-arms once the count falls back below its threshold.
#pragma once

#include <cstddef>

#include "bgp/policy/policy.h"
#include "core/time.h"

namespace halink::bgp {

enum class MaxPrefixEvent : uint8_t { none, warning_threshold, limit_warning, limit_tear_down };
const char* max_prefix_event_name(MaxPrefixEvent event);

class MaxPrefixGuard {
public:
  explicit MaxPrefixGuard(MaxPrefix limits) : limits_(limits) {}

  MaxPrefixEvent on_count(size_t accepted_prefixes);
  // When a session torn down at `torn_down_at` may start again;
  // Time::never() when restart_after is zero (an operator must reset it).
  Time restart_time(Time torn_down_at) const;
  // The session restarted (or was reset): every event is armed again.
  void reset();

  const MaxPrefix& limits() const { return limits_; }
  size_t warning_count() const;

private:
  MaxPrefix limits_;
  bool warned_ = false;
  bool exceeded_ = false;
};

}  // namespace halink::bgp
