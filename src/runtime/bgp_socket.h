// TCP sockets for BGP sessions: listener, active connect and the per-socket
// options RFC 4271 and its companions need (TTL, GTSM, TCP-MD5, binding).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/ip.h"
#include "core/result.h"


namespace halink::runtime {

constexpr uint16_t bgp_port = 179;

struct TransportOptions {
  // eBGP default TTL 1: a session must not come up over an unexpected path.
  int ttl = 1;
  // RFC 5082 GTSM: send with TTL 255 and drop anything that arrived with a
  // TTL below 255 - (hops - 1). Overrides `ttl`.
  std::optional<int> gtsm_hops;
  std::string md5_key;          // RFC 2385, empty = none
  std::string bind_interface;   // SO_BINDTODEVICE; also the scope of link-local peers
  std::optional<IpAddress> source;  // update-source
};

struct Endpoint {
  IpAddress address;
  uint16_t port = bgp_port;
  std::string interface;  // for IPv6 link-local scope
};

// Listening socket on address:port (IPv6 sockets are v6-only so that IPv4
// and IPv6 listeners can coexist).
Result<int> open_listener(const Endpoint& local);
// Starts a non-blocking connect; completion is signalled by EPOLLOUT and
// checked with connect_result().
Result<int> start_connect(const Endpoint& remote, const TransportOptions& options);
Status connect_result(int fd);
// Applies TTL/GTSM to an accepted socket (the listener cannot know the peer).
Status apply_session_options(int fd, Family family, const TransportOptions& options);
// RFC 2385: a listener must know every peer's key before the SYN arrives.
Status set_md5_key(int fd, const IpAddress& peer, const std::string& key);

// Peer and local address of a connected socket.
Result<Endpoint> remote_endpoint(int fd);
Result<Endpoint> local_endpoint(int fd);

std::string errno_text(int err);

}  // namespace halink::runtime
