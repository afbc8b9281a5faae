#include "fib/nexthop_groups.h"

#include <algorithm>
#include <iterator>
#include <unordered_set>

namespace halink::fib {
namespace {

uint16_t clamp_weight(uint32_t weight) {
  if (weight == 0) return 1;
  return uint16_t(std::min<uint32_t>(weight, 256));
}

NextHop path_of(const NextHop& next_hop) {
  NextHop key = next_hop;
  key.weight = 0;
  return key;
}

std::string members_text(const std::vector<GroupMember>& members) {
  std::string text;
  for (const GroupMember& m : members) {
    if (!text.empty()) text += '/';
    text += std::to_string(m.next_hop);
    if (m.weight != 1) text += ',' + std::to_string(m.weight);
  }
  return text;
}

}  // namespace

std::string to_string(const FibOperation& operation) {
  struct Printer {
    std::string operator()(const AddNextHop& op) const {
      return "add nexthop " + std::to_string(op.id) + " " + op.next_hop.to_string();
    }
    std::string operator()(const SetGroup& op) const {
      return std::string(op.created ? "add" : "replace") + " group " + std::to_string(op.id) + " " +
             members_text(op.members);
    }
    std::string operator()(const SetRoute& op) const {
      return "route " + op.prefix.to_string() + " nhid " + std::to_string(op.group);
    }
    std::string operator()(const DeleteRoute& op) const { return "delete route " + op.prefix.to_string(); }
    std::string operator()(const DeleteGroup& op) const {
      std::string text = "delete group " + std::to_string(op.id);
      if (!op.routes_removed.empty()) text += " with " + std::to_string(op.routes_removed.size()) + " routes";
      return text;
    }
    std::string operator()(const DeleteNextHop& op) const { return "delete nexthop " + std::to_string(op.id); }
  };
  return std::visit(Printer{}, operation);
}

NextHopGroups::NextHopGroups(ObjectId first_id, size_t repoint_routes_up_to)
    : repoint_routes_up_to_(repoint_routes_up_to), next_id_(first_id == 0 ? 1 : first_id) {}

ObjectId NextHopGroups::allocate_id() {
  if (!free_ids_.empty()) {
    ObjectId id = free_ids_.back();
    free_ids_.pop_back();
    return id;
  }
  return next_id_++;
}

void NextHopGroups::release_id(ObjectId id) { released_ids_.push_back(id); }

std::optional<std::string> NextHopGroups::validate(const Prefix& prefix, const WantedSet& wanted) const {
  for (const NextHop& next_hop : wanted) {
    if (next_hop.interface.empty() && next_hop.ifindex == 0)
      return "next hop " + next_hop.gateway.to_string() + " has no interface";
    // RFC 8950 lets IPv4 routes use IPv6 next hops; the reverse has no meaning.
    if (prefix.family() == Family::ipv6 && next_hop.gateway.is_v4() && !next_hop.gateway.is_unspecified())
      return "IPv6 route with IPv4 next hop " + next_hop.gateway.to_string();
  }
  return std::nullopt;
}

std::optional<std::vector<GroupMember>> NextHopGroups::existing_members(const WantedSet& wanted) const {
  std::vector<GroupMember> members;
  members.reserve(wanted.size());
  for (const NextHop& next_hop : wanted) {
    auto it = next_hop_by_path_.find(path_of(next_hop));
    if (it == next_hop_by_path_.end()) return std::nullopt;
    members.push_back({it->second, next_hop.weight});
  }
  std::sort(members.begin(), members.end());
  return members;
}

std::vector<GroupMember> NextHopGroups::ensure_members(const WantedSet& wanted, Plan& plan) {
  std::vector<GroupMember> members;
  members.reserve(wanted.size());
  for (const NextHop& next_hop : wanted) {
    NextHop path = path_of(next_hop);
    auto it = next_hop_by_path_.find(path);
    ObjectId id;
    if (it != next_hop_by_path_.end()) {
      id = it->second;
    } else {
      id = allocate_id();
      next_hop_by_path_.emplace(path, id);
      next_hops_.emplace(id, NextHopEntry{path, 0});
      plan.operations.push_back(AddNextHop{id, path});
      ++generation_;
    }
    members.push_back({id, next_hop.weight});
  }
  std::sort(members.begin(), members.end());
  return members;
}

ObjectId NextHopGroups::canonical_group(const WantedSet& wanted, Plan& plan) {
  return group_with_members(ensure_members(wanted, plan), plan);
}

ObjectId NextHopGroups::group_with_members(const std::vector<GroupMember>& wanted_members, Plan& plan) {
  std::vector<GroupMember> members = wanted_members;
  if (auto it = canonical_group_.find(members); it != canonical_group_.end()) return it->second;
  ObjectId id = allocate_id();
  for (const GroupMember& m : members) ++next_hops_.at(m.next_hop).groups_using;
  plan.operations.push_back(SetGroup{id, members, true});
  canonical_group_.emplace(members, id);
  groups_.emplace(id, GroupEntry{std::move(members), {}});
  maybe_unused_groups_.push_back(id);  // in case every route moves away again in this plan
  return id;
}

void NextHopGroups::unindex_group(ObjectId group, const std::vector<GroupMember>& members) {
  auto it = canonical_group_.find(members);
  if (it == canonical_group_.end() || it->second != group) return;
  canonical_group_.erase(it);
  // Promote a duplicate, if any, so the set keeps a canonical group. Groups
  // are few (one per distinct next-hop set), so a scan is cheap.
  for (const auto& [id, entry] : groups_) {
    if (id != group && entry.members == members) {
      canonical_group_.emplace(members, id);
      return;
    }
  }
}

void NextHopGroups::index_group_if_first(ObjectId group, const std::vector<GroupMember>& members) {
  canonical_group_.emplace(members, group);  // no-op when the set already has one
}

void NextHopGroups::set_members(ObjectId group, std::vector<GroupMember> members, Plan& plan,
                                bool done_by_next_hop_delete) {
  GroupEntry& entry = groups_.at(group);
  for (const GroupMember& m : members) ++next_hops_.at(m.next_hop).groups_using;
  std::vector<GroupMember> old = std::move(entry.members);
  entry.members = members;
  unindex_group(group, old);
  index_group_if_first(group, entry.members);
  plan.operations.push_back(SetGroup{group, std::move(members), false, done_by_next_hop_delete});
  for (const GroupMember& m : old) release_next_hop(m.next_hop, plan);
}

void NextHopGroups::move_routes(ObjectId from, ObjectId to, Plan& plan) {
  std::vector<Prefix>& routes = groups_.at(from).routes;
  while (!routes.empty()) {
    Prefix prefix = routes.back();
    detach_route(prefix, routes_.at(prefix));
    attach_route(prefix, to);
    plan.operations.emplace_back(SetRoute{prefix, to});
  }
  maybe_unused_groups_.push_back(from);
}

void NextHopGroups::release_next_hop(ObjectId id, Plan& plan) {
  auto it = next_hops_.find(id);
  if (it == next_hops_.end() || --it->second.groups_using > 0) return;
  next_hop_by_path_.erase(it->second.next_hop);
  next_hops_.erase(it);
  plan.operations.push_back(DeleteNextHop{id});
  ++generation_;
  release_id(id);
}

void NextHopGroups::attach_route(const Prefix& prefix, ObjectId group) {
  GroupEntry& entry = groups_.at(group);
  routes_[prefix] = RouteEntry{group, uint32_t(entry.routes.size())};
  entry.routes.push_back(prefix);
}

void NextHopGroups::detach_route(const Prefix& prefix, const RouteEntry& route) {
  (void)prefix;
  GroupEntry& entry = groups_.at(route.group);
  // Swap-remove keeps detaching O(1) for groups of a million routes.
  Prefix last = entry.routes.back();
  entry.routes[route.position] = last;
  entry.routes.pop_back();
  if (route.position < entry.routes.size()) routes_.at(last).position = route.position;
  if (entry.routes.empty()) maybe_unused_groups_.push_back(route.group);
}

void NextHopGroups::delete_unused_groups(Plan& plan) {
  std::vector<ObjectId> candidates;
  candidates.swap(maybe_unused_groups_);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (ObjectId id : candidates) {
    auto it = groups_.find(id);
    if (it == groups_.end() || !it->second.routes.empty()) continue;
    std::vector<GroupMember> members = std::move(it->second.members);
    groups_.erase(it);
    unindex_group(id, members);
    plan.operations.push_back(DeleteGroup{id, {}});
    release_id(id);
    for (const GroupMember& m : members) release_next_hop(m.next_hop, plan);
  }
}

namespace {

// The canonical form of a change's next hops; see WantedSet.
std::vector<NextHop> wanted_set(const std::vector<NextHop>& next_hops) {
  std::vector<NextHop> wanted;
  wanted.reserve(next_hops.size());
  for (const NextHop& next_hop : next_hops) {
    NextHop path = path_of(next_hop);
    path.weight = clamp_weight(next_hop.weight);
    wanted.push_back(std::move(path));
  }
  std::sort(wanted.begin(), wanted.end());
  std::vector<NextHop> merged;
  merged.reserve(wanted.size());
  for (NextHop& next_hop : wanted) {
    if (!merged.empty() && merged.back().same_path(next_hop))
      merged.back().weight = clamp_weight(uint32_t(merged.back().weight) + next_hop.weight);
    else
      merged.push_back(std::move(next_hop));
  }
  return merged;
}

}  // namespace

size_t NextHopGroups::SetLookupHash::operator()(const std::pair<Family, const std::vector<NextHop>*>& key) const {
  size_t h = size_t(key.first);
  for (const NextHop& next_hop : *key.second) {
    h = h * 1000003 ^ std::hash<IpAddress>{}(next_hop.gateway);
    h = h * 1000003 ^ std::hash<std::string>{}(next_hop.interface);
    h = h * 1000003 ^ (size_t(next_hop.ifindex) << 16 | next_hop.weight);
  }
  return h;
}

void NextHopGroups::begin_plan(const Resolver* resolve) {
  resolve_ = resolve && *resolve ? resolve : nullptr;
  free_ids_.insert(free_ids_.end(), released_ids_.begin(), released_ids_.end());
  released_ids_.clear();
  ++plan_number_;
  set_lookup_index_.clear();
  set_lookups_.clear();
  last_lookup_ = ~size_t(0);
}

size_t NextHopGroups::lookup(const Prefix& prefix, const std::vector<NextHop>& next_hops) {
  Family family = prefix.family();
  if (last_lookup_ < set_lookups_.size()) {
    const SetLookup& last = set_lookups_[last_lookup_];
    if (last.family == family && last.input == next_hops) return last_lookup_;
  }
  auto found = set_lookup_index_.find({family, &next_hops});
  if (found != set_lookup_index_.end()) return last_lookup_ = found->second;
  SetLookup set{family, next_hops, {}, std::nullopt, std::nullopt};
  if (resolve_) {
    Result<std::vector<NextHop>> resolved = (*resolve_)(next_hops);
    if (resolved) set.wanted = wanted_set(*resolved);
    else set.error = resolved.message();
  } else {
    set.wanted = wanted_set(next_hops);
  }
  if (!set.error) set.error = validate(prefix, set.wanted);
  set_lookups_.push_back(std::move(set));
  last_lookup_ = set_lookups_.size() - 1;
  // Keyed by the stored copy, which lives as long as the index.
  set_lookup_index_.emplace(std::pair{family, &set_lookups_.back().input}, last_lookup_);
  return last_lookup_;
}

const std::optional<std::vector<GroupMember>>& NextHopGroups::current_members(SetLookup& set) {
  if (set.generation != generation_) {
    set.members = existing_members(set.wanted);
    set.generation = generation_;
  }
  return set.members;
}

ObjectId NextHopGroups::group_for(SetLookup& set, Plan& plan) {
  if (const auto& members = current_members(set)) {
    if (auto it = canonical_group_.find(*members); it != canonical_group_.end()) return it->second;
  }
  return canonical_group(set.wanted, plan);
}

void NextHopGroups::retarget_whole_groups(std::span<const RouteChange> changes, Plan& plan) {
  // How many distinct installed routes of each group move to each new set.
  // A prefix is counted once (the mark), with the first set it is given; if
  // the batch changes it again, the per-route pass below still gets it right.
  std::map<std::pair<ObjectId, size_t>, size_t> moves;
  for (const RouteChange& change : changes) {
    if (change.is_withdraw()) continue;
    auto installed = routes_.find(change.prefix);
    if (installed == routes_.end() || installed->second.counted_in_plan == plan_number_) continue;
    size_t index = lookup(change.prefix, change.next_hops);
    SetLookup& set = set_lookups_[index];
    if (set.error) continue;
    ObjectId group = installed->second.group;
    const auto& members = current_members(set);
    if (members && *members == groups_.at(group).members) continue;
    installed->second.counted_in_plan = plan_number_;
    ++moves[{group, index}];
  }
  for (const auto& [move, count] : moves) {
    const auto& [group, index] = move;
    if (count != groups_.at(group).routes.size()) continue;
    // Moving a handful of routes into a group that already has the set costs
    // a few writes and leaves no duplicate behind; beyond that, one group
    // write wins. Up to repoint_routes_up_to_ they move one by one even to
    // a new group (see the header: a group replace waits for RCU).
    constexpr size_t kFewRoutes = 16;
    if (count <= repoint_routes_up_to_) continue;
    SetLookup& set = set_lookups_[index];
    const auto& members = current_members(set);
    if (count <= kFewRoutes && members && canonical_group_.count(*members)) continue;
    set_members(group, ensure_members(set.wanted, plan), plan);
  }
}

Plan NextHopGroups::apply(std::span<const RouteChange> changes, const Resolver& resolve) {
  Plan plan;
  begin_plan(&resolve);
  // One rehash, not twenty, for a full table. Only when it must grow:
  // libstdc++'s reserve() re-buckets (even shrinks) the whole map whenever
  // the prime it picks differs, which cost a quarter of the CPU of a
  // full-table load arriving in small batches (bench/fulltable profile).
  const size_t wanted = routes_.size() + changes.size();
  if (wanted > routes_.bucket_count() * routes_.max_load_factor()) routes_.reserve(wanted);
  retarget_whole_groups(changes, plan);

  for (const RouteChange& change : changes) {
    auto installed = routes_.find(change.prefix);
    if (change.is_withdraw()) {
      if (installed == routes_.end()) continue;
      detach_route(change.prefix, installed->second);
      routes_.erase(installed);
      plan.operations.push_back(DeleteRoute{change.prefix});
      continue;
    }
    SetLookup& set = set_lookups_[lookup(change.prefix, change.next_hops)];
    if (set.error) {
      plan.errors.push_back({change.prefix, *set.error});
      continue;
    }
    if (installed != routes_.end()) {
      const auto& members = current_members(set);
      if (members && *members == groups_.at(installed->second.group).members) continue;
    }
    ObjectId group = group_for(set, plan);
    if (installed != routes_.end()) detach_route(change.prefix, installed->second);
    attach_route(change.prefix, group);
    plan.operations.push_back(SetRoute{change.prefix, group});
  }
  delete_unused_groups(plan);
  return plan;
}

Plan NextHopGroups::remove_next_hop(const NextHop& dead) {
  Plan plan;
  begin_plan();
  auto path = next_hop_by_path_.find(path_of(dead));
  if (path == next_hop_by_path_.end()) return plan;
  ObjectId dead_id = path->second;

  std::vector<ObjectId> affected;
  for (const auto& [id, entry] : groups_) {
    for (const GroupMember& m : entry.members)
      if (m.next_hop == dead_id) affected.push_back(id);
  }
  std::sort(affected.begin(), affected.end());
  // Hold the dead nexthop until every group has let go of it, so that it is
  // deleted after the group writes, not between them.
  ++next_hops_.at(dead_id).groups_using;
  for (ObjectId id : affected) {
    GroupEntry& entry = groups_.at(id);
    std::vector<GroupMember> survivors;
    for (const GroupMember& m : entry.members)
      if (m.next_hop != dead_id) survivors.push_back(m);
    if (!survivors.empty() && entry.routes.size() <= repoint_routes_up_to_) {
      // Few routes: re-point them, no group replace (see the header).
      move_routes(id, group_with_members(survivors, plan), plan);
      continue;
    }
    if (!survivors.empty()) {
      set_members(id, std::move(survivors), plan, /*done_by_next_hop_delete=*/true);
      continue;
    }
    // No path left: the kernel removes the routes with the group.
    DeleteGroup removal{id, std::move(entry.routes)};
    for (const Prefix& prefix : removal.routes_removed) routes_.erase(prefix);
    std::vector<GroupMember> members = std::move(entry.members);
    groups_.erase(id);
    unindex_group(id, members);
    plan.operations.push_back(std::move(removal));
    release_id(id);
    for (const GroupMember& m : members) release_next_hop(m.next_hop, plan);
  }
  delete_unused_groups(plan);  // the groups whose few routes moved
  release_next_hop(dead_id, plan);
  return plan;
}

Plan NextHopGroups::remove_next_hops_via(const std::string& interface, uint32_t ifindex) {
  std::vector<NextHop> dead;
  for (ObjectId id : next_hop_ids()) {
    const NextHop& next_hop = next_hops_.at(id).next_hop;
    if ((!interface.empty() && next_hop.interface == interface) || (ifindex != 0 && next_hop.ifindex == ifindex))
      dead.push_back(next_hop);
  }
  Plan combined;
  for (const NextHop& next_hop : dead) {
    Plan plan = remove_next_hop(next_hop);
    std::move(plan.operations.begin(), plan.operations.end(), std::back_inserter(combined.operations));
  }
  return combined;
}

Plan NextHopGroups::merge_duplicate_groups(size_t max_routes) {
  Plan plan;
  begin_plan();
  std::vector<std::pair<ObjectId, ObjectId>> duplicates;  // (duplicate, canonical)
  for (const auto& [id, entry] : groups_) {
    ObjectId canonical = canonical_group_.at(entry.members);
    if (canonical != id) duplicates.emplace_back(id, canonical);
  }
  std::sort(duplicates.begin(), duplicates.end());
  for (const auto& [duplicate, canonical] : duplicates) {
    std::vector<Prefix>& routes = groups_.at(duplicate).routes;
    while (!routes.empty() && max_routes > 0) {
      Prefix prefix = routes.back();
      detach_route(prefix, routes_.at(prefix));
      attach_route(prefix, canonical);
      plan.operations.emplace_back(SetRoute{prefix, canonical});
      --max_routes;
    }
  }
  delete_unused_groups(plan);
  return plan;
}

Plan NextHopGroups::withdraw_all() {
  Plan plan;
  begin_plan();
  for (ObjectId id : group_ids()) {
    GroupEntry& entry = groups_.at(id);
    plan.operations.push_back(DeleteGroup{id, std::move(entry.routes)});
    release_id(id);
  }
  for (ObjectId id : next_hop_ids()) {
    plan.operations.push_back(DeleteNextHop{id});
    release_id(id);
  }
  groups_.clear();
  canonical_group_.clear();
  next_hops_.clear();
  next_hop_by_path_.clear();
  routes_.clear();
  maybe_unused_groups_.clear();
  return plan;
}

size_t NextHopGroups::duplicate_group_count() const {
  size_t count = 0;
  for (const auto& [id, entry] : groups_)
    if (canonical_group_.at(entry.members) != id) ++count;
  return count;
}

std::optional<ObjectId> NextHopGroups::group_of(const Prefix& prefix) const {
  auto it = routes_.find(prefix);
  if (it == routes_.end()) return std::nullopt;
  return it->second.group;
}

const std::vector<GroupMember>* NextHopGroups::members(ObjectId group) const {
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : &it->second.members;
}

const NextHop* NextHopGroups::next_hop(ObjectId id) const {
  auto it = next_hops_.find(id);
  return it == next_hops_.end() ? nullptr : &it->second.next_hop;
}

std::span<const Prefix> NextHopGroups::routes_using(ObjectId group) const {
  auto it = groups_.find(group);
  if (it == groups_.end()) return {};
  return it->second.routes;
}

std::vector<NextHop> NextHopGroups::next_hops_of(ObjectId group) const {
  std::vector<NextHop> result;
  const std::vector<GroupMember>* list = members(group);
  if (!list) return result;
  for (const GroupMember& m : *list) {
    NextHop next_hop = next_hops_.at(m.next_hop).next_hop;
    next_hop.weight = m.weight;
    result.push_back(std::move(next_hop));
  }
  return result;
}

std::optional<ObjectId> NextHopGroups::next_hop_id(const NextHop& next_hop) const {
  auto it = next_hop_by_path_.find(path_of(next_hop));
  if (it == next_hop_by_path_.end()) return std::nullopt;
  return it->second;
}

std::vector<FibRoute> NextHopGroups::routes() const {
  std::vector<FibRoute> result;
  result.reserve(routes_.size());
  std::unordered_map<ObjectId, std::vector<NextHop>> cache;
  for (const auto& [prefix, entry] : routes_) {
    auto it = cache.find(entry.group);
    if (it == cache.end()) {
      std::vector<NextHop> next_hops = next_hops_of(entry.group);
      std::sort(next_hops.begin(), next_hops.end());
      it = cache.emplace(entry.group, std::move(next_hops)).first;
    }
    result.push_back({prefix, it->second});
  }
  std::sort(result.begin(), result.end());
  return result;
}

std::vector<ObjectId> NextHopGroups::group_ids() const {
  std::vector<ObjectId> ids;
  for (const auto& [id, entry] : groups_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<ObjectId> NextHopGroups::next_hop_ids() const {
  std::vector<ObjectId> ids;
  for (const auto& [id, entry] : next_hops_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace halink::fib
