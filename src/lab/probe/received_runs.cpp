#include "lab/probe/received_runs.h"

#include <iterator>

namespace halink::lab {

bool ReceivedRuns::contains(uint64_t sequence) const {
  auto after = runs_.upper_bound(sequence);
  if (after == runs_.begin()) return false;
  return std::prev(after)->second.last >= sequence;
}

bool ReceivedRuns::insert(uint64_t sequence, int64_t send_ns) {
  // The common case, a flow in order: extend the highest run.
  if (!runs_.empty()) {
    ReceivedRun& top = runs_.rbegin()->second;
    if (top.last + 1 == sequence) {
      top.last = sequence;
      top.last_send_ns = send_ns;
      return true;
    }
  }
  auto after = runs_.upper_bound(sequence);
  ReceivedRun* before = nullptr;
  if (after != runs_.begin()) {
    before = &std::prev(after)->second;
    if (before->last >= sequence) return false;
  }
  bool joins_before = before && before->last + 1 == sequence;
  bool joins_after = after != runs_.end() && after->first == sequence + 1;
  if (joins_before && joins_after) {
    before->last = after->second.last;
    before->last_send_ns = after->second.last_send_ns;
    runs_.erase(after);
  } else if (joins_before) {
    before->last = sequence;
    before->last_send_ns = send_ns;
  } else if (joins_after) {
    ReceivedRun run = after->second;
    run.first = sequence;
    run.first_send_ns = send_ns;
    runs_.erase(after);
    runs_.emplace(sequence, run);
  } else {
    runs_.emplace(sequence, ReceivedRun{sequence, sequence, send_ns, send_ns});
  }
  return true;
}

}  // namespace halink::lab
