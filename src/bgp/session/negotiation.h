// OPEN messages: the one we send, the checks on the one we receive (RFC 4271
// §6.2, RFC 6286, RFC 6793, RFC 5492) and what both together negotiate.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bgp/session/config.h"
#include "bgp/wire/codec.h"
#include "bgp/wire/message.h"

namespace halink::bgp {

// What both OPENs together decided, fixed for the life of one session.
struct Negotiated {
  uint32_t local_as = 0;
  uint32_t remote_as = 0;
  uint32_t remote_id = 0;  // peer's BGP Identifier, host order
  // Smaller of both proposals (RFC 4271 §4.2); zero means no hold and no
  // keepalive timers.
  Duration hold_time;
  Duration keepalive_time;  // zero when hold_time is zero
  // Families both sides announced; IPv4 unicast stands in for a side that
  // sent no Multiprotocol capability (RFC 4760 §1).
  std::vector<AfiSafi> families;
  bool four_octet_as = false;           // RFC 6793
  bool route_refresh = false;           // RFC 2918
  bool enhanced_route_refresh = false;  // RFC 7313
  bool extended_message = false;        // RFC 8654
  // RFC 7911 per family, from our point of view: `receive` means the peer
  // sends us path identifiers, `send` means we send them.
  std::vector<AddPath> add_path;
  // The peer's Graceful Restart capability when both sides announced one (RFC 4724).
  std::optional<GracefulRestart> peer_graceful_restart;
  CodecContext codec;  // how to read and write this session's UPDATEs
  OpenMessage received_open;

  bool ibgp() const { return local_as == remote_as; }
  bool has_family(AfiSafi family) const;
  std::string to_string() const;  // one line for logs and `show neighbor`
};

// An OPEN we refuse: the NOTIFICATION to send and a sentence for the log.
struct OpenRejection {
  Notification notification;
  std::string reason;
};

// The keepalive interval for a negotiated hold time: a third of it (RFC
// 4271 §10), or the configured interval when that is shorter; zero when the
// hold time is zero.
Duration keepalive_interval(Duration hold_time, std::optional<Duration> configured);

// Our OPEN for `config` (RFC 4271 §4.2; My AS is AS_TRANS when the local AS
// needs 4 octets, RFC 6793 §4.1).
OpenMessage build_open(const SessionConfig& config);

// Checks `received` against `config` and negotiates with `sent`.
std::variant<Negotiated, OpenRejection> negotiate(const SessionConfig& config, const OpenMessage& sent,
                                                  const OpenMessage& received);

}  // namespace halink::bgp
