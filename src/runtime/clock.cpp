#include "runtime/clock.h"

#include <time.h>

namespace halink::runtime {

Time monotonic_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Time::from_ns(int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
}

}  // namespace halink::runtime
