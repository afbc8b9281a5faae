#include "lab/probe/probe_socket_address.h"

#include <netinet/in.h>

#include <cstring>

namespace halink::lab {

socklen_t to_sockaddr(const ProbeEndpoint& endpoint, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  auto bytes = endpoint.address.bytes();
  if (endpoint.address.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(endpoint.port);
    std::memcpy(&sin->sin_addr, bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(endpoint.port);
  std::memcpy(&sin6->sin6_addr, bytes.data(), 16);
  return sizeof(sockaddr_in6);
}

ProbeEndpoint from_sockaddr(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&address);
    return {IpAddress::from_bytes(Family::ipv6, std::span<const uint8_t>(sin6->sin6_addr.s6_addr, 16)),
            ntohs(sin6->sin6_port)};
  }
  const auto* sin = reinterpret_cast<const sockaddr_in*>(&address);
  return {IpAddress::v4(ntohl(sin->sin_addr.s_addr)), ntohs(sin->sin_port)};
}

}  // namespace halink::lab
