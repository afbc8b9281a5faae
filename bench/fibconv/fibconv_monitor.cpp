// FIB convergence monitor (issue 8, "FIB convergence"): fails one next hop
// and tells how long the routing daemon took until no kernel route uses it.
//
// Runs inside the namespace of the daemon under test. It subscribes to
// RTNLGRP_IPV4_ROUTE and RTNLGRP_NEXTHOP, dumps the routes and nexthop
// objects into a model, then causes the failure: it sets the failed interface
// down itself (RTM_NEWLINK without IFF_UP, so the start time is taken right
// before that write and not around a fork of ip(8)), or runs a command (a
// feeder shutting its BGP session: a failure the kernel does not see, as with
// BFD Down). Every route or nexthop message after it is timestamped and
// applied to the model; once none has arrived for quiet_ms the last one is
// the daemon's convergence time, and clear_ms is when the model first had no
// route forwarding over the failed interface (a route over a nexthop group
// counts through the group's members). Notifications, not periodic dumps: a
// dump of 1 M routes takes about a second, far coarser than the 10 ms goal.
// A dump at the end is the check.
//
// Output, one line: key=value pairs (events, first_ms, last_ms, clear_ms,
// routes, live_before, routes_on_failed) for scripts/bench-fib-convergence.
// With --count it only counts routes and those over two or more next hops
// (RTA_MULTIPATH, or a nexthop group with >= 2 members), so the script can
// wait for the install.
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>
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

// The kernel's forwarding state as far as the check needs it, built from a
// dump and kept current from notifications, so the moment the last route
// stops using the failed interface is known to the message (a dump of 1 M
// routes takes about a second).
struct KernelModel {
  unsigned failed_ifindex = 0;
  struct NextHopObject {
    unsigned oif = 0;
    bool dead = false;
    std::vector<uint32_t> members;  // a group's nexthop ids
  };
  // halinkd's ids start at 0x48610000, FRR's at 1: a map, not a vector.
  std::unordered_map<uint32_t, NextHopObject> objects;
  struct Route {
    uint32_t group = 0;    // RTA_NH_ID, or 0
    bool live = false;     // without a group: a live next hop on the failed interface
    bool several = false;  // without a group: over >= 2 next hops
  };
  std::unordered_map<uint64_t, Route> routes;  // by destination and length
  // Kept as routes come and go, so a count costs O(groups), not O(routes).
  std::unordered_map<uint32_t, unsigned long> routes_on_group;
  unsigned long direct_live = 0, direct_several = 0;

  void add(const Route& route, long sign) {
    if (route.group) {
      routes_on_group[route.group] += sign;
    } else {
      direct_live += sign * route.live;
      direct_several += sign * route.several;
    }
  }

  bool object_live(uint32_t id) const {
    auto it = objects.find(id);
    if (it == objects.end()) return false;
    if (it->second.members.empty()) return !it->second.dead && it->second.oif == failed_ifindex;
    for (uint32_t m : it->second.members)
      if (m != id && object_live(m)) return true;
    return false;
  }
  size_t group_size(uint32_t id) const {
    auto it = objects.find(id);
    return it == objects.end() ? 0 : std::max<size_t>(it->second.members.size(), 1);
  }
  // Routes still forwarding over the failed interface, and routes over >= 2 next hops.
  std::pair<unsigned long, unsigned long> count() const {
    unsigned long live = direct_live, several = direct_several;
    for (const auto& [group, n] : routes_on_group) {
      if (n == 0) continue;
      if (object_live(group)) live += n;
      if (group_size(group) >= 2) several += n;
    }
    return {live, several};
  }
};

// RTM_NEWROUTE / RTM_DELROUTE (dump or notification) into the model.
void note_route(KernelModel& model, const nlmsghdr* header) {
  auto* route = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(header));
  // The failed link's own connected subnet (proto kernel) stays while the link is up.
  if (route->rtm_family != AF_INET || route->rtm_table != RT_TABLE_MAIN || route->rtm_type != RTN_UNICAST ||
      route->rtm_protocol == RTPROT_KERNEL)
    return;
  uint32_t destination = 0;
  KernelModel::Route entry;
  const char* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(header));
  for (auto* attribute = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(header, sizeof(rtmsg)));
       mnl_attr_ok(attribute, static_cast<int>(end - reinterpret_cast<const char*>(attribute)));
       attribute = mnl_attr_next(attribute)) {
    switch (mnl_attr_get_type(attribute)) {
      case RTA_DST: destination = mnl_attr_get_u32(attribute); break;
      case RTA_OIF:
        entry.live |= mnl_attr_get_u32(attribute) == model.failed_ifindex && (route->rtm_flags & RTNH_F_DEAD) == 0;
        break;
      case RTA_NH_ID: entry.group = mnl_attr_get_u32(attribute); break;
      case RTA_MULTIPATH: {
        auto* hop = static_cast<const rtnexthop*>(mnl_attr_get_payload(attribute));
        int left = mnl_attr_get_payload_len(attribute);
        entry.several |= RTNH_OK(hop, left) && left > RTNH_ALIGN(hop->rtnh_len);
        while (RTNH_OK(hop, left)) {
          entry.live |= static_cast<unsigned>(hop->rtnh_ifindex) == model.failed_ifindex &&
                        (hop->rtnh_flags & RTNH_F_DEAD) == 0;
          left -= RTNH_ALIGN(hop->rtnh_len);
          hop = RTNH_NEXT(hop);
        }
        break;
      }
      default: break;
    }
  }
  const uint64_t key = uint64_t(destination) << 8 | route->rtm_dst_len;
  auto it = model.routes.find(key);
  if (it != model.routes.end()) {
    model.add(it->second, -1);
    model.routes.erase(it);
  }
  if (header->nlmsg_type == RTM_NEWROUTE) {
    model.add(entry, +1);
    model.routes.emplace(key, entry);
  }
}

