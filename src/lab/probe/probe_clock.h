// CLOCK_MONOTONIC as a halink::Time: the clock the probe's timestamps use,
// shared by every network namespace on the host (so a lab compares the
// probe's outage times with its own failure injection times).
#pragma once

#include <time.h>

#include "core/time.h"

namespace halink::lab {

inline Time probe_clock_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Time::from_ns(int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
}

}  // namespace halink::lab
