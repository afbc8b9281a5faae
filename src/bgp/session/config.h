// Configuration of one BGP peer's session: a plain struct the YAML config
// parser fills and the Session constructor takes. Defaults suit a BGP session
// over a VPN tunnel (fast re-establishment, BFD doing sub-second detection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/wire/message.h"
#include "core/result.h"
#include "core/time.h"

namespace halink::bgp {

// Damping of a peer that keeps failing (RFC 4271 §8.1.1 IdleHoldTimer,
// "DampPeerOscillations"). After the n-th consecutive failure the session
// waits min(initial × 2^(n-1), maximum), jittered, in Idle before it connects
// or accepts a connection again. The failure count restarts when a session
// had stayed Established for `stable_after` before it went down, so one
// failure after hours of uptime waits only `initial`.
//
// This follows the shape OpenBGPD and BIRD use (OpenBGPD doubles its
// IdleHoldTime per error up to a cap and resets it after an Established
// period; BIRD's "error wait time min,max" grows exponentially while errors
// come closer than "error forget time"). The defaults are shorter than
// theirs (5 s / 60 s initial) because a tunnel's session should come back
// within seconds of the tunnel.
struct IdleHoldBackoff {
  Duration initial = Duration::seconds(1);
  Duration maximum = Duration::seconds(120);
  Duration stable_after = Duration::seconds(60);
};

struct SessionConfig {
  uint32_t local_as = 0;
  uint32_t router_id = 0;  // BGP Identifier, host order (RFC 6286: any non-zero value)
  uint32_t remote_as = 0;  // the peer must announce exactly this AS (4-octet aware)

  // Hold time we propose in OPEN; 0 disables hold and keepalive timers
  // (RFC 4271 §4.2: 0 or at least 3 seconds).
  Duration hold_time = Duration::seconds(90);
  // Keepalive interval; unset means negotiated hold time / 3 (RFC 4271 §10).
  // A configured value larger than hold / 3 is lowered to hold / 3 so that a
  // peer's hold timer never expires on a live session.
  std::optional<Duration> keepalive;
  // A peer proposing a smaller hold time is refused with OPEN Message Error /
  // Unacceptable Hold Time. When non-zero, a proposal of 0 (no keepalives at
  // all) is refused as well, because it disables liveness detection.
  Duration min_hold_time = Duration::zero();
  // Hold timer while waiting for the peer's OPEN (RFC 4271 §8.2.2 suggests 4 minutes).
  Duration open_hold_time = Duration::seconds(240);

  // ConnectRetryTime (RFC 4271 §10 suggests 120 s); jittered by 0.75–1.0.
  Duration connect_retry = Duration::seconds(5);
  IdleHoldBackoff idle_hold;
  // Never initiate a TCP connection; wait for the peer's (RFC 4271 §8.1.1 PassiveTcpEstablishment).
  bool passive = false;
  // RFC 4271 §8.1.1 DelayOpen: after the TCP connection is up, wait this
  // long for the peer's OPEN before sending ours.
  std::optional<Duration> delay_open;

  // Families to announce with Multiprotocol capabilities (RFC 4760). Empty
  // means no Multiprotocol capability, which implies IPv4 unicast only.
  std::vector<AfiSafi> families = {AfiSafi::unicast(Family::ipv4)};
  // Capabilities to announce (RFC 5492).
  bool four_octet_as = true;           // RFC 6793
  bool route_refresh = true;           // RFC 2918
  bool enhanced_route_refresh = true;  // RFC 7313
  bool extended_message = true;        // RFC 8654
  std::optional<GracefulRestart> graceful_restart;  // RFC 4724, off by default
  std::vector<AddPath> add_path;       // RFC 7911, per family; send/receive as we offer them
  // Capability codes (capability_code::*) the peer must announce; a missing
  // one refuses the session with OPEN Message Error / Unsupported Capability
  // (RFC 5492 §3).
  std::vector<uint8_t> required_capabilities;

  bool ibgp() const { return local_as == remote_as; }
  // Errors a user can make in a config file, as text for the config parser
  // to report with the file position.
  Status validate() const;
};

// Copies what a running session takes over from a reload without a new
// connection (Session::update_live_settings): passive, connect_retry,
// keepalive and the idle hold back-off.
inline void take_live_settings(SessionConfig& into, const SessionConfig& fresh) {
  into.passive = fresh.passive;
  into.connect_retry = fresh.connect_retry;
  into.keepalive = fresh.keepalive;
  into.idle_hold = fresh.idle_hold;
}

}  // namespace halink::bgp
