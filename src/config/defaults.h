// Every default of the topology schema, in one place (docs/CONFIG.md repeats
// them with the same reasons).
#pragma once

#include <cstdint>

#include "core/time.h"

namespace halink::config::defaults {

// BGP hold time 30 s, keepalive hold/3 = 10 s. RFC 4271 §10 suggests 90/30,
// which leaves a silently dead tunnel black-holing traffic for up to 90 s
// when BFD is not available (no cloud VPN gateway offers BFD). 30/10 s is
// what AWS VPN uses, tolerates two lost keepalives, and the hold time
// actually used is the smaller of the two ends' (RFC 4271 §4.2), so peers
// with longer timers still agree on 30 s. With BFD, BFD does the fast part.
constexpr Duration hold_time = Duration::seconds(30);

// RFC 4271 §10 suggests 120 s. After a tunnel comes back, waiting two
// minutes before the next connection attempt would prolong the outage this
// system exists to shorten; 5 s (with the jitter of §10) is cheap.
constexpr Duration connect_retry = Duration::seconds(5);

// After a session failure halinkd waits 1 s before connecting again,
// doubling with every failure until the session has stayed up 60 s, so a
// flapping tunnel cannot cause a reset storm. The wait stops growing at
// 120 s, the ConnectRetry time RFC 4271 §10 suggests; lower it where a
// quick return of every tunnel matters more than damping a flapping one.
constexpr Duration idle_hold_max = Duration::seconds(120);

// BFD is off unless configured. `bfd: true` means 300 ms x 3 (FRR's and
// many vendors' defaults): 900 ms detection without tuning.
constexpr Duration bfd_interval = Duration::milliseconds(300);
constexpr uint8_t bfd_multiplier = 3;

constexpr uint16_t bgp_port = 179;

// Up to 8 equal paths, as the speaker issue asks: the article's design is
// active/active over every tunnel. Stateful devices that cannot take
// asymmetric flows are what `halink check` warns about; `max_paths: 1`
// turns ECMP off.
constexpr uint32_t ecmp_max_paths = 8;

constexpr uint32_t fib_table = 254;  // the kernel's "main" table

constexpr uint32_t tunnel_mtu = 1420;  // WireGuard's default over a 1500-byte underlay

constexpr const char* control_socket = "/run/halinkd/halinkd.sock";

}  // namespace halink::config::defaults
