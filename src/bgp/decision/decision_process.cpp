#include "bgp/decision/decision_process.h"

#include <algorithm>

#include "bgp/decision/path_selection.h"

namespace halink::bgp {
namespace {

// What the forwarding view of a prefix was before a change: enough to tell
// afterwards whether it changed, without allocating for the usual 1–8 paths.
struct Snapshot {
  static constexpr size_t inline_capacity = 16;
  AttrSetRef best_attributes;  // held so its address cannot be reused meanwhile
  PeerId best_peer = 0;
  bool has_best = false;
  NextHop inline_hops[inline_capacity];
  std::vector<NextHop> spilled;
  size_t hop_count = 0;

  NextHop* hops() { return spilled.empty() ? inline_hops : spilled.data(); }
};

size_t collect_next_hops(const PathList& paths, const PeerTable& peers, NextHop* out) {
  size_t count = 0;
  for (size_t i = 0; i < paths.multipath_count(); ++i) {
    const Path& path = paths[i];
    if (peers[path.peer].local) continue;
    out[count++] = NextHop{forwarding_address(path.attributes.attributes()), path.peer};
  }
  std::sort(out, out + count);
  return static_cast<size_t>(std::unique(out, out + count) - out);
}

void take_snapshot(const PathList* paths, const PeerTable& peers, Snapshot& snapshot) {
  if (!paths || paths->multipath_count() == 0) return;
  snapshot.has_best = true;
  snapshot.best_attributes = (*paths)[0].attributes;
  snapshot.best_peer = (*paths)[0].peer;
  if (paths->multipath_count() > Snapshot::inline_capacity) snapshot.spilled.resize(paths->multipath_count());
  snapshot.hop_count = collect_next_hops(*paths, peers, snapshot.hops());
}

RouteChange compare_to_snapshot(const PathList* paths, const PeerTable& peers, Snapshot& before) {
  RouteChange change;
  const bool has_best = paths && paths->multipath_count() > 0;
  if (has_best != before.has_best) {
    change.best_changed = true;
  } else if (has_best) {
    const Path& best = (*paths)[0];
    change.best_changed = best.peer != before.best_peer || !(best.attributes == before.best_attributes);
  }
  Snapshot after;
  take_snapshot(paths, peers, after);
  change.next_hops_changed = after.hop_count != before.hop_count ||
                             !std::equal(after.hops(), after.hops() + after.hop_count, before.hops());
  return change;
}

}  // namespace

std::vector<NextHop> next_hops_of(const PathList& paths, const PeerTable& peers) {
  std::vector<NextHop> hops(paths.multipath_count());
  hops.resize(collect_next_hops(paths, peers, hops.data()));
  return hops;
}

template <class Modify>
RouteChange DecisionProcess::apply(const Prefix& prefix, Modify&& modify) {
  PathList* paths = rib_.find(prefix);
  Snapshot before;
  take_snapshot(paths, peers_, before);
  paths = modify(paths);
  if (paths) select_paths(*paths, prefix.family(), peers_, config_);
  RouteChange change = compare_to_snapshot(paths, peers_, before);
  if (paths && paths->empty()) rib_.erase(prefix);
  return change;
}

RouteChange DecisionProcess::update(const Prefix& prefix, PeerId peer, AttrSetRef attributes) {
  return apply(prefix, [&](PathList* paths) {
    if (!paths) paths = &rib_.find_or_insert(prefix);
    if (Path* existing = paths->find(peer))
      existing->attributes = std::move(attributes);
    else
      paths->push_back(Path{std::move(attributes), peer});
    return paths;
  });
}

RouteChange DecisionProcess::withdraw(const Prefix& prefix, PeerId peer) {
  return apply(prefix, [&](PathList* paths) {
    if (paths)
      if (Path* existing = paths->find(peer)) paths->erase(existing);
    return paths;
  });
}

RouteChange DecisionProcess::reselect(const Prefix& prefix) {
  return apply(prefix, [](PathList* paths) { return paths; });
}

const Path* DecisionProcess::best(const Prefix& prefix) const {
  const PathList* paths = rib_.find(prefix);
  return paths ? paths->best() : nullptr;
}

std::vector<Path> DecisionProcess::multipath(const Prefix& prefix) const {
  const PathList* paths = rib_.find(prefix);
  if (!paths) return {};
  return std::vector<Path>(paths->begin(), paths->begin() + paths->multipath_count());
}

std::vector<NextHop> DecisionProcess::next_hops(const Prefix& prefix) const {
  const PathList* paths = rib_.find(prefix);
  return paths ? next_hops_of(*paths, peers_) : std::vector<NextHop>{};
}

}  // namespace halink::bgp
