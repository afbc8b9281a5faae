// The only place halinkd reads the clock: CLOCK_MONOTONIC as a halink::Time.
#pragma once

#include "core/time.h"

namespace halink::runtime {

Time monotonic_now();

}  // namespace halink::runtime
