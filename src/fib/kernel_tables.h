// Reading the kernel's forwarding state back over rtnetlink: routes, nexthop
// objects and interfaces as the kernel holds them. Used for stale-state
// cleanup at start-up, for `halink show fib`, and by tests that check the
// real kernel rather than our own model of it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/ip.h"
#include "core/result.h"
#include "fib/nexthop_groups.h"
#include "fib/route.h"

namespace halink::fib {

class NetlinkSocket;

struct KernelRoute {
  Prefix prefix;
  uint32_t table = 0;
  uint8_t protocol = 0;
  uint8_t type = 0;         // RTN_UNICAST, ...
  uint32_t metric = 0;      // RTA_PRIORITY
  uint32_t nexthop_id = 0;  // RTA_NH_ID; 0 for routes with inline next hops
  // Gateway, ifindex and weight of every next hop. For a route using a
  // nexthop object the kernel spells these out too (nexthop_compat_mode).
  std::vector<NextHop> next_hops;
};

struct KernelNextHop {
  uint32_t id = 0;
  uint8_t protocol = 0;
  IpAddress gateway;  // unspecified when none
  uint32_t ifindex = 0;
  bool blackhole = false;
  std::vector<GroupMember> group;  // non-empty for a group
};

Result<std::vector<KernelRoute>> dump_routes(NetlinkSocket& socket);
Result<std::vector<KernelNextHop>> dump_next_hops(NetlinkSocket& socket);
// Interface name → ifindex, as the socket's network namespace sees them.
Result<std::map<std::string, uint32_t>> dump_interfaces(NetlinkSocket& socket);

}  // namespace halink::fib
