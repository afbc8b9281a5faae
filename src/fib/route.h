// What the BGP speaker asks of a forwarding table, and the interface every
// forwarding table (kernel, in-memory, simulated) offers.
//
// Sans-IO: no netlink or socket headers here. The speaker, the simulator and
// the tests depend on this file; only netlink_fib.* talks to a kernel.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/ip.h"
#include "core/result.h"

namespace halink::fib {

// One way out of the router: a gateway reached through an interface.
// The interface is named, indexed, or both; a kernel FIB fills in whichever is
// missing. (gateway, interface, ifindex) identifies one kernel nexthop object;
// the weight belongs to the route's use of it, not to the object.
struct NextHop {
  IpAddress gateway;
  std::string interface;  // e.g. "wg0"; may be empty when ifindex is set
  uint32_t ifindex = 0;   // 0 = unknown, resolve from `interface`
  // Share of flows, 1..256 as in `ip nexthop ... group a,W/b,W` (the kernel
  // stores weight-1 in a byte). 0 is read as 1, above 256 as 256.
  uint16_t weight = 1;

  // Same path, weight aside: the identity of the nexthop object.
  bool same_path(const NextHop& other) const {
    return gateway == other.gateway && interface == other.interface && ifindex == other.ifindex;
  }
  auto operator<=>(const NextHop&) const = default;
  std::string to_string() const;  // "10.0.0.2 dev wg0 weight 2"
};

// The speaker's output: the complete next-hop set a prefix should use now.
// An empty set withdraws the prefix.
struct RouteChange {
  Prefix prefix;
  std::vector<NextHop> next_hops;

  bool is_withdraw() const { return next_hops.empty(); }
};

// A route as a forwarding table holds it, next hops in a stable order.
struct FibRoute {
  Prefix prefix;
  std::vector<NextHop> next_hops;

  auto operator<=>(const FibRoute&) const = default;
};

// Counters for `halink show fib` and for benchmarks. "Writes" are messages
// a kernel would receive: the figures that show prefix-independent
// convergence (one group write instead of one write per route).
struct FibStats {
  size_t routes = 0;
  size_t groups = 0;
  size_t next_hops = 0;
  uint64_t next_hop_writes = 0;  // nexthop object added or deleted
  uint64_t group_writes = 0;     // group created, re-pointed or deleted
  uint64_t route_writes = 0;     // route added, replaced or deleted
  uint64_t failed_writes = 0;    // refused by the kernel (then retried)
  uint64_t routes_lost_with_last_next_hop = 0;  // removed because no next hop was left
};

class Fib {
public:
  virtual ~Fib() = default;

  // Makes every prefix in `changes` use exactly its next-hop set (or no route
  // at all). Later changes to the same prefix win. Routes are never left
  // half-written: a failure is reported in the Status, counted in
  // failed_writes, and the table keeps trying to reach the asked-for state
  // (see retry_failed()).
  virtual Status apply(std::span<const RouteChange> changes) = 0;

  // A next hop died (BFD Down, session down, interface gone): every route
  // using it stops using it at once, with a cost independent of the number
  // of routes. Routes left with no next hop are removed. The weight in
  // `next_hop` is ignored. Unknown next hops are not an error.
  virtual Status remove_next_hop(const NextHop& next_hop) = 0;

  // remove_next_hop() for every next hop through `interface` (it went down
  // or was deleted; the link monitor knows the interface, not the gateways).
  virtual Status remove_next_hops_via(const std::string& interface) = 0;

  // Re-sends whatever the last apply()/remove_next_hop() could not write.
  virtual Status retry_failed() = 0;
  // What is not in the kernel as asked, and why ("route 10.2.0.0/16 via
  // 10.0.0.2 dev wg0: No buffer space available"), for `show fib` and
  // `show status`; empty when everything is installed.
  virtual std::vector<std::string> not_installed() const { return {}; }

  virtual std::vector<FibRoute> routes() const = 0;
  virtual FibStats stats() const = 0;
};

}  // namespace halink::fib
