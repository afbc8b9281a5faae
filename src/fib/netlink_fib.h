// The kernel forwarding table over rtnetlink: executes the nexthop-group
// planner's operations (nexthop_groups.h) with batched, acknowledged writes.
//
// - Our routes carry our own protocol number (201 "halink" by default) and go
//   to a configurable table; nexthop objects carry it too (nhmsg.nh_protocol).
// - At start-up, routes and nexthop objects of our protocol left by an earlier
//   run are removed; routes of other protocols are never touched.
// - At exit (destruction) our routes are withdrawn unless keep_routes_on_exit
//   (for graceful restart, RFC 4724, later).
// - Kernels without nexthop objects (before 5.3, or when the probe fails)
//   get plain routes with RTA_MULTIPATH instead; a next-hop failure then
//   costs one write per route, as in any FIB without groups.
// - A refused write is reported with the route or object and the kernel's
//   words, counted, and re-sent by retry_failed() from the current model.
//
// The socket lives in the network namespace of the thread that calls open().
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "fib/kernel_tables.h"
#include "fib/netlink_socket.h"
#include "fib/nexthop_groups.h"
#include "fib/route.h"

namespace halink::fib {

inline constexpr uint8_t kHalinkRouteProtocol = 201;  // in /etc/iproute2/rt_protos.d: "201 halink"

struct NetlinkFibOptions {
  uint32_t table = 254;  // RT_TABLE_MAIN
  uint8_t protocol = kHalinkRouteProtocol;
  // RTA_PRIORITY of our routes. Distinct from the default (0 for IPv4, 1024
  // for IPv6) so that a replace never overwrites a static route for the same
  // prefix: the kernel matches routes by prefix and metric, not protocol. 20
  // is FRR's choice for BGP; the lower metric wins, so static routes stay
  // preferred as an administrator expects.
  uint32_t metric = 20;
  ObjectId first_object_id = kDefaultFirstObjectId;
  bool keep_routes_on_exit = false;
  bool remove_stale_at_start = true;
  // false: never use nexthop objects (RTA_MULTIPATH routes only).
  bool use_nexthop_objects = true;
  // A group used by at most this many routes is not replaced when its set
  // changes; its routes are re-pointed (nexthop_groups.h: a group replace
  // waits for an RCU grace period under the RTNL lock). Above it, one group
  // write moves every route (prefix-independent convergence).
  size_t repoint_routes_up_to = 64;
};

struct StartupCleanup {
  size_t routes_removed = 0;
  size_t next_hops_removed = 0;  // nexthop objects and groups
  bool nexthop_objects = true;   // false: fell back to RTA_MULTIPATH routes
  std::string fallback_reason;
};

class NetlinkFib final : public Fib {
public:
  static Result<std::unique_ptr<NetlinkFib>> open(const NetlinkFibOptions& options = {});
  ~NetlinkFib() override;

  Status apply(std::span<const RouteChange> changes) override;
  Status remove_next_hop(const NextHop& next_hop) override;
  Status remove_next_hops_via(const std::string& interface) override;
  Status retry_failed() override;
  std::vector<std::string> not_installed() const override;
  std::vector<FibRoute> routes() const override { return planner_.routes(); }
  FibStats stats() const override;

  // Removes every route and nexthop object of ours now.
  Status withdraw_all();
  Status merge_duplicate_groups(size_t max_routes);

  bool uses_nexthop_objects() const { return nexthop_objects_; }
  const StartupCleanup& startup_cleanup() const { return cleanup_; }
  const NetlinkFibOptions& options() const { return options_; }
  const NextHopGroups& planner() const { return planner_; }
  // For read-back (kernel_tables.h), after this FIB's writes completed.
  NetlinkSocket& socket() { return *socket_; }

private:
  // What one kernel request was about, to report and retry it.
  struct Subject {
    enum class Kind : uint8_t { next_hop, group, route } kind;
    ObjectId id = 0;
    Prefix prefix;
    bool is_delete = false;
  };

  NetlinkFib(const NetlinkFibOptions& options, std::unique_ptr<NetlinkSocket> socket);
  Status remove_stale_state();
  Status refresh_interfaces();
  Result<NextHop> resolve(const NextHop& next_hop) const;

  Status execute(const Plan& plan, std::vector<PlanError> errors = {});
  Status execute_removal(const Plan& plan);
  void emit(const FibOperation& operation);
  void emit_next_hop(ObjectId id, const NextHop& next_hop);
  void emit_group(ObjectId id, const std::vector<GroupMember>& members);
  void emit_route(const Prefix& prefix, ObjectId group);
  void emit_route_delete(const Prefix& prefix, uint32_t metric);
  void emit_object_delete(Subject::Kind kind, ObjectId id);
  Status collect_outcome(std::vector<PlanError> errors);
  std::string describe(const Subject& subject) const;

  NetlinkFibOptions options_;
  std::unique_ptr<NetlinkSocket> socket_;
  NextHopGroups planner_;
  bool nexthop_objects_ = true;
  StartupCleanup cleanup_;
  std::map<std::string, uint32_t> interface_index_;
  std::map<uint32_t, std::string> interface_name_;
  std::vector<Subject> subjects_;  // one per request since the last flush
  // Objects whose last write failed, with the kernel's words; retry_failed()
  // re-syncs them from the model.
  std::map<ObjectId, std::string> failed_next_hops_;
  std::map<ObjectId, std::string> failed_groups_;
  std::map<Prefix, std::string> failed_routes_;
  // Changes the planner refused (e.g. the next hop's interface does not
  // exist yet): the desired state is kept and applied again by retry_failed().
  struct Refused {
    RouteChange change;
    std::string reason;
  };
  std::map<Prefix, Refused> refused_changes_;
  FibStats counters_;
};

}  // namespace halink::fib
