#include "runtime/link_monitor.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/bgp_socket.h"

namespace halink::runtime {

LinkMonitor::LinkMonitor(EventLoop& loop, Listener listener) : loop_(loop), listener_(std::move(listener)) {}

LinkMonitor::~LinkMonitor() {
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    close(fd_);
  }
}

Status LinkMonitor::start() {
  fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd_ < 0) return Error{"netlink socket: " + errno_text(errno)};
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_LINK;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return Error{"netlink bind: " + errno_text(errno)};
  return request_dump();
}

Status LinkMonitor::request_dump() {
  // Replies arrive on the same socket as events.
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = 1;
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  if (send(fd_, nlh, nlh->nlmsg_len, 0) < 0) return Error{"netlink dump: " + errno_text(errno)};
  if (!watching_) loop_.watch(fd_, EPOLLIN, [this](uint32_t) { on_readable(); });
  watching_ = true;
  return {};
}

void LinkMonitor::on_readable() {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  while (true) {
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      // Events were lost: the kernel's view is the truth, so ask again.
      if (n < 0 && errno == ENOBUFS) (void)request_dump();
      return;
    }
    int left = int(n);
    for (auto* nlh = reinterpret_cast<nlmsghdr*>(buf); mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
      handle_message(nlh);
  }
}

void LinkMonitor::handle_message(const void* message) {
  auto* nlh = static_cast<const nlmsghdr*>(message);
  if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return;
  auto* ifm = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  LinkState state;
  state.index = ifm->ifi_index;
  auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(*ifm)));
  auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (; mnl_attr_ok(attr, int(tail - reinterpret_cast<const char*>(attr))); attr = mnl_attr_next(attr))
    if (mnl_attr_get_type(attr) == IFLA_IFNAME) state.name = mnl_attr_get_str(attr);
  state.up = nlh->nlmsg_type == RTM_NEWLINK && (ifm->ifi_flags & IFF_UP) && (ifm->ifi_flags & IFF_RUNNING);
  auto it = by_index_.find(state.index);
  bool changed = it == by_index_.end() || it->second.up != state.up || it->second.name != state.name;
  if (nlh->nlmsg_type == RTM_DELLINK) {
    if (it != by_index_.end()) by_index_.erase(it);
  } else {
    by_index_[state.index] = state;
  }
  if (changed) listener_(state);
}

bool LinkMonitor::is_up(const std::string& name) const {
  for (auto& [index, state] : by_index_)
    if (state.name == name) return state.up;
  return false;
}

int LinkMonitor::index_of(const std::string& name) const {
  for (auto& [index, state] : by_index_)
    if (state.name == name) return index;
  return 0;
}

}  // namespace halink::runtime
