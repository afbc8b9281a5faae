// FIB convergence monitor (issue 8, "FIB convergence"): fails one next hop
// and tells how long the routing daemon took until no kernel route uses it.
//
// Runs inside the namespace of the daemon under test. It first subscribes to
// RTNLGRP_IPV4_ROUTE and RTNLGRP_NEXTHOP, then sets the failed interface down
// itself (RTM_NEWLINK without IFF_UP), so the start time is taken right before
// that write and not around a fork of ip(8). Every route or nexthop message
// after it is timestamped; once none has arrived for --quiet-ms the last one
// is the daemon's convergence time. Notifications, not periodic dumps: a dump
// of 1 M routes takes about a second, far coarser than the 10 ms goal, while
// a notification arrives per change. A dump at the end is the check: routes
// still having a live (not RTNH_F_DEAD) next hop on the failed interface.
//
// Output, one line: key=value pairs (events, first_ms, last_ms, routes,
// routes_on_failed) for scripts/bench-fib-convergence. With --count it only
// counts routes and those over two or more next hops (RTA_MULTIPATH, or a
// nexthop group with >= 2 members), so the script can wait for the install.
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double milliseconds(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

mnl_socket* open_socket(unsigned groups) {
  mnl_socket* socket = mnl_socket_open(NETLINK_ROUTE);
  if (socket == nullptr || mnl_socket_bind(socket, groups, MNL_SOCKET_AUTOPID) < 0) {
    std::perror("netlink");
    std::exit(2);
  }
  int big = 64 << 20;  // a daemon rewriting 1 M routes floods the monitor
  setsockopt(mnl_socket_get_fd(socket), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  return socket;
}

void set_link_down(unsigned ifindex) {
  mnl_socket* socket = open_socket(0);
  char buffer[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* header = mnl_nlmsg_put_header(buffer);
  header->nlmsg_type = RTM_NEWLINK;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  header->nlmsg_seq = 1;
  auto* link = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifinfomsg)));
  link->ifi_family = AF_UNSPEC;
  link->ifi_index = static_cast<int>(ifindex);
  link->ifi_change = IFF_UP;
  link->ifi_flags = 0;
  mnl_socket_sendto(socket, header, header->nlmsg_len);
  ssize_t n = mnl_socket_recvfrom(socket, buffer, sizeof buffer);
  if (n < 0 || mnl_cb_run(buffer, n, 1, mnl_socket_get_portid(socket), nullptr, nullptr) < 0) {
    std::perror("link down");
    std::exit(2);
  }
  mnl_socket_close(socket);
}

struct DumpCount {
  unsigned failed_ifindex = 0;
  unsigned long routes = 0, on_failed = 0;
  unsigned long multipath_routes = 0;  // over >= 2 next hops
  std::vector<unsigned> group_size;                       // by nexthop id
};

// Whether a route (RTA_OIF or RTA_MULTIPATH) still forwards over the failed
// interface: a next hop there without RTNH_F_DEAD.
int count_route(const nlmsghdr* header, void* data) {
  auto* count = static_cast<DumpCount*>(data);
  auto* route = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(header));
  if (route->rtm_table != RT_TABLE_MAIN || route->rtm_type != RTN_UNICAST) return MNL_CB_OK;
  ++count->routes;
  bool live = false, several_hops = false;
  const char* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(header));
  for (auto* attribute = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(header, sizeof(rtmsg)));
       mnl_attr_ok(attribute, static_cast<int>(end - reinterpret_cast<const char*>(attribute)));
       attribute = mnl_attr_next(attribute)) {
    if (mnl_attr_get_type(attribute) == RTA_OIF) {
      live |= mnl_attr_get_u32(attribute) == count->failed_ifindex &&
              (route->rtm_flags & RTNH_F_DEAD) == 0;
    } else if (mnl_attr_get_type(attribute) == RTA_NH_ID) {
      uint32_t id = mnl_attr_get_u32(attribute);
      several_hops |= id < count->group_size.size() && count->group_size[id] >= 2;
    } else if (mnl_attr_get_type(attribute) == RTA_MULTIPATH) {
      auto* hop = static_cast<const rtnexthop*>(mnl_attr_get_payload(attribute));
      int left = mnl_attr_get_payload_len(attribute);
      several_hops |= RTNH_OK(hop, left) && left > RTNH_ALIGN(hop->rtnh_len);
      while (RTNH_OK(hop, left)) {
        live |= static_cast<unsigned>(hop->rtnh_ifindex) == count->failed_ifindex &&
                (hop->rtnh_flags & RTNH_F_DEAD) == 0;
        left -= RTNH_ALIGN(hop->rtnh_len);
        hop = RTNH_NEXT(hop);
      }
    }
  }
  // Routes on a nexthop group (RTA_NH_ID) are resolved by the kernel through
  // the group, which drops a dead member itself; they are never "live" here.
  if (live) ++count->on_failed;
  if (several_hops) ++count->multipath_routes;
  return MNL_CB_OK;
}