// RTM_NEWNEXTHOP / RTM_DELNEXTHOP into the model.
void note_next_hop(KernelModel& model, const nlmsghdr* header) {
  auto* nexthop = static_cast<const nhmsg*>(mnl_nlmsg_get_payload(header));
  uint32_t id = 0;
  KernelModel::NextHopObject object;
  object.dead = (nexthop->nh_flags & RTNH_F_DEAD) != 0;
  const char* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(header));
  for (auto* attribute = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(header, sizeof(nhmsg)));
       mnl_attr_ok(attribute, static_cast<int>(end - reinterpret_cast<const char*>(attribute)));
       attribute = mnl_attr_next(attribute)) {
    if (mnl_attr_get_type(attribute) == NHA_ID) id = mnl_attr_get_u32(attribute);
    if (mnl_attr_get_type(attribute) == NHA_OIF) object.oif = mnl_attr_get_u32(attribute);
    if (mnl_attr_get_type(attribute) == NHA_GROUP) {
      auto* member = static_cast<const nexthop_grp*>(mnl_attr_get_payload(attribute));
      for (size_t i = 0; i < mnl_attr_get_payload_len(attribute) / sizeof(nexthop_grp); ++i)
        object.members.push_back(member[i].id);
    }
  }
  if (header->nlmsg_type == RTM_DELNEXTHOP)
    model.objects.erase(id);
  else
    model.objects[id] = std::move(object);
}

int note_message(const nlmsghdr* header, void* data) {
  auto* model = static_cast<KernelModel*>(data);
  if (header->nlmsg_type == RTM_NEWROUTE || header->nlmsg_type == RTM_DELROUTE) note_route(*model, header);
  if (header->nlmsg_type == RTM_NEWNEXTHOP || header->nlmsg_type == RTM_DELNEXTHOP) note_next_hop(*model, header);
  return MNL_CB_OK;
}

void dump(KernelModel& model, uint16_t type, unsigned char family, size_t header_size) {
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
    int result = mnl_cb_run(buffer.data(), n, 2, mnl_socket_get_portid(socket), note_message, &model);
    if (result <= MNL_CB_STOP) break;
  }
  mnl_socket_close(socket);
}

KernelModel dump_kernel(unsigned failed_ifindex) {
  KernelModel model;
  model.failed_ifindex = failed_ifindex;
  dump(model, RTM_GETNEXTHOP, AF_UNSPEC, sizeof(nhmsg));
  dump(model, RTM_GETROUTE, AF_INET, sizeof(rtmsg));
  return model;
}

// A packet socket on the failed interface that sees the BGP NOTIFICATION
// the feeder sends when its session shuts down: the moment the daemon under
// test could first know (what BFD Down would be), so the command's own
// latency (fork, birdc) is not counted as the daemon's.
int open_notification_watch(unsigned ifindex) {
  int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
  if (fd < 0) return -1;
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_IP);
  address.sll_ifindex = static_cast<int>(ifindex);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Whether an IPv4 packet is BGP (TCP port 179) carrying a BGP NOTIFICATION
// (RFC 4271 §4.1: 16 marker octets of 0xff, length, type 3).
bool is_bgp_notification(const unsigned char* packet, size_t length) {
  if (length < 20 || (packet[0] >> 4) != 4 || packet[9] != IPPROTO_TCP) return false;
  const size_t ip_header = (packet[0] & 0x0f) * 4u;
  if (length < ip_header + 20) return false;
  const unsigned char* tcp = packet + ip_header;
  // Either side may have opened the connection.
  if ((tcp[0] << 8 | tcp[1]) != 179 && (tcp[2] << 8 | tcp[3]) != 179) return false;
  const size_t tcp_header = (tcp[12] >> 4) * 4u;
  const unsigned char* payload = tcp + tcp_header;
  const unsigned char* end = packet + length;
  for (const unsigned char* p = payload; p + 19 <= end; ++p) {
    if (std::all_of(p, p + 16, [](unsigned char c) { return c == 0xff; }) && p[18] == 3) return true;
  }
  return false;
}

