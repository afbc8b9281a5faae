// Virtual clock and event queue of the discrete-event simulator.
//
// Model assumptions:
// - Time is halink::Time in nanoseconds from the start of the simulation
//   (Time::zero()); nothing here reads a wall clock.
// - Events run in (time, insertion sequence) order: two events at the same
//   instant run in the order they were scheduled. That order is the only
//   tie-breaker, which makes a run a pure function of its inputs and seed.
// - An event scheduled in the past runs "now" (after the events already due
//   now), never before the current time: the clock never moves backwards.
// - Cancellation is O(1); cancelled events are skipped when they surface.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "core/time.h"

namespace halink::sim {

// 0 is never a valid id, so it can mean "no event" in the caller's fields.
using EventId = uint64_t;
inline constexpr EventId no_event = 0;

class Scheduler {
public:
  using Action = std::function<void()>;

  Time now() const { return now_; }

  EventId schedule_at(Time at, Action action);
  EventId schedule_after(Duration delay, Action action) { return schedule_at(now_ + delay, std::move(action)); }
  // True when the event was still pending.
  bool cancel(EventId id);
  bool is_pending(EventId id) const { return actions_.count(id) != 0; }

  // Runs every event due at or before `until` and leaves the clock at
  // `until` (unless `until` is never). Returns the number of events run.
  size_t run_until(Time until);
  // Runs the earliest pending event; false when there is none.
  bool run_next();
  // Time of the earliest pending event, or never.
  Time next_event_time();

  size_t pending() const { return actions_.size(); }
  uint64_t executed() const { return executed_; }

private:
  struct Entry {
    Time at;
    EventId id;  // also the insertion sequence
    bool operator>(const Entry& other) const { return at != other.at ? at > other.at : id > other.id; }
  };
  void drop_cancelled();

  Time now_ = Time::zero();
  EventId next_id_ = 1;
  uint64_t executed_ = 0;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue_;
  std::unordered_map<EventId, Action> actions_;
};

}  // namespace halink::sim
