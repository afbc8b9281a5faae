#include "lab/probe/send_schedule.h"

#include <algorithm>

namespace halink::lab {

Time SendSchedule::due(uint64_t slot) const {
  uint64_t round = slot / flows_, offset = slot % flows_;
  return start_ + shift_ + interval_ * int64_t(round) + Duration::nanoseconds(interval_.ns() * int64_t(offset) / flows_);
}

SendSlot SendSchedule::pop() {
  SendSlot slot{uint32_t(next_ % flows_), next_ / flows_, due(next_)};
  ++next_;
  return slot;
}

Duration SendSchedule::resume_at(Time now) {
  Duration behind = std::max(now - next_due(), Duration::zero());
  shift_ += behind;
  return behind;
}

Time SendSchedule::wake_at(Time last_wake, Duration tick) const { return std::max(next_due(), last_wake + tick); }

}  // namespace halink::lab
