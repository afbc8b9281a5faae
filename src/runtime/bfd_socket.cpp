#include "runtime/bfd_socket.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bfd/transport.h"

namespace halink::runtime {
namespace {

Error os_error(const std::string& what) { return Error{what + ": " + std::strerror(errno)}; }

class FdGuard {  // closes on error paths
public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  int get() const { return fd_; }

private:
  int fd_;
};

Status set_int(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) return os_error(what);
  return {};
}

int domain_of(Family f) { return f == Family::ipv4 ? AF_INET : AF_INET6; }

IpAddress address_of(const sockaddr_storage& s, uint16_t* port) {
  if (s.ss_family == AF_INET) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(&s);
    if (port) *port = ntohs(sin->sin_port);
    return IpAddress::from_bytes(Family::ipv4, {reinterpret_cast<const uint8_t*>(&sin->sin_addr), 4});
  }
  auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&s);
  if (port) *port = ntohs(sin6->sin6_port);
  // An IPv4-mapped source cannot arrive: IPv6 sockets here are v6-only.
  return IpAddress::from_bytes(Family::ipv6, {reinterpret_cast<const uint8_t*>(&sin6->sin6_addr), 16});
}

}  // namespace

socklen_t bfd_sockaddr(const IpAddress& address, uint16_t port, const std::string& interface, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (address.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, address.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  std::memcpy(&sin6->sin6_addr, address.bytes().data(), 16);
  if (address.is_link_local() && !interface.empty()) sin6->sin6_scope_id = if_nametoindex(interface.c_str());
  return sizeof(sockaddr_in6);
}

Result<int> open_bfd_listener(Family family, uint16_t port) {
  FdGuard fd(socket(domain_of(family), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (fd.get() < 0) return os_error("BFD socket");
  if (auto s = set_int(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"); !s) return s.error();
  if (family == Family::ipv4) {
    if (auto s = set_int(fd.get(), IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL"); !s) return s.error();
    if (auto s = set_int(fd.get(), IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO"); !s) return s.error();
  } else {
    if (auto s = set_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY"); !s) return s.error();
    if (auto s = set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT"); !s) return s.error();
    if (auto s = set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO"); !s) return s.error();
  }
  sockaddr_storage any;
  IpAddress wildcard = family == Family::ipv4 ? IpAddress() : IpAddress::from_bytes(Family::ipv6, std::array<uint8_t, 16>{});
  socklen_t len = bfd_sockaddr(wildcard, port, {}, any);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&any), len) != 0)
    return os_error("bind BFD port " + std::to_string(port));
  return fd.release();
}

Result<BfdSender> open_bfd_sender(const BfdSenderOptions& options) {
  Family family = options.peer.family();
  FdGuard fd(socket(domain_of(family), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (fd.get() < 0) return os_error("BFD socket");
  if (family == Family::ipv4) {
    if (auto s = set_int(fd.get(), IPPROTO_IP, IP_TTL, bfd::transmit_ttl, "IP_TTL"); !s) return s.error();
    if (auto s = set_int(fd.get(), IPPROTO_IP, IP_FREEBIND, 1, "IP_FREEBIND"); !s) return s.error();
  } else {
    if (auto s = set_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY"); !s) return s.error();
    if (auto s = set_int(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, bfd::transmit_ttl, "IPV6_UNICAST_HOPS"); !s)
      return s.error();
    if (auto s = set_int(fd.get(), IPPROTO_IPV6, IPV6_FREEBIND, 1, "IPV6_FREEBIND"); !s) return s.error();
  }
  if (!options.interface.empty() &&
      setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, options.interface.c_str(),
                 socklen_t(options.interface.size())) != 0)
    return os_error("SO_BINDTODEVICE " + options.interface);
  IpAddress local = options.local_address.value_or(
      family == Family::ipv4 ? IpAddress() : IpAddress::from_bytes(Family::ipv6, std::array<uint8_t, 16>{}));
  // RFC 5881 §4: the source port comes from 49152..65535. Walk the range from
  // the hint so that sessions spread over it and a busy port is skipped.
  const uint32_t range = uint32_t(bfd::source_port_max) - bfd::source_port_min + 1;
  uint32_t start = options.port_hint < bfd::source_port_min ? 0 : options.port_hint - bfd::source_port_min;
  for (uint32_t i = 0; i < range; ++i) {
    uint16_t port = uint16_t(bfd::source_port_min + (start + i) % range);
    sockaddr_storage addr;
    socklen_t len = bfd_sockaddr(local, port, options.interface, addr);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0) return BfdSender{fd.release(), port};
    if (errno != EADDRINUSE) return os_error("bind BFD source " + local.to_string());
  }
  return Error{"no free BFD source port in 49152..65535"};
}

std::optional<ReceivedDatagram> receive_bfd_datagram(int fd, std::span<uint8_t> buffer) {
  sockaddr_storage from{};
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[256];
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(fd, &msg, 0);
  if (n < 0) return std::nullopt;
  ReceivedDatagram d;
  d.size = size_t(n);
  d.source = address_of(from, &d.source_port);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
      int ttl;
      std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
      d.ttl = uint8_t(ttl);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      d.interface_index = unsigned(info.ipi_ifindex);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      int hops;
      std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
      d.ttl = uint8_t(hops);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      d.interface_index = info.ipi6_ifindex;
    }
  }
  return d;
}

Result<IpAddress> local_address_towards(const IpAddress& peer, const std::string& interface) {
  FdGuard fd(socket(domain_of(peer.family()), SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
  if (fd.get() < 0) return os_error("socket");
  if (!interface.empty() && setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
                                       socklen_t(interface.size())) != 0)
    return os_error("SO_BINDTODEVICE " + interface);
  sockaddr_storage to;
  socklen_t len = bfd_sockaddr(peer, bfd::single_hop_control_port, interface, to);
  // connect() on UDP only selects the route and the source address.
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&to), len) != 0)
    return os_error("no route to " + peer.to_string());
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return os_error("getsockname");
  return address_of(local, nullptr);
}

std::string interface_with_address(const IpAddress& address) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::string name;
  for (ifaddrs* a = list; a && name.empty(); a = a->ifa_next) {
    if (!a->ifa_addr || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6)) continue;
    sockaddr_storage s{};
    std::memcpy(&s, a->ifa_addr, a->ifa_addr->sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
    if (address_of(s, nullptr) == address) name = a->ifa_name;
  }
  freeifaddrs(list);
  return name;
}

}  // namespace halink::runtime
