// The routes a neighbour must send again during an Enhanced Route Refresh
// (RFC 7313 §4), per family: at its BoRR every route it had announced is
// marked stale; announcing or withdrawing a route again clears the mark; at
// its EoRR the routes still marked are purged. Until then they stay in use:
// a refresh never takes away a route the peer still has. A peer whose EoRR
// does not come within `stale_time` is taken to have ended its refresh then
// (as FRR's stalepath-time does), so a peer that lost its session state
// cannot keep stale routes for ever.
#pragma once

#include <vector>

#include "bgp/rib/prefix_map.h"
#include "core/time.h"

namespace halink::bgp {

class RefreshMarks {
public:
  // FRR's default stalepath-time; RFC 7313 leaves the value to the speaker.
  static constexpr Duration stale_time = Duration::seconds(360);

  // BoRR: these routes of the family are stale. A second BoRR before the
  // EoRR starts over.
  void begin(Time now, Family family, const std::vector<Prefix>& routes) {
    PrefixMap<bool>& marked = marked_[index(family)];
    marked.clear();
    for (const Prefix& p : routes) *marked.find_or_insert(p).first = true;
    active_[index(family)] = true;
    deadline_[index(family)] = now + stale_time;
  }
  bool in_progress() const { return active_[0] || active_[1]; }
  // The peer announced or withdrew the route again.
  void refreshed(const Prefix& prefix) {
    if (active_[index(prefix.family())]) marked_[index(prefix.family())].erase(prefix);
  }
  // EoRR: the routes still stale, to purge; the family's refresh is over.
  // Empty for an EoRR without a BoRR.
  std::vector<Prefix> end(Family family) {
    std::vector<Prefix> stale;
    marked_[index(family)].for_each([&](const Prefix& p, const bool&) { stale.push_back(p); });
    marked_[index(family)].clear();
    active_[index(family)] = false;
    deadline_[index(family)] = Time::never();
    return stale;
  }
  // When a refresh in progress runs out of time without its EoRR.
  Time next_deadline() const { return earliest(deadline_[0], deadline_[1]); }
  // The families whose time ran out; each is reported once.
  std::vector<Family> take_expired(Time now) {
    std::vector<Family> expired;
    for (Family f : {Family::ipv4, Family::ipv6})
      if (deadline_[index(f)] <= now) {
        expired.push_back(f);
        deadline_[index(f)] = Time::never();
      }
    return expired;
  }
  // The session went down: its routes go anyway.
  void clear() {
    for (size_t i : {0, 1}) {
      marked_[i].clear();
      active_[i] = false;
      deadline_[i] = Time::never();
    }
  }

private:
  static size_t index(Family family) { return family == Family::ipv4 ? 0 : 1; }
  PrefixMap<bool> marked_[2];
  bool active_[2] = {false, false};
  Time deadline_[2] = {Time::never(), Time::never()};
};

}  // namespace halink::bgp