// The failure as a shell command (a BGP session shut down in a feeder's
// namespace, standing in for BFD Down: both end in the same session-down
// path of every daemon), started without waiting for it.
pid_t run_command(const char* command) {
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command, static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: fibconv_monitor FAILED_IFNAME [quiet_ms [timeout_s [COMMAND]]]\n"
                 "         sets FAILED_IFNAME down, or runs COMMAND (sh -c) as the failure instead\n"
                 "       fibconv_monitor --count   (routes, and those over >= 2 next hops)\n");
    return 2;
  }
  if (std::string(argv[1]) == "--count") {
    KernelModel model = dump_kernel(0);
    std::printf("routes=%zu multipath=%lu\n", model.routes.size(), model.count().second);
    return 0;
  }
  unsigned ifindex = if_nametoindex(argv[1]);
  if (ifindex == 0) {
    std::fprintf(stderr, "no interface %s\n", argv[1]);
    return 2;
  }
  double quiet_ms = argc > 2 ? std::atof(argv[2]) : 2000;
  double timeout_s = argc > 3 ? std::atof(argv[3]) : 300;
  const char* command = argc > 4 ? argv[4] : nullptr;

  mnl_socket* monitor = open_socket(0);
  for (int group : {RTNLGRP_IPV4_ROUTE, RTNLGRP_NEXTHOP}) {
    if (mnl_socket_setsockopt(monitor, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0) {
      std::perror("membership");
      return 2;
    }
  }
  // The state before the failure; notifications that raced with the dump
  // are drained (and applied) before the clock starts.
  KernelModel model = dump_kernel(ifindex);
  std::vector<char> buffer(1 << 20);
  auto apply = [&](ssize_t n) {
    mnl_cb_run(buffer.data(), static_cast<size_t>(n), 0, 0, note_message, &model);
  };
  for (ssize_t n; (n = recv(mnl_socket_get_fd(monitor), buffer.data(), buffer.size(), MSG_DONTWAIT)) > 0;) apply(n);
  const unsigned long live_before = model.count().first;

  const int watch = command ? open_notification_watch(ifindex) : -1;
  const Clock::time_point start = Clock::now();
  pid_t child = command ? run_command(command) : (set_link_down(ifindex), 0);
  Clock::time_point first{}, last{}, clear{}, notified{};
  bool cleared = false, seen_notification = false;
  unsigned long events = 0;
  bool overrun = false;
  pollfd descriptors[2] = {{mnl_socket_get_fd(monitor), POLLIN, 0}, {watch, POLLIN, 0}};
  for (;;) {
    Clock::time_point now = Clock::now();
    Clock::time_point reference = events ? last : start;
    double left = quiet_ms - milliseconds(now - reference);
    if (left <= 0 || milliseconds(now - start) > timeout_s * 1000) break;
    if (poll(descriptors, watch >= 0 ? 2 : 1, static_cast<int>(left) + 1) <= 0) continue;
    if (watch >= 0 && (descriptors[1].revents & POLLIN)) {
      unsigned char packet[2048];
      ssize_t got = recv(watch, packet, sizeof packet, 0);
      if (!seen_notification && got > 0 && is_bgp_notification(packet, static_cast<size_t>(got))) {
        seen_notification = true;
        notified = Clock::now();
      }
    }
    if (!(descriptors[0].revents & POLLIN)) continue;
    ssize_t n = recv(descriptors[0].fd, buffer.data(), buffer.size(), 0);
    Clock::time_point received = Clock::now();
    if (n < 0) {
      overrun = true;  // ENOBUFS: messages lost (the model too), but the time is still right
      last = received;
      continue;
    }
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(header, static_cast<int>(n));
         header = mnl_nlmsg_next(header, reinterpret_cast<int*>(&n))) {
      if (header->nlmsg_type != RTM_NEWROUTE && header->nlmsg_type != RTM_DELROUTE &&
          header->nlmsg_type != RTM_NEWNEXTHOP && header->nlmsg_type != RTM_DELNEXTHOP)
        continue;
      note_message(header, &model);
      if (events++ == 0) first = received;
      last = received;
    }
    if (command && !cleared && model.count().first == 0) {
      cleared = true;
      clear = received;
    }
  }
  if (child > 0) waitpid(child, nullptr, 0);
  KernelModel after = dump_kernel(ifindex);
  const unsigned long on_failed = after.count().first;
  // clear_ms (only with COMMAND: with the link set down the kernel itself
  // stops using it at once): when the notifications left no route on the
  // failed interface; notify_ms: when the feeder's NOTIFICATION passed the
  // interface; resteer_ms: the difference, the daemon's own share.
  if (watch >= 0) close(watch);
  const double clear_ms = cleared ? milliseconds(clear - start) : -1.0;
  const double notify_ms = seen_notification ? milliseconds(notified - start) : -1.0;
  std::printf("events=%lu first_ms=%.3f last_ms=%.3f clear_ms=%.3f notify_ms=%.3f resteer_ms=%.3f overrun=%d "
              "routes=%zu live_before=%lu routes_on_failed=%lu\n",
              events, events ? milliseconds(first - start) : -1.0, events ? milliseconds(last - start) : -1.0,
              clear_ms, notify_ms, cleared && seen_notification ? clear_ms - notify_ms : -1.0, overrun ? 1 : 0,
              after.routes.size(), live_before, on_failed);
  mnl_socket_close(monitor);
  return on_failed == 0 ? 0 : 1;
}
