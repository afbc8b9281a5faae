// When the probe sender sends what: sans-IO pacing of many flows.
//
// Every flow sends one packet per interval; the flows are staggered evenly
// across the interval (flow f at offset f × interval / flows), so 64 flows at
// 1,000 packets/s leave as a packet every 15.6 µs rather than a burst of 64
// each millisecond. Slot k is packet k / flows of flow k % flows, due at
// start + k × interval / flows: exact, without drift over long runs.
#pragma once

#include <cstdint>

#include "core/time.h"

namespace halink::lab {

struct SendSlot {
  uint32_t flow = 0;
  uint64_t index = 0;  // the flow's packet number, from 0
  Time due;
};

class SendSchedule {
public:
  SendSchedule(Time start, uint32_t flows, Duration interval) : start_(start), flows_(flows), interval_(interval) {}

  Time next_due() const { return due(next_); }
  // The next slot in order; the caller sends it (late if it woke late: the
  // sequence number stays the slot's, the timestamp is the real send time).
  SendSlot pop();
  // When to wake next: the next due slot, but no sooner than `tick` after the
  // last wake-up, so that many flows cost one wake-up per tick rather than one
  // per packet. Each flow's packets stay one interval apart to within a tick.
  Time wake_at(Time last_wake, Duration tick) const;
  // After a stall (the sender not scheduled for a while), shifts the rest of
  // the schedule so the next slot is due at `now`: the flows resume at their
  // rate instead of bursting the backlog, and no sequence number is skipped
  // (skipping would look like loss to the receiver). Returns the shift.
  Duration resume_at(Time now);

private:
  Time due(uint64_t slot) const;
  Time start_;
  uint32_t flows_;
  Duration interval_;
  uint64_t next_ = 0;
  Duration shift_;
};

}  // namespace halink::lab
