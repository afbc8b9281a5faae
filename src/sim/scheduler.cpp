#include "sim/scheduler.h"

#include <utility>

namespace halink::sim {

EventId Scheduler::schedule_at(Time at, Action action) {
  if (at < now_) at = now_;
  const EventId id = next_id_++;
  queue_.push(Entry{at, id});
  actions_.emplace(id, std::move(action));
  return id;
}

bool Scheduler::cancel(EventId id) { return actions_.erase(id) != 0; }

void Scheduler::drop_cancelled() {
  while (!queue_.empty() && actions_.count(queue_.top().id) == 0) queue_.pop();
}

Time Scheduler::next_event_time() {
  drop_cancelled();
  return queue_.empty() ? Time::never() : queue_.top().at;
}

bool Scheduler::run_next() {
  drop_cancelled();
  if (queue_.empty()) return false;
  const Entry entry = queue_.top();
  queue_.pop();
  auto it = actions_.find(entry.id);
  Action action = std::move(it->second);
  actions_.erase(it);
  now_ = entry.at;
  ++executed_;
  action();
  return true;
}

size_t Scheduler::run_until(Time until) {
  size_t count = 0;
  while (next_event_time() <= until && !queue_.empty()) {
    run_next();
    ++count;
  }
  if (!until.is_never() && until > now_) now_ = until;
  return count;
}

}  // namespace halink::sim
