// The sequence numbers one flow has received, kept as runs of consecutive
// numbers with the send times at each run's ends.
//
// A steady flow is a single run however long it lasts; every loss adds one
// run, and a late packet may fill a hole (splitting nothing: it extends or
// joins its neighbours). Holes are computed only when a report is asked for,
// so a packet that arrives late is never counted as lost.
#pragma once

#include <cstdint>
#include <cstddef>
#include <map>

namespace halink::lab {

struct ReceivedRun {
  uint64_t first = 0;  // extended sequence numbers, inclusive
  uint64_t last = 0;
  int64_t first_send_ns = 0;  // send times of those two packets
  int64_t last_send_ns = 0;
};

class ReceivedRuns {
public:
  // False when `sequence` was already received (a duplicate).
  bool insert(uint64_t sequence, int64_t send_ns);
  bool contains(uint64_t sequence) const;
  bool empty() const { return runs_.empty(); }
  // Runs in ascending order, disjoint and not adjacent.
  template <class Visit>
  void for_each(Visit visit) const {
    for (const auto& [first, run] : runs_) visit(run);
  }
  const ReceivedRun& lowest() const { return runs_.begin()->second; }
  const ReceivedRun& highest() const { return runs_.rbegin()->second; }
  size_t run_count() const { return runs_.size(); }

private:
  std::map<uint64_t, ReceivedRun> runs_;  // keyed by first
};

}  // namespace halink::lab
