// Planning kernel writes with nexthop objects and groups (Linux >= 5.3,
// `ip nexthop`), sans-IO: route changes in, a list of kernel operations out.
//
// The model:
// - one nexthop object per path (gateway, interface), shared by every group;
// - one group per distinct next-hop set (with weights), shared by every route
//   with that set; a route with a single next hop still points at a group of
//   one, so that it too can be re-pointed without touching the route;
// - routes point at groups, never at nexthops.
//
// Why: when a path dies, re-writing the few groups that contain it moves every
// route at once (prefix-independent convergence), where a table of per-route
// next hops must rewrite each route. After such a re-write two groups may hold
// the same set ({a,b,c,d} lost d and {a,b,c} already existed). They are merged
// lazily: new routes use the set's canonical group, a route on a duplicate
// moves when it changes anyway, and merge_duplicate_groups() moves the rest in
// bounded slices when the caller has time. Nothing is re-written during the
// failure itself.
//
// The same reasoning applies to a batch of changes from the speaker: when
// every route of a group moves to the same new set in one batch (a peer went
// away and its routes were recomputed), the group is re-pointed once instead.
//
// Except for groups of few routes (`repoint_routes_up_to`): replacing the
// members of a group in use makes the kernel wait for an RCU grace period
// (synchronize_net() in replace_nexthop_grp() and when a nexthop leaves a
// group) while it holds the RTNL lock, which every namespace's routing
// writes share. Measured on a loaded 2-core machine: group replace p90
// 7.4 ms, up to 1.5 s in the lab's ISP failover, against 0.07 ms for a new
// group, a route re-pointed to it or an unused group deleted
// (docs/PERFORMANCE.md "Failover side by side"). So a group with at most
// that many routes is left alone: its routes move to the set's canonical
// group (created if need be) and the old group, now unused, is deleted after.
//
// Every operation names a kernel object and carries its whole new state, so
// executing it twice is harmless and a failed one can be re-derived from the
// current model (see NetlinkFib::retry_failed()).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "fib/route.h"

namespace halink::fib {

// Kernel nexthop and group ids share one 32-bit space per network namespace
// with every other daemon's; ours start high so they do not collide with
// FRR's or `ip nexthop` typed by hand (which count up from 1).
using ObjectId = uint32_t;
inline constexpr ObjectId kDefaultFirstObjectId = 0x4861'0000;  // "Ha"

struct GroupMember {
  ObjectId next_hop = 0;
  uint16_t weight = 1;  // 1..256
  auto operator<=>(const GroupMember&) const = default;
};

struct AddNextHop {
  ObjectId id = 0;
  NextHop next_hop;  // weight unused
};
// Creates the group, or replaces the members of an existing one: the one
// write that moves every route using it.
struct SetGroup {
  ObjectId id = 0;
  std::vector<GroupMember> members;  // sorted by next_hop id
  bool created = false;
  // The member that left is deleted by a DeleteNextHop later in the same
  // plan, and the kernel removes a deleted nexthop from every group holding
  // it, waiting for one RCU grace period for all of them together
  // (remove_nexthop_from_groups()). A FIB with nexthop objects writes
  // nothing for this operation, so a dead next hop in five groups costs one
  // grace period instead of six; one without them rewrites the routes.
  bool done_by_next_hop_delete = false;
};
// Adds or replaces the route so that it uses `group`.
struct SetRoute {
  Prefix prefix;
  ObjectId group = 0;
};
struct DeleteRoute {
  Prefix prefix;
};
// Deleting a group makes the kernel delete the routes still using it; those
// are listed (non-empty only when their last next hop died).
struct DeleteGroup {
  ObjectId id = 0;
  std::vector<Prefix> routes_removed;
};
struct DeleteNextHop {
  ObjectId id = 0;
};
using FibOperation = std::variant<AddNextHop, SetGroup, SetRoute, DeleteRoute, DeleteGroup, DeleteNextHop>;
std::string to_string(const FibOperation& operation);

struct PlanError {
  Prefix prefix;
  std::string message;
};

// Operations in the order they must reach the kernel: objects are created
// before anything refers to them and deleted after nothing does.
struct Plan {
  std::vector<FibOperation> operations;
  std::vector<PlanError> errors;  // changes refused; those prefixes keep their old state
};

class NextHopGroups {
public:
  // repoint_routes_up_to: see the header comment; 0 always re-points groups.
  explicit NextHopGroups(ObjectId first_id = kDefaultFirstObjectId, size_t repoint_routes_up_to = 0);

  // Turns a change's next hops into the ones to install (a kernel FIB fills
  // in interface indexes), or says why it cannot. Called once per distinct
  // next-hop list in a plan.
  using Resolver = std::function<Result<std::vector<NextHop>>(const std::vector<NextHop>&)>;

  // The model changes at once; the caller executes the plan.
  Plan apply(std::span<const RouteChange> changes, const Resolver& resolve = {});
  Plan remove_next_hop(const NextHop& next_hop);
  // Every next hop whose interface has this name (or this ifindex, if non-zero).
  Plan remove_next_hops_via(const std::string& interface, uint32_t ifindex = 0);
  // Moves up to `max_routes` routes from duplicate groups to their set's
  // canonical group and deletes the duplicates that empty.
  Plan merge_duplicate_groups(size_t max_routes);
  // Everything removed: groups first (which removes their routes), then nexthops.
  Plan withdraw_all();

