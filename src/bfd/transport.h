// What a transport must do for BFD control packets. The protocol core never
// opens a socket; these are the numbers the runtime binds and checks.
#pragma once

#include <cstdint>

namespace halink::bfd {

// RFC 5881 §4: single-hop control packets go to UDP port 3784.
constexpr uint16_t single_hop_control_port = 3784;
// RFC 5883 §5: multihop control packets go to UDP port 4784.
constexpr uint16_t multihop_control_port = 4784;
// RFC 5881 §4: the source port MUST be in 49152..65535, and the same source
// port is used for all packets of one session.
constexpr uint16_t source_port_min = 49152;
constexpr uint16_t source_port_max = 65535;
// RFC 5881 §5: single-hop packets are sent with TTL / Hop Limit 255 and a
// received packet with any other value is discarded (GTSM, RFC 5082). RFC
// 5883 §5 leaves the multihop check to configuration; halink sends 255 there too.
constexpr uint8_t transmit_ttl = 255;
constexpr uint8_t single_hop_required_ttl = 255;

constexpr uint16_t control_port(bool multihop) { return multihop ? multihop_control_port : single_hop_control_port; }

}  // namespace halink::bfd
