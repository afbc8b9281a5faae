#include "bgp/decision/decision_process.h"

#include <algorithm>

#include "bgp/decision/path_selection.h"

namespace halink::bgp {
namespace {

// The forwarding view of a prefix before a change: the multipath members as
// (peer, attribute set) identities, with references held so their next hops
// can still be read afterwards. Sized for the usual 1–8 paths without
// touching the heap.
class Snapshot {
public:
  struct Member {
    PeerId peer = 0;
    AttrSetRef attributes;
  };

  Snapshot() = default;
  explicit Snapshot(const PathList& paths) {
    count_ = paths.multipath_count();
    if (count_ > inline_capacity) spilled_.resize(count_);
    Member* m = members();
    for (size_t i = 0; i < count_; ++i) m[i] = Member{paths[i].peer, paths[i].attributes};
  }

  size_t size() const { return count_; }
  const Member* begin() const { return count_ > inline_capacity ? spilled_.data() : inline_; }

private:
  static constexpr size_t inline_capacity = 8;
  Member* members() { return count_ > inline_capacity ? spilled_.data() : inline_; }
  size_t count_ = 0;
  Member inline_[inline_capacity];
  std::vector<Member> spilled_;
};

std::vector<NextHop> next_hops_of(const Snapshot::Member* members, size_t count, const PeerTable& peers) {
  std::vector<NextHop> hops;
  hops.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (peers[members[i].peer].local) continue;
    hops.push_back(NextHop{members[i].attributes.forwarding_address(), members[i].peer});
  }
  std::sort(hops.begin(), hops.end());
  hops.erase(std::unique(hops.begin(), hops.end()), hops.end());
  return hops;
}

// Whether two member lists forward the same way; on the stack for the usual
// few paths.
bool same_next_hops(const Snapshot& a, const Snapshot& b, const PeerTable& peers) {
  constexpr size_t on_stack = 8;
  if (a.size() > on_stack || b.size() > on_stack)
    return next_hops_of(a.begin(), a.size(), peers) == next_hops_of(b.begin(), b.size(), peers);
  NextHop hops_a[on_stack], hops_b[on_stack];
  auto fill = [&](const Snapshot& s, NextHop* out) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const Snapshot::Member& m = s.begin()[i];
      if (!peers[m.peer].local) out[n++] = NextHop{m.attributes.forwarding_address(), m.peer};
    }
    std::sort(out, out + n);
    return static_cast<size_t>(std::unique(out, out + n) - out);
  };
  const size_t na = fill(a, hops_a), nb = fill(b, hops_b);
  return na == nb && std::equal(hops_a, hops_a + na, hops_b);
}

RouteChange difference(const Snapshot& before, const PathList* after, const PeerTable& peers) {
  const size_t after_count = after ? after->multipath_count() : 0;
  RouteChange change;
  if (before.size() == 0) {
    // A first path (the whole of a table load): forwarding changes unless
    // every selected path is our own.
    change.best_changed = after_count > 0;
    for (size_t i = 0; i < after_count && !change.next_hops_changed; ++i)
      change.next_hops_changed = !peers[(*after)[i].peer].local;
    return change;
  }
  if ((before.size() > 0) != (after_count > 0)) {
    change.best_changed = true;
  } else if (after_count > 0) {
    const Path& best = (*after)[0];
    change.best_changed = best.peer != before.begin()[0].peer || !(best.attributes == before.begin()[0].attributes);
  }
  // Same members (as a set) ⇒ same next hops; only otherwise compute them.
  bool same_members = before.size() == after_count;
  for (size_t i = 0; same_members && i < after_count; ++i) {
    const Path& path = (*after)[i];
    same_members = std::any_of(before.begin(), before.begin() + before.size(), [&](const Snapshot::Member& m) {
      return m.peer == path.peer && m.attributes == path.attributes;
    });
  }
  if (!same_members) {
    const Snapshot now = after ? Snapshot(*after) : Snapshot();
    change.next_hops_changed = !same_next_hops(before, now, peers);
  }
  return change;
}

}  // namespace

std::vector<NextHop> next_hops_of(const PathList& paths, const PeerTable& peers) {
  const Snapshot members(paths);
  return next_hops_of(members.begin(), members.size(), peers);
}