// Members per nexthop group, so that routes on a group count as multipath.
int note_group(const nlmsghdr* header, void* data) {
  auto* count = static_cast<DumpCount*>(data);
  auto* nexthop = static_cast<const nhmsg*>(mnl_nlmsg_get_payload(header));
  (void)nexthop;
  uint32_t id = 0;
  unsigned members = 0;
  const char* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(header));
  for (auto* attribute = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(header, sizeof(nhmsg)));
       mnl_attr_ok(attribute, static_cast<int>(end - reinterpret_cast<const char*>(attribute)));
       attribute = mnl_attr_next(attribute)) {
    if (mnl_attr_get_type(attribute) == NHA_ID) id = mnl_attr_get_u32(attribute);
    if (mnl_attr_get_type(attribute) == NHA_GROUP)
      members = mnl_attr_get_payload_len(attribute) / sizeof(nexthop_grp);
  }
  if (id < (1u << 24)) {
    if (count->group_size.size() <= id) count->group_size.resize(id + 1);
    count->group_size[id] = members;
  }
  return MNL_CB_OK;
}

void dump(DumpCount& count, uint16_t type, unsigned char family, size_t header_size, mnl_cb_t callback) {
  mnl_socket* socket = open_socket(0);
  std::vector<char> buffer(1 << 20);
  nlmsghdr* header = mnl_nlmsg_put_header(buffer.data());
  header->nlmsg_type = type;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header->nlmsg_seq = 2;
  auto* family_byte = static_cast<unsigned char*>(mnl_nlmsg_put_extra_header(header, header_size));
  family_byte[0] = family;  // rtm_family and nh_family are both the first byte
  mnl_socket_sendto(socket, header, header->nlmsg_len);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(socket, buffer.data(), buffer.size());
    if (n <= 0) break;
    int result = mnl_cb_run(buffer.data(), n, 2, mnl_socket_get_portid(socket), callback, &count);
    if (result <= MNL_CB_STOP) break;
  }
  mnl_socket_close(socket);
}

DumpCount dump_routes(unsigned failed_ifindex) {
  DumpCount count;
  count.failed_ifindex = failed_ifindex;
  dump(count, RTM_GETNEXTHOP, AF_UNSPEC, sizeof(nhmsg), note_group);
  dump(count, RTM_GETROUTE, AF_INET, sizeof(rtmsg), count_route);
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: fibconv_monitor FAILED_IFNAME [quiet_ms [timeout_s]]\n"
                 "       fibconv_monitor --count   (routes, and those over >= 2 next hops)\n");
    return 2;
  }
  if (std::string(argv[1]) == "--count") {
    DumpCount count = dump_routes(0);
    std::printf("routes=%lu multipath=%lu\n", count.routes, count.multipath_routes);
    return 0;
  }
  unsigned ifindex = if_nametoindex(argv[1]);
  if (ifindex == 0) {
    std::fprintf(stderr, "no interface %s\n", argv[1]);
    return 2;
  }
  double quiet_ms = argc > 2 ? std::atof(argv[2]) : 2000;
  double timeout_s = argc > 3 ? std::atof(argv[3]) : 300;

  mnl_socket* monitor = open_socket(0);
  for (int group : {RTNLGRP_IPV4_ROUTE, RTNLGRP_NEXTHOP}) {
    if (mnl_socket_setsockopt(monitor, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0) {
      std::perror("membership");
      return 2;
    }
  }
  std::vector<char> buffer(1 << 20);
  const Clock::time_point start = Clock::now();
  set_link_down(ifindex);
  Clock::time_point first{}, last{};
  unsigned long events = 0;
  bool overrun = false;
  pollfd descriptor{mnl_socket_get_fd(monitor), POLLIN, 0};
  for (;;) {
    Clock::time_point now = Clock::now();
    Clock::time_point reference = events ? last : start;
    double left = quiet_ms - milliseconds(now - reference);
    if (left <= 0 || milliseconds(now - start) > timeout_s * 1000) break;
    if (poll(&descriptor, 1, static_cast<int>(left) + 1) <= 0) continue;
    ssize_t n = recv(descriptor.fd, buffer.data(), buffer.size(), 0);
    Clock::time_point received = Clock::now();
    if (n < 0) {
      overrun = true;  // ENOBUFS: messages lost, but the time is still right
      last = received;
      continue;
    }
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(header, static_cast<int>(n));
         header = mnl_nlmsg_next(header, reinterpret_cast<int*>(&n))) {
      if (header->nlmsg_type != RTM_NEWROUTE && header->nlmsg_type != RTM_DELROUTE &&
          header->nlmsg_type != RTM_NEWNEXTHOP && header->nlmsg_type != RTM_DELNEXTHOP)
        continue;
      if (events++ == 0) first = received;
      last = received;
    }
  }
  DumpCount count = dump_routes(ifindex);
  std::printf("events=%lu first_ms=%.3f last_ms=%.3f overrun=%d routes=%lu routes_on_failed=%lu\n", events,
              events ? milliseconds(first - start) : -1.0, events ? milliseconds(last - start) : -1.0,
              overrun ? 1 : 0, count.routes, count.on_failed);
  mnl_socket_close(monitor);
  return count.on_failed == 0 ? 0 : 1;
}
