// UDP sockets for BFD control packets: the listeners on 3784 (RFC 5881
// single hop) and 4784 (RFC 5883 multihop), one sending socket per session,
// and recvmsg() with the TTL / Hop Limit and incoming interface every
// received packet needs for the RFC 5881 §5 (GTSM) check and demultiplexing.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/ip.h"
#include "core/result.h"

namespace halink::runtime {

// Bound to the wildcard address of `family` on `port`, non-blocking, with
// IP_RECVTTL + IP_PKTINFO (IPv4) or IPV6_RECVHOPLIMIT + IPV6_RECVPKTINFO and
// IPV6_V6ONLY (IPv6, so that both families can listen on the same port).
Result<int> open_bfd_listener(Family family, uint16_t port);

struct BfdSenderOptions {
  IpAddress peer;
  std::optional<IpAddress> local_address;  // unset: the kernel picks the source per packet
  std::string interface;                   // SO_BINDTODEVICE when set (single hop)
  // RFC 5881 §4: a source port in 49152..65535, the same for the whole
  // session; the first free one from `port_hint` on is taken.
  uint16_t port_hint = 49152;
};

// A non-blocking UDP socket sending with TTL / Hop Limit 255 (RFC 5881 §5,
// RFC 5883 §5). IP_FREEBIND lets it bind an address that a tunnel adds later.
struct BfdSender {
  int fd = -1;
  uint16_t source_port = 0;
};
Result<BfdSender> open_bfd_sender(const BfdSenderOptions& options);

// sockaddr for `address`:`port`; `interface` scopes an IPv6 link-local address.
socklen_t bfd_sockaddr(const IpAddress& address, uint16_t port, const std::string& interface, sockaddr_storage& out);

struct ReceivedDatagram {
  size_t size = 0;  // bytes written to the caller's buffer
  IpAddress source;
  uint16_t source_port = 0;
  uint8_t ttl = 0;  // 0 when the kernel gave none: single hop then drops the packet
  unsigned interface_index = 0;
};
// One recvmsg(); nullopt when nothing is waiting (EAGAIN) or on an error.
std::optional<ReceivedDatagram> receive_bfd_datagram(int fd, std::span<uint8_t> buffer);

// The source address the kernel would use towards `peer` (a connected UDP
// socket's getsockname(); nothing is sent). Fails without a route.
Result<IpAddress> local_address_towards(const IpAddress& peer, const std::string& interface);
// The interface that has `address` configured (getifaddrs), or empty.
std::string interface_with_address(const IpAddress& address);

}  // namespace halink::runtime
