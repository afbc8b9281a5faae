#include "bgp/decision/path_selection.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "bgp/decision/path_comparator.h"

namespace halink::bgp {
namespace {

struct Candidate {
  uint32_t index = 0;  // position in the PathList before reordering
  uint32_t igp_cost = 0;
  bool in_tier = false;     // best through ORIGIN
  bool eliminated = false;  // not in the tier, or beaten on MED inside it
};

// Scratch space: a few entries live on the stack (a prefix rarely has more
// than 8 paths); a prefix learned from many peers spills to the heap.
template <class T>
class SmallBuffer {
public:
  explicit SmallBuffer(size_t n) {
    if (n > inline_capacity) heap_.resize(n);
  }
  T* data() { return heap_.empty() ? inline_ : heap_.data(); }
  T& operator[](size_t i) { return data()[i]; }

private:
  static constexpr size_t inline_capacity = 16;
  T inline_[inline_capacity];
  std::vector<T> heap_;
};

}  // namespace

IpAddress forwarding_address(const PathAttributes& attributes) {
  if (attributes.next_hop && !attributes.next_hop->is_unspecified()) return *attributes.next_hop;
  if (attributes.link_local_next_hop) return *attributes.link_local_next_hop;
  return attributes.next_hop.value_or(IpAddress());
}

size_t select_paths(PathList& paths, Family family, const PeerTable& peers, const DecisionConfig& config,
                    const LocRib& rib) {
  const size_t n = paths.size();
  // The common case of a full table from one peer: nothing to compare.
  if (n <= 1 && !config.igp_cost) {
    const size_t usable = n == 1 && rib.is_current(paths[0]) ? 1 : 0;
    paths.set_multipath_count(usable);
    return usable;
  }

  SmallBuffer<Candidate> buffer(n);
  Candidate* candidates = buffer.data();
  size_t eligible = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!rib.is_current(paths[i])) continue;  // withdrawal pending
    uint32_t cost = 0;
    if (config.igp_cost) {
      const std::optional<uint32_t> resolved = config.igp_cost(paths[i].attributes.forwarding_address());
      if (!resolved) continue;  // §9.1.2 (1): unresolvable next hop
      cost = *resolved;
    }
    candidates[eligible++] = Candidate{static_cast<uint32_t>(i), cost, false, false};
  }
  if (eligible == 0) {
    paths.set_multipath_count(0);
    return 0;
  }
  auto view = [&](const Candidate& c) {
    const Path& p = paths[c.index];
    return PathView{p.attributes.decision(), peers[p.peer], c.igp_cost};
  };
  auto compare = [&](const Candidate& a, const Candidate& b, DecisionStep last) {
    return compare_paths(view(a), view(b), config, last);
  };

  // Steps up to ORIGIN are total orders: find the top tier in one pass.
  size_t top = 0;
  for (size_t i = 1; i < eligible; ++i)
    if (compare(candidates[i], candidates[top], DecisionStep::origin).a_better()) top = i;
  for (size_t i = 0; i < eligible; ++i) {
    candidates[i].in_tier = compare(candidates[i], candidates[top], DecisionStep::origin).preference == 0;
    candidates[i].eliminated = !candidates[i].in_tier;
  }

  // MED: eliminate within the tier, pairwise (only comparable pairs decide).
  // Usually every path in the tier has the same MED (or none): then the step
  // cannot eliminate anything and the quadratic pass is skipped.
  bool meds_differ = false;
  const uint32_t tier_med = paths[candidates[top].index].attributes.decision().med;
  for (size_t i = 0; i < eligible && !meds_differ; ++i)
    meds_differ = candidates[i].in_tier && paths[candidates[i].index].attributes.decision().med != tier_med;
  for (size_t i = 0; meds_differ && i < eligible; ++i) {
    if (!candidates[i].in_tier) continue;
    for (size_t j = 0; j < eligible; ++j) {
      if (i == j || !candidates[j].in_tier) continue;
      if (compare(candidates[j], candidates[i], DecisionStep::med).a_better()) {
        candidates[i].eliminated = true;
        break;
      }
    }
  }

  // Best of the survivors by all steps (transitive among them).
  size_t best = eligible;
  for (size_t i = 0; i < eligible; ++i) {
    if (candidates[i].eliminated) continue;
    if (best == eligible || compare(candidates[i], candidates[best], DecisionStep::peer_address).a_better()) best = i;
  }

  // Multipath members besides the best.
  const DecisionKey& best_key = paths[candidates[best].index].attributes.decision();
  const bool best_ebgp = peers[paths[candidates[best].index].peer].ebgp;
  SmallBuffer<Candidate> member_buffer(eligible);
  Candidate* members_begin = member_buffer.data();
  size_t member_count = 0;
  for (size_t i = 0; i < eligible; ++i) {
    if (i == best || candidates[i].eliminated) continue;
    if (compare(candidates[best], candidates[i], DecisionStep::igp_cost).preference != 0) continue;
    if (best_ebgp && !config.multipath_relax &&
        paths[candidates[i].index].attributes.decision().neighbor_as != best_key.neighbor_as)
      continue;
    members_begin[member_count++] = candidates[i];
  }
  std::sort(members_begin, members_begin + member_count, [&](const Candidate& a, const Candidate& b) {
    return compare(a, b, DecisionStep::peer_address).a_better();
  });
  const size_t limit = config.max_paths(family);
  if (member_count + 1 > limit) member_count = limit - 1;

  // Move best, then members, to the front. `position[i]` tracks where the
  // path originally at i is now; `original[p]` the inverse.
  SmallBuffer<uint32_t> position(n), original(n);
  for (uint32_t i = 0; i < n; ++i) position[i] = original[i] = i;
  auto bring_to = [&](size_t slot, uint32_t index) {
    const uint32_t from = position[index];
    if (from == slot) return;
    std::swap(paths[slot], paths[from]);
    const uint32_t displaced = original[slot];
    std::swap(original[slot], original[from]);
    position[index] = static_cast<uint32_t>(slot);
    position[displaced] = from;
  };
  bring_to(0, candidates[best].index);
  for (size_t m = 0; m < member_count; ++m) bring_to(m + 1, members_begin[m].index);
  paths.set_multipath_count(member_count + 1);
  return member_count + 1;
}