  size_t route_count() const { return routes_.size(); }
  size_t group_count() const { return groups_.size(); }
  size_t next_hop_count() const { return next_hops_.size(); }
  size_t duplicate_group_count() const;

  std::optional<ObjectId> group_of(const Prefix& prefix) const;
  const std::vector<GroupMember>* members(ObjectId group) const;  // nullptr if unknown
  const NextHop* next_hop(ObjectId id) const;                     // nullptr if unknown
  std::span<const Prefix> routes_using(ObjectId group) const;
  std::vector<NextHop> next_hops_of(ObjectId group) const;  // with weights, in member order
  std::optional<ObjectId> next_hop_id(const NextHop& next_hop) const;
  std::vector<FibRoute> routes() const;
  std::vector<ObjectId> group_ids() const;
  std::vector<ObjectId> next_hop_ids() const;

private:
  struct NextHopEntry {
    NextHop next_hop;  // weight 0: the key
    uint32_t groups_using = 0;
  };
  struct GroupEntry {
    std::vector<GroupMember> members;
    std::vector<Prefix> routes;  // RouteEntry::position indexes this
  };
  struct RouteEntry {
    ObjectId group;
    uint32_t position;
    uint32_t counted_in_plan = 0;  // see retarget_whole_groups()
  };
  // A change's next-hop set in canonical form: sorted paths, weights summed
  // for repeated paths and clamped to 1..256.
  using WantedSet = std::vector<NextHop>;
  // The speaker sends long runs of routes with the same next hops, so each
  // distinct list is canonicalised, validated and resolved to nexthop ids
  // once per plan rather than once per route.
  struct SetLookup {
    Family family;
    std::vector<NextHop> input;
    WantedSet wanted;
    std::optional<std::string> error;
    std::optional<std::vector<GroupMember>> members;  // valid while generation matches
    uint64_t generation = ~uint64_t(0);
  };
  struct SetLookupHash {
    size_t operator()(const std::pair<Family, const std::vector<NextHop>*>& key) const;
  };
  struct SetLookupEqual {
    bool operator()(const std::pair<Family, const std::vector<NextHop>*>& a,
                    const std::pair<Family, const std::vector<NextHop>*>& b) const {
      return a.first == b.first && *a.second == *b.second;
    }
  };

  void begin_plan(const Resolver* resolve = nullptr);
  size_t lookup(const Prefix& prefix, const std::vector<NextHop>& next_hops);
  const std::optional<std::vector<GroupMember>>& current_members(SetLookup& set);
  ObjectId group_for(SetLookup& set, Plan& plan);
  ObjectId allocate_id();
  void release_id(ObjectId id);
  std::optional<std::string> validate(const Prefix& prefix, const WantedSet& wanted) const;
  std::optional<std::vector<GroupMember>> existing_members(const WantedSet& wanted) const;
  std::vector<GroupMember> ensure_members(const WantedSet& wanted, Plan& plan);
  ObjectId canonical_group(const WantedSet& wanted, Plan& plan);
  void set_members(ObjectId group, std::vector<GroupMember> members, Plan& plan,
                   bool done_by_next_hop_delete = false);
  void attach_route(const Prefix& prefix, ObjectId group);
  void detach_route(const Prefix& prefix, const RouteEntry& entry);
  void unindex_group(ObjectId group, const std::vector<GroupMember>& members);
  void index_group_if_first(ObjectId group, const std::vector<GroupMember>& members);
  void release_next_hop(ObjectId id, Plan& plan);
  void delete_unused_groups(Plan& plan);
  void retarget_whole_groups(std::span<const RouteChange> changes, Plan& plan);
  ObjectId group_with_members(const std::vector<GroupMember>& members, Plan& plan);
  void move_routes(ObjectId from, ObjectId to, Plan& plan);

  size_t repoint_routes_up_to_;

  ObjectId next_id_;
  std::vector<ObjectId> free_ids_;
  // Ids freed while planning are reusable only by the next plan: a delete
  // and an add of the same id in one plan would race in the kernel.
  std::vector<ObjectId> released_ids_;

  std::unordered_map<ObjectId, NextHopEntry> next_hops_;
  std::map<NextHop, ObjectId> next_hop_by_path_;
  std::unordered_map<ObjectId, GroupEntry> groups_;
  std::map<std::vector<GroupMember>, ObjectId> canonical_group_;
  std::unordered_map<Prefix, RouteEntry> routes_;
  std::vector<ObjectId> maybe_unused_groups_;

  uint32_t plan_number_ = 0;
  uint64_t generation_ = 0;  // bumped whenever a nexthop object comes or goes
  std::deque<SetLookup> set_lookups_;  // this plan's distinct next-hop lists (stable addresses: the index points into them)
  std::unordered_map<std::pair<Family, const std::vector<NextHop>*>, size_t, SetLookupHash, SetLookupEqual>
      set_lookup_index_;
  size_t last_lookup_ = ~size_t(0);
  const Resolver* resolve_ = nullptr;  // this plan's, if any
};

}  // namespace halink::fib
