// FIB convergence (issue 8): N routes over 4 next hops in a fresh network
// namespace, then one next hop fails; how long until no kernel route uses it.
//
// For each N the program measures
// - install: apply() of N routes, from the call until every write is acked;
// - failover: remove_next_hop() from the call until its acks are in, and
//   until a separate netlink monitor socket (RTNLGRP_NEXTHOP) has seen the
//   group re-pointed and the dead nexthop deleted;
// - a dump of the kernel's routes afterwards proves that none uses the dead
//   gateway (its duration is shown, not counted: it is a check);
// - the same failover without nexthop groups (RTA_MULTIPATH routes, one
//   write per route), as a FIB without groups does it;
// - withdraw at exit.
// Needs root. Usage: fib_bench [max_routes [groups]] (default 1000000; with
// "groups", skip the RTA_MULTIPATH comparison).
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "fib/kernel_tables.h"
#include "fib/netlink_fib.h"
#include "fib/scratch_namespace.h"

using namespace halink;
using namespace halink::fib;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start, Clock::time_point end = Clock::now()) {
  return std::chrono::duration<double, std::milli>(end - start).count();
}

std::vector<RouteChange> routes_over(size_t count, const std::vector<NextHop>& next_hops) {
  std::vector<RouteChange> changes;
  changes.reserve(count);
  // 11.0.0.0/24, 11.0.1.0/24, ...: a million /24s fit below 27.0.0.0.
  for (size_t i = 0; i < count; ++i)
    changes.push_back({Prefix::make_masked(IpAddress::v4(0x0B00'0000u + uint32_t(i << 8)), 24), next_hops});
  return changes;
}

// Watches nexthop notifications from its own socket, the way an outside
// observer (or `ip monitor nexthop`) sees the kernel change.
class NexthopMonitor {
public:
  bool open() {
    socket_ = mnl_socket_open(NETLINK_ROUTE);
    if (!socket_ || mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) < 0) return false;
    int group = RTNLGRP_NEXTHOP;
    return mnl_socket_setsockopt(socket_, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) == 0;
  }
  ~NexthopMonitor() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (socket_) mnl_socket_close(socket_);
  }
  void start() { thread_ = std::thread([this] { run(); }); }
  // Records when group `group` is replaced and nexthop `dead` deleted.
  void watch(uint32_t group, uint32_t dead) {
    seen_group_ = false;
    seen_dead_ = false;
    group_ = group;
    dead_ = dead;
  }
  bool wait(std::chrono::milliseconds limit) {
    auto until = Clock::now() + limit;
    while (!(seen_group_ && seen_dead_) && Clock::now() < until) std::this_thread::sleep_for(std::chrono::microseconds(50));
    return seen_group_ && seen_dead_;
  }
  Clock::time_point group_time, dead_time;

private:
  void run() {
    std::vector<char> buffer(1 << 16);
    int fd = mnl_socket_get_fd(socket_);
    timeval timeout{0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    while (!stop_) {
      ssize_t n = mnl_socket_recvfrom(socket_, buffer.data(), buffer.size());
      if (n <= 0) continue;
      auto now = Clock::now();
      auto* message = reinterpret_cast<nlmsghdr*>(buffer.data());
      int remaining = int(n);
      for (; mnl_nlmsg_ok(message, remaining); message = mnl_nlmsg_next(message, &remaining)) {
        uint32_t id = 0;
        mnl_attr_parse(
            message, sizeof(nhmsg),
            [](const nlattr* attribute, void* data) {
              if (mnl_attr_get_type(attribute) == NHA_ID) *static_cast<uint32_t*>(data) = mnl_attr_get_u32(attribute);
              return MNL_CB_OK;
            },
            &id);
        if (message->nlmsg_type == RTM_NEWNEXTHOP && id == group_.load() && !seen_group_) {
          group_time = now;
          seen_group_ = true;
        }
        if (message->nlmsg_type == RTM_DELNEXTHOP && id == dead_.load() && !seen_dead_) {
          dead_time = now;
          seen_dead_ = true;
        }
      }
    }
  }
  mnl_socket* socket_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false}, seen_group_{false}, seen_dead_{false};
  std::atomic<uint32_t> group_{0}, dead_{0};
};

struct Lab {
  std::unique_ptr<ScratchNamespace> ns;
  std::vector<NextHop> tunnels;
};

Lab make_lab() {
  Lab lab;
  auto created = ScratchNamespace::create("halink-fibbench");
  if (!created) {
    std::fprintf(stderr, "%s\n", created.message().c_str());
    std::exit(1);
  }
  lab.ns = std::move(*created);
  for (int i = 0; i < 4; ++i) {
    // Appending, not "literal" + std::string: g++ 12 -O3 warns falsely (-Wrestrict) on the latter.
    std::string index = std::to_string(i);
    std::string link = std::string("t").append(index), peer = std::string("p").append(index),
                net = std::string("10.100.").append(index);
    for (const std::string& command : {"link add " + link + " type veth peer name " + peer, "link set " + link + " up",
                                       "link set " + peer + " up", "addr add " + net + ".1/30 dev " + link}) {
      if (Status status = lab.ns->ip(command); !status) {
        std::fprintf(stderr, "%s\n", status.message().c_str());
        std::exit(1);
      }
    }
    lab.tunnels.push_back(NextHop{IpAddress::parse(net + ".2").value(), link, 0, 1});
  }
  return lab;
}

double median(std::vector<double> values) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double minimum(const std::vector<double>& values) {
  return values.empty() ? -1 : *std::min_element(values.begin(), values.end());
}

template <class T>
T must(Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "%s: %s\n", what, result.message().c_str());
    std::exit(1);
  }
  return std::move(*result);
}