RouteChange DecisionProcess::update(const Prefix& prefix, PeerId peer, AttrSetRef attributes) {
  PathList& paths = rib_.find_or_insert(prefix);
  if (paths.empty()) {
    // A first path (the whole of a table load): there is no forwarding view
    // to snapshot and compare, so the change is known from the one path.
    rib_.add_path(paths, prefix.family(), Path{std::move(attributes), peer});
    RouteChange change;
    change.best_changed = select_paths(paths, prefix.family(), peers_, config_, rib_) > 0;
    change.next_hops_changed = change.best_changed && !peers_[peer].local;
    return change;
  }
  Path* existing = paths.find(peer);
  // A duplicate announcement; unless the path is a retired one that the
  // peer's new session announces again, which makes it current.
  if (existing && existing->attributes == attributes && rib_.is_current(*existing)) return {};
  if (!existing) {
    // The peer's first path to a known prefix (the rest of a table load
    // from several peers): usually decided against the best path alone.
    // add_path() appends, so the members a snapshot would copy stay put.
    rib_.add_path(paths, prefix.family(), Path{std::move(attributes), peer});
    switch (select_added_path(paths, prefix.family(), peers_, config_, rib_)) {
      case AddedPath::not_selected: return {};
      case AddedPath::joined_multipath: return RouteChange{false, !peers_[peer].local};
      case AddedPath::unknown: break;
    }
    const Snapshot before(paths);
    select_paths(paths, prefix.family(), peers_, config_, rib_);
    return difference(before, &paths, peers_);
  }
  const Snapshot before(paths);
  // Implicit withdrawal and replacement (RFC 4271 §3.1).
  rib_.set_attributes(prefix.family(), *existing, std::move(attributes));
  select_paths(paths, prefix.family(), peers_, config_, rib_);
  return difference(before, &paths, peers_);
}

RouteChange DecisionProcess::withdraw(const Prefix& prefix, PeerId peer) {
  PathList* paths = rib_.find(prefix);
  if (!paths) return {};
  Path* existing = paths->find(peer);
  if (!existing) return {};
  if (paths->size() == 1) {
    // The prefix's last path (all of a withdraw storm from a single
    // upstream): what changes follows from that path alone, as for a first
    // path in update(), and the prefix leaves without a second lookup.
    RouteChange change;
    change.best_changed = paths->multipath_count() > 0;
    change.next_hops_changed = change.best_changed && !peers_[peer].local;
    rib_.remove_path(*paths, prefix.family(), existing);
    rib_.erase(prefix, paths);
    return change;
  }
  // A path other than the best (every tunnel but one when a peer's
  // withdrawals or a session's end meet a prefix with several paths).
  const RemovedPath removed =
      prepare_removal(*paths, static_cast<size_t>(existing - paths->begin()), prefix.family(), config_, rib_);
  if (removed != RemovedPath::unknown) {
    rib_.remove_path(*paths, prefix.family(), &(*paths)[paths->size() - 1]);
    return RouteChange{false, removed == RemovedPath::left_multipath && !peers_[peer].local};
  }
  const Snapshot before(*paths);
  rib_.remove_path(*paths, prefix.family(), existing);
  select_paths(*paths, prefix.family(), peers_, config_, rib_);
  return difference(before, paths, peers_);
}

RouteChange DecisionProcess::withdraw_retired(const Prefix& prefix, PeerId peer) {
  PathList* paths = rib_.find(prefix);
  const Path* existing = paths ? paths->find(peer) : nullptr;
  if (!existing || rib_.is_current(*existing)) return {};
  return withdraw(prefix, peer);
}

std::vector<NextHop> DecisionProcess::begin_peer_withdrawal(PeerId peer) {
  std::vector<NextHop> hops;
  for (const IpAddress& address : rib_.retire_peer(peer)) hops.push_back(NextHop{address, peer});
  const PeerInfo* info = peers_.find(peer);
  if (info && info->local) hops.clear();  // our own routes forward nowhere
  std::sort(hops.begin(), hops.end());
  return hops;
}

RouteChange DecisionProcess::reselect(const Prefix& prefix) {
  PathList* paths = rib_.find(prefix);
  if (!paths) return {};
  const Snapshot before(*paths);
  select_paths(*paths, prefix.family(), peers_, config_, rib_);
  return difference(before, paths, peers_);
}

// Until its slice comes, a retired path may still sit in a list's selection:
// these skip it. The multipath members after the best are in comparator
// order, so the first current member is the best of the rest.
const Path* DecisionProcess::best(const Prefix& prefix) const {
  const PathList* paths = rib_.find(prefix);
  if (!paths) return nullptr;
  for (size_t i = 0; i < paths->multipath_count(); ++i)
    if (rib_.is_current((*paths)[i])) return &(*paths)[i];
  return nullptr;
}

std::vector<Path> DecisionProcess::multipath(const Prefix& prefix) const {
  std::vector<Path> members;
  if (const PathList* paths = rib_.find(prefix))
    for (size_t i = 0; i < paths->multipath_count(); ++i)
      if (rib_.is_current((*paths)[i])) members.push_back((*paths)[i]);
  return members;
}

std::vector<NextHop> DecisionProcess::next_hops(const Prefix& prefix) const {
  std::vector<NextHop> hops;
  const PathList* paths = rib_.find(prefix);
  if (!paths) return hops;
  for (size_t i = 0; i < paths->multipath_count(); ++i) {
    const Path& path = (*paths)[i];
    if (rib_.is_current(path) && !peers_[path.peer].local)
      hops.push_back(NextHop{path.attributes.forwarding_address(), path.peer});
  }
  std::sort(hops.begin(), hops.end());
  hops.erase(std::unique(hops.begin(), hops.end()), hops.end());
  return hops;
}

}  // namespace halink::bgp