namespace {

// Whether adding or removing one path can be decided against the selection
// in place. It can when that selection is select_paths()' over candidates
// that all stay candidates (a stale path may have eliminated another on MED
// before it went stale; interior costs need a lookup each) and the MED step
// decides nothing (every MED equal): then the comparator is one total
// preorder, as for a sort (steps 2–4 of the header collapse).
bool selection_is_incremental(const PathList& paths, const DecisionConfig& config, const LocRib& rib) {
  if (config.igp_cost || paths.multipath_count() == 0) return false;
  const uint32_t med = paths[0].attributes.decision().med;
  for (const Path& path : paths)
    if (!rib.is_current(path) || path.attributes.decision().med != med) return false;
  return true;
}

}  // namespace

AddedPath select_added_path(PathList& paths, Family family, const PeerTable& peers, const DecisionConfig& config,
                            const LocRib& rib) {
  const size_t n = paths.size();
  const size_t k = paths.multipath_count();
  if (n < 2 || !selection_is_incremental(paths, config, rib)) return AddedPath::unknown;
  const Path& added = paths[n - 1];
  const DecisionKey& key = added.attributes.decision();

  const Path& best = paths[0];
  const PathView best_view{best.attributes.decision(), peers[best.peer], 0};
  const PathView added_view{key, peers[added.peer], 0};
  const PathComparison against_best = compare_paths(added_view, best_view, config, DecisionStep::peer_address);
  if (against_best.preference <= 0) return AddedPath::unknown;  // a new best (or a tie): members change
  // Worse than the best: a member only when equal to it through the IGP
  // cost and, for eBGP, from the same neighbouring AS (step 5).
  if (against_best.step <= DecisionStep::igp_cost) return AddedPath::not_selected;
  if (peers[best.peer].ebgp && !config.multipath_relax && key.neighbor_as != best.attributes.decision().neighbor_as)
    return AddedPath::not_selected;
  // Members after the best are in comparator order: find the new one's place.
  size_t place = 1;
  while (place < k && compare_paths(PathView{paths[place].attributes.decision(), peers[paths[place].peer], 0},
                                    added_view, config, DecisionStep::peer_address)
                          .a_better())
    ++place;
  const size_t limit = config.max_paths(family);
  if (place >= limit) return AddedPath::not_selected;
  if (k >= limit) return AddedPath::unknown;  // it would push a member out
  std::rotate(paths.begin() + place, paths.begin() + (n - 1), paths.end());
  paths.set_multipath_count(k + 1);
  return AddedPath::joined_multipath;
}

RemovedPath prepare_removal(PathList& paths, size_t index, Family family, const DecisionConfig& config,
                            const LocRib& rib) {
  const size_t n = paths.size();
  const size_t k = paths.multipath_count();
  if (index == 0 || !selection_is_incremental(paths, config, rib)) return RemovedPath::unknown;
  if (index < k && k == config.max_paths(family) && n > k)
    return RemovedPath::unknown;  // a path max_paths left out may take its place
  // Last in the list, the others in their order (members stay in comparator order).
  std::rotate(paths.begin() + index, paths.begin() + index + 1, paths.end());
  if (index >= k) return RemovedPath::not_selected;
  paths.set_multipath_count(k - 1);
  return RemovedPath::left_multipath;
}

}  // namespace halink::bgp
