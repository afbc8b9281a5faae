#include "fib/memory_fib.h"

#include <algorithm>

namespace halink::fib {

MemoryFib::MemoryFib(ObjectId first_id) : planner_(first_id) {}

Status MemoryFib::apply(std::span<const RouteChange> changes) { return execute(planner_.apply(changes)); }

Status MemoryFib::remove_next_hop(const NextHop& next_hop) { return execute_removal(planner_.remove_next_hop(next_hop)); }

Status MemoryFib::remove_next_hops_via(const std::string& interface) {
  return execute_removal(planner_.remove_next_hops_via(interface));
}

Status MemoryFib::execute_removal(Plan plan) {
  for (const FibOperation& operation : plan.operations)
    if (auto* removal = std::get_if<DeleteGroup>(&operation))
      counters_.routes_lost_with_last_next_hop += removal->routes_removed.size();
  return execute(std::move(plan));
}

Status MemoryFib::merge_duplicate_groups(size_t max_routes) {
  return execute(planner_.merge_duplicate_groups(max_routes));
}

Status MemoryFib::execute(Plan plan) {
  std::string problems;
  size_t problem_count = 0;
  auto note = [&](const std::string& text) {
    if (++problem_count <= 3) problems += (problems.empty() ? "" : "; ") + text;
  };
  for (const PlanError& error : plan.errors) note(error.prefix.to_string() + ": " + error.message);
  for (const FibOperation& operation : plan.operations) {
    Status status = execute_one(operation);
    if (!status) {
      ++counters_.failed_writes;
      note(to_string(operation) + ": " + status.message());
    }
  }
  last_operations_ = std::move(plan.operations);
  if (problem_count == 0) return Status::success();
  if (problem_count > 3) problems += " (and " + std::to_string(problem_count - 3) + " more)";
  return Error{problems};
}

// The checks are the kernel's (net/ipv4/nexthop.c): ids unique, groups refer
// to existing plain nexthops, routes to existing groups, nothing deleted while
// a group still holds it.
Status MemoryFib::execute_one(const FibOperation& operation) {
  if (auto* op = std::get_if<AddNextHop>(&operation)) {
    ++counters_.next_hop_writes;
    if (kernel_next_hops_.count(op->id) || kernel_groups_.count(op->id)) return Error{"id exists"};
    kernel_next_hops_.emplace(op->id, op->next_hop);
  } else if (auto* op = std::get_if<SetGroup>(&operation)) {
    // Not a write of its own in the kernel: the nexthop delete that follows does it.
    if (!op->done_by_next_hop_delete) ++counters_.group_writes;
    if (op->members.empty()) return Error{"empty group"};
    for (const GroupMember& m : op->members)
      if (!kernel_next_hops_.count(m.next_hop)) return Error{"member " + std::to_string(m.next_hop) + " missing"};
    if (op->created == (kernel_groups_.count(op->id) > 0)) return Error{op->created ? "group exists" : "no such group"};
    kernel_groups_[op->id] = op->members;
  } else if (auto* op = std::get_if<SetRoute>(&operation)) {
    ++counters_.route_writes;
    if (!kernel_groups_.count(op->group)) return Error{"no such group"};
    auto [it, added] = kernel_routes_.try_emplace(op->prefix, op->group);
    if (!added) --routes_per_group_[it->second];
    it->second = op->group;
    ++routes_per_group_[op->group];
  } else if (auto* op = std::get_if<DeleteRoute>(&operation)) {
    ++counters_.route_writes;
    auto it = kernel_routes_.find(op->prefix);
    if (it == kernel_routes_.end()) return Error{"no such route"};
    --routes_per_group_[it->second];
    kernel_routes_.erase(it);
  } else if (auto* op = std::get_if<DeleteGroup>(&operation)) {
    ++counters_.group_writes;
    if (kernel_groups_.erase(op->id) == 0) return Error{"no such group"};
    // The kernel removes every route still using the group; the plan must
    // have known which ones.
    size_t using_group = routes_per_group_[op->id];
    routes_per_group_.erase(op->id);
    for (const Prefix& prefix : op->routes_removed) {
      auto it = kernel_routes_.find(prefix);
      if (it != kernel_routes_.end() && it->second == op->id) kernel_routes_.erase(it);
    }
    if (using_group != op->routes_removed.size()) return Error{"group had routes the plan did not list"};
  } else if (auto* op = std::get_if<DeleteNextHop>(&operation)) {
    ++counters_.next_hop_writes;
    for (const auto& [id, members] : kernel_groups_)
      for (const GroupMember& m : members)
        if (m.next_hop == op->id) return Error{"still in group " + std::to_string(id)};
    if (kernel_next_hops_.erase(op->id) == 0) return Error{"no such nexthop"};
  }
  return Status::success();
}

std::optional<FibRoute> MemoryFib::route(const Prefix& prefix) const {
  auto it = kernel_routes_.find(prefix);
  if (it == kernel_routes_.end()) return std::nullopt;
  FibRoute result{prefix, {}};
  for (const GroupMember& m : kernel_groups_.at(it->second)) {
    NextHop next_hop = kernel_next_hops_.at(m.next_hop);
    next_hop.weight = m.weight;
    result.next_hops.push_back(std::move(next_hop));
  }
  std::sort(result.next_hops.begin(), result.next_hops.end());
  return result;
}

std::optional<FibRoute> MemoryFib::lookup(const IpAddress& destination) const {
  for (int length = address_bits(destination.family()); length >= 0; --length) {
    if (auto found = route(Prefix::make_masked(destination, length))) return found;
  }
  return std::nullopt;
}

std::vector<FibRoute> MemoryFib::routes() const {
  std::vector<FibRoute> result;
  result.reserve(kernel_routes_.size());
  for (const auto& [prefix, group] : kernel_routes_) result.push_back(*route(prefix));
  std::sort(result.begin(), result.end());
  return result;
}

FibStats MemoryFib::stats() const {
  FibStats result = counters_;
  result.routes = kernel_routes_.size();
  result.groups = kernel_groups_.size();
  result.next_hops = kernel_next_hops_.size();
  return result;
}

}  // namespace halink::fib
