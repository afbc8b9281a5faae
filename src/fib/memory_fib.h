// A forwarding table in memory, for tests and the simulator.
//
// It runs the same nexthop-group planner as the kernel FIB and executes the
// plan against a model of the kernel's objects (nexthops, groups, routes
// pointing at groups), checking each operation the way the kernel would. So a
// test or a simulated failure sees the same write counts and the same
// prefix-independent convergence as a real router, without a kernel.
#pragma once

#include <optional>
#include <unordered_map>

#include "fib/nexthop_groups.h"
#include "fib/route.h"

namespace halink::fib {

class MemoryFib final : public Fib {
public:
  explicit MemoryFib(ObjectId first_id = kDefaultFirstObjectId);

  Status apply(std::span<const RouteChange> changes) override;
  Status remove_next_hop(const NextHop& next_hop) override;
  Status remove_next_hops_via(const std::string& interface) override;
  Status retry_failed() override { return Status::success(); }  // nothing here fails to write
  std::vector<FibRoute> routes() const override;
  FibStats stats() const override;

  // Forwarding as the kernel would do it: the longest prefix containing
  // `destination`, or nothing.
  std::optional<FibRoute> lookup(const IpAddress& destination) const;
  std::optional<FibRoute> route(const Prefix& prefix) const;
  Status merge_duplicate_groups(size_t max_routes);

  // The operations of the last call, for tests that assert how a change was
  // written (one group write on failover, no route writes).
  const std::vector<FibOperation>& last_operations() const { return last_operations_; }
  const NextHopGroups& planner() const { return planner_; }

private:
  Status execute(Plan plan);
  Status execute_removal(Plan plan);  // counts routes that lost their last next hop
  Status execute_one(const FibOperation& operation);

  NextHopGroups planner_;
  // The modelled kernel state.
  std::unordered_map<ObjectId, NextHop> kernel_next_hops_;
  std::unordered_map<ObjectId, std::vector<GroupMember>> kernel_groups_;
  std::unordered_map<Prefix, ObjectId> kernel_routes_;
  std::unordered_map<ObjectId, size_t> routes_per_group_;
  FibStats counters_;
  std::vector<FibOperation> last_operations_;
};

}  // namespace halink::fib