void check(const Status& status, const char* what) {
  if (!status) {
    std::fprintf(stderr, "%s: %s\n", what, status.message().c_str());
    std::exit(1);
  }
}

// compat_mode: net.ipv4.nexthop_compat_mode in the namespace. 1 (the
// kernel's default) makes the kernel notify every route using a group when
// the group changes; 0 lets a group change stay a single operation.
void run(size_t count, bool nexthop_objects, int compat_mode) {
  Lab lab = make_lab();
  check(lab.ns->exec("sysctl -qw net.ipv4.nexthop_compat_mode=" + std::to_string(compat_mode)), "sysctl");
  NetlinkFibOptions options;
  options.use_nexthop_objects = nexthop_objects;
  auto fib = lab.ns->inside([&](const Status& entered) {
    check(entered, "enter namespace");
    return must(NetlinkFib::open(options), "open FIB");
  });
  auto reader = lab.ns->inside([&](const Status&) { return must(NetlinkSocket::open(), "open reader"); });
  NexthopMonitor monitor;
  bool monitoring = nexthop_objects && lab.ns->inside([&](const Status&) { return monitor.open(); });

  std::vector<RouteChange> changes = routes_over(count, lab.tunnels);
  auto start = Clock::now();
  check(fib->apply(changes), "install");
  double install_ms = ms_since(start);
  if (monitoring) monitor.start();

  // Each round: the next hop dies, then comes back (the speaker re-sends
  // every route with it, which re-points the group once more).
  const NextHop& dead = lab.tunnels[3];
  int rounds = count >= 1'000'000 ? 1 : (nexthop_objects && compat_mode == 0 ? 5 : 3);
  std::vector<double> failover, observed, restore;
  uint64_t group_writes = 0, route_writes = 0;
  double dump_ms = 0;
  for (int round = 0; round < rounds; ++round) {
    uint32_t dead_id = 0;  // the planner knows it with its ifindex filled in
    for (ObjectId id : fib->planner().next_hop_ids())
      if (fib->planner().next_hop(id)->gateway == dead.gateway) dead_id = id;
    uint32_t group_id = fib->planner().group_ids().empty() ? 0 : fib->planner().group_ids()[0];
    if (monitoring) monitor.watch(group_id, dead_id);
    FibStats before = fib->stats();
    start = Clock::now();
    check(fib->remove_next_hop(dead), "remove next hop");
    failover.push_back(ms_since(start));
    if (monitoring && monitor.wait(std::chrono::milliseconds(10000)))
      observed.push_back(ms_since(start, std::max(monitor.group_time, monitor.dead_time)));
    FibStats after = fib->stats();
    group_writes = after.group_writes - before.group_writes;
    route_writes = after.route_writes - before.route_writes;

    if (round == 0) {
      // The kernel's own tables: no route may use the dead gateway. Without
      // compat mode a route shows only its group id: look the group up.
      auto dump_start = Clock::now();
      auto routes = must(dump_routes(*reader), "dump");
      std::map<uint32_t, bool> group_uses_dead;
      if (nexthop_objects) {
        for (const KernelNextHop& object : must(dump_next_hops(*reader), "dump nexthops")) {
          bool uses = object.gateway == dead.gateway;
          for (const GroupMember& member : object.group) uses = uses || member.next_hop == dead_id;
          group_uses_dead[object.id] = uses;
        }
      }
      dump_ms = ms_since(dump_start);
      size_t ours = 0, still_using = 0;
      for (const KernelRoute& route : routes) {
        if (route.protocol != kHalinkRouteProtocol) continue;
        ++ours;
        bool uses = nexthop_objects && (!group_uses_dead.count(route.nexthop_id) || group_uses_dead[route.nexthop_id]);
        for (const NextHop& next_hop : route.next_hops) uses = uses || next_hop.gateway == dead.gateway;
        still_using += uses ? 1 : 0;
      }
      if (ours != count || still_using != 0) {
        std::fprintf(stderr, "%zu of %zu routes in the kernel, %zu still use the dead next hop\n", ours, count,
                     still_using);
        std::exit(1);
      }
    }
    if (round + 1 < rounds) {
      start = Clock::now();
      check(fib->apply(changes), "restore");
      restore.push_back(ms_since(start));
    }
  }
  changes.clear();
  changes.shrink_to_fit();

  start = Clock::now();
  fib.reset();  // withdraws everything
  double withdraw_ms = ms_since(start);

  std::printf("%-8zu %-9s %-6d %10.1f %9.0f %8.3f %8.3f %8.3f %6llu %7llu %9.1f %9.1f %9.1f\n", count,
              nexthop_objects ? "groups" : "multipath", compat_mode, install_ms, double(count) / install_ms * 1000.0,
              median(failover), minimum(failover), median(observed), (unsigned long long)group_writes,
              (unsigned long long)route_writes, median(restore), dump_ms, withdraw_ms);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "fib_bench needs root (it creates network namespaces)\n");
    return 2;
  }
  size_t max_routes = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  bool groups_only = argc > 2 && std::string(argv[2]) == "groups";
  // failover: remove_next_hop() until acked (median and best of the rounds);
  // seen: until the monitor socket saw the group change and the nexthop
  // deleted; restore: the speaker re-sending all N routes with the next hop
  // back; dump: the verifying read of the kernel tables (a check, not timed
  // as failover); every route was verified off the dead next hop.
  std::printf("%-8s %-9s %-6s %10s %9s %8s %8s %8s %6s %7s %9s %9s %9s\n", "routes", "fib", "compat", "install_ms",
              "routes/s", "fail_med", "fail_min", "seen_med", "grp_wr", "rt_wr", "restore", "dump_ms", "withdraw");
  for (size_t count : {size_t(1'000), size_t(10'000), size_t(100'000), size_t(1'000'000)}) {
    if (count > max_routes) break;
    run(count, true, 0);
    run(count, true, 1);
    if (!groups_only) run(count, false, 1);
  }
  return 0;
}
