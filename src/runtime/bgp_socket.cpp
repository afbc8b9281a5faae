#include "runtime/bgp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace halink::runtime {
namespace {

socklen_t to_sockaddr(const Endpoint& e, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (e.address.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(e.port);
    std::memcpy(&sin->sin_addr, e.address.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(e.port);
  std::memcpy(&sin6->sin6_addr, e.address.bytes().data(), 16);
  if (e.address.is_link_local() && !e.interface.empty()) sin6->sin6_scope_id = if_nametoindex(e.interface.c_str());
  return sizeof(sockaddr_in6);
}

Endpoint from_sockaddr(const sockaddr_storage& s) {
  Endpoint e;
  if (s.ss_family == AF_INET) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(&s);
    e.address = IpAddress::from_bytes(Family::ipv4, {reinterpret_cast<const uint8_t*>(&sin->sin_addr), 4});
    e.port = ntohs(sin->sin_port);
  } else {
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&s);
    e.address = IpAddress::from_bytes(Family::ipv6, {reinterpret_cast<const uint8_t*>(&sin6->sin6_addr), 16});
    e.port = ntohs(sin6->sin6_port);
    char name[IF_NAMESIZE] = {};
    if (sin6->sin6_scope_id && if_indextoname(sin6->sin6_scope_id, name)) e.interface = name;
  }
  return e;
}

Error os_error(const std::string& what) { return Error{what + ": " + errno_text(errno)}; }

Status set_int(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) return os_error(what);
  return {};
}

class FdGuard {  // closes on error paths
public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() { if (fd_ >= 0) close(fd_); }
  int release() { int fd = fd_; fd_ = -1; return fd; }
  int get() const { return fd_; }
private:
  int fd_;
};

}  // namespace

std::string errno_text(int err) { return std::strerror(err); }

Status set_md5_key(int fd, const IpAddress& peer, const std::string& key) {
  tcp_md5sig sig{};
  Endpoint e{peer, 0, {}};
  to_sockaddr(e, sig.tcpm_addr);
  if (key.size() > TCP_MD5SIG_MAXKEYLEN) return Error{"TCP-MD5 key longer than 80 bytes"};
  sig.tcpm_keylen = uint16_t(key.size());
  std::memcpy(sig.tcpm_key, key.data(), key.size());
  if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) != 0) return os_error("TCP_MD5SIG");
  return {};
}

Status apply_session_options(int fd, Family family, const TransportOptions& options) {
  bool v4 = family == Family::ipv4;
  int ttl = options.gtsm_hops ? 255 : options.ttl;
  if (auto s = set_int(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TTL : IPV6_UNICAST_HOPS, ttl, "TTL"); !s) return s;
  if (options.gtsm_hops) {
    // RFC 5082 §3: accept only packets whose TTL is at least 256 - hops.
    int min_ttl = 256 - *options.gtsm_hops;
    if (auto s = set_int(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MINTTL : IPV6_MINHOPCOUNT, min_ttl, "GTSM");
        !s)
      return s;
  }
  // Keepalives and small UPDATEs must not wait for Nagle.
  return set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
}

Result<int> open_listener(const Endpoint& local) {
  int domain = local.address.is_v4() ? AF_INET : AF_INET6;
  FdGuard fd(socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return os_error("socket");
  if (auto s = set_int(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"); !s) return s.error();
  if (domain == AF_INET6)
    if (auto s = set_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY"); !s) return s.error();
  if (!local.interface.empty() &&
      setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, local.interface.c_str(), socklen_t(local.interface.size())))
    return os_error("SO_BINDTODEVICE " + local.interface);
  sockaddr_storage sa;
  socklen_t len = to_sockaddr(local, sa);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0)
    return os_error("bind " + local.address.to_string() + " port " + std::to_string(local.port));
  if (listen(fd.get(), 64) != 0) return os_error("listen");
  return fd.release();
}

Result<int> start_connect(const Endpoint& remote, const TransportOptions& options) {
  int domain = remote.address.is_v4() ? AF_INET : AF_INET6;
  FdGuard fd(socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return os_error("socket");
  if (auto s = apply_session_options(fd.get(), remote.address.family(), options); !s) return s.error();
  if (!options.md5_key.empty())
    if (auto s = set_md5_key(fd.get(), remote.address, options.md5_key); !s) return s.error();
  if (!options.bind_interface.empty() && setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE,
                                                    options.bind_interface.c_str(),
                                                    socklen_t(options.bind_interface.size())))
    return os_error("SO_BINDTODEVICE " + options.bind_interface);
  if (options.source) {
    sockaddr_storage sa;
    socklen_t len = to_sockaddr(Endpoint{*options.source, 0, options.bind_interface}, sa);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0)
      return os_error("bind update-source " + options.source->to_string());
  }
  sockaddr_storage sa;
  socklen_t len = to_sockaddr(remote, sa);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0 && errno != EINPROGRESS)
    return os_error("connect " + remote.address.to_string());
  return fd.release();
}

Status connect_result(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return os_error("SO_ERROR");
  if (err != 0) return Error{errno_text(err)};
  return {};
}

Result<Endpoint> remote_endpoint(int fd) {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return os_error("getpeername");
  return from_sockaddr(sa);
}

Result<Endpoint> local_endpoint(int fd) {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return os_error("getsockname");
  return from_sockaddr(sa);
}

}  // namespace halink::runtime
