// BFD Control packet (RFC 5880 §4.1) and its codec.
//
// decode_control_packet() applies every reception check of RFC 5880 §6.8.6
// that depends on the packet alone; the checks that need a session (your
// discriminator lookup, authentication) live in Session and Sessions. Every
// discarded packet carries a DropReason so counters can say why.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace halink::bfd {

constexpr uint8_t protocol_version = 1;           // RFC 5880 §4.1
constexpr uint8_t minimum_length = 24;            // RFC 5880 §6.8.6: A bit clear
constexpr uint8_t minimum_length_with_auth = 26;  // RFC 5880 §6.8.6: A bit set

// RFC 5880 §4.1 "Sta".
enum class State : uint8_t { admin_down = 0, down = 1, init = 2, up = 3 };
const char* state_name(State s);  // "AdminDown", "Down", "Init", "Up"

// RFC 5880 §4.1 "Diag"; 9..31 are reserved and may arrive from a peer.
enum class Diag : uint8_t {
  none = 0,
  control_detection_time_expired = 1,
  echo_function_failed = 2,
  neighbor_signaled_session_down = 3,
  forwarding_plane_reset = 4,
  path_down = 5,
  concatenated_path_down = 6,
  administratively_down = 7,
  reverse_concatenated_path_down = 8,
};
std::string diag_name(Diag d);  // "No Diagnostic", ..., "reserved (12)"

// RFC 5880 §4.1 "Auth Type" (IANA "BFD Authentication Types").
enum class AuthType : uint8_t {
  none = 0,  // "Reserved" on the wire; halink's value for "no authentication"
  simple_password = 1,
  keyed_md5 = 2,
  meticulous_keyed_md5 = 3,
  keyed_sha1 = 4,
  meticulous_keyed_sha1 = 5,
};
std::string auth_type_name(AuthType t);

// Why a received packet was not used. One counter per value in `show bfd`.
enum class DropReason : uint8_t {
  none = 0,
  truncated,                         // fewer bytes than the fields to check need
  bad_version,                       // §6.8.6: version is not 1
  length_too_short,                  // §6.8.6: Length < 24 (A clear) or < 26 (A set)
  length_exceeds_payload,            // §6.8.6: Length > UDP payload
  detect_mult_zero,                  // §6.8.6
  multipoint_set,                    // §6.8.6: M bit set
  poll_and_final_set,                // §6.5: a packet MUST NOT have both P and F
  my_discriminator_zero,             // §6.8.6
  unknown_your_discriminator,        // §6.8.6: Your Discriminator selects no session
  your_discriminator_zero_not_down,  // §6.8.6: Your Discr 0 and State not Down/AdminDown
  no_session_for_source,             // §6.8.6: Your Discr 0 and no session for the addresses
  auth_section_malformed,            // §4.2: Auth Len does not fit in Length
  auth_present_not_configured,       // §6.8.6: A bit set, bfd.AuthType zero
  auth_missing,                      // §6.8.6: A bit clear, bfd.AuthType nonzero
  auth_type_mismatch,                // §6.7: Auth Type is not the configured one
  auth_length_invalid,               // §4.4: Auth Len of Keyed SHA1 is not 28
  auth_key_id_unknown,               // §6.7.4: Auth Key ID matches no key
  auth_sequence_out_of_window,       // §6.7.4: sequence number outside the window
  auth_digest_mismatch,              // §6.7.4: hash does not match
  ttl_not_255,                       // RFC 5881 §5: single hop requires TTL / Hop Limit 255
  ttl_below_minimum,                 // RFC 5883 §5: multihop TTL under the configured minimum
  local_admin_down,                  // §6.8.6: bfd.SessionState is AdminDown
};
constexpr size_t drop_reason_count = static_cast<size_t>(DropReason::local_admin_down) + 1;
const char* drop_reason_name(DropReason r);  // "bad version", ...

// A decoded Control packet. Intervals are in microseconds as on the wire.
struct ControlPacket {
  uint8_t version = protocol_version;
  Diag diag = Diag::none;
  State state = State::down;
  bool poll = false;
  bool final = false;
  bool control_plane_independent = false;
  bool authentication_present = false;
  bool demand = false;
  bool multipoint = false;
  uint8_t detect_mult = 0;
  uint8_t length = 0;  // filled in by encode and decode
  uint32_t my_discriminator = 0;
  uint32_t your_discriminator = 0;
  uint32_t desired_min_tx_us = 0;
  uint32_t required_min_rx_us = 0;
  uint32_t required_min_echo_rx_us = 0;
  // The first two octets of the Authentication Section (§4.2), when present.
  AuthType auth_type = AuthType::none;
  uint8_t auth_length = 0;
};

// Room for the largest packet halink builds (24 + 28 for Keyed SHA1), and
// for any other authentication section a peer may use (at most 24 octets).
struct PacketBuffer {
  std::array<uint8_t, 64> data{};
  uint8_t size = 0;
  std::span<const uint8_t> bytes() const { return {data.data(), size}; }
  std::span<uint8_t> mutable_bytes() { return {data.data(), size}; }
};

// Encodes the 24-octet mandatory section. When `packet.authentication_present`
// is set, the A bit is set, Length covers `packet.auth_length` more octets and
// the section's first two octets are written; the caller (auth.h) fills the rest.
PacketBuffer encode_control_packet(const ControlPacket& packet);

struct DecodedPacket {
  ControlPacket packet;
  DropReason drop = DropReason::none;  // none: `packet` is valid
  bool ok() const { return drop == DropReason::none; }
};

// Never fails on any input other than by a DropReason. Checks, in the order
// of RFC 5880 §6.8.6: version, Length (with A), Length vs payload, Detect
// Mult, M bit (then P and F together, §6.5), My Discriminator, Your
// Discriminator zero vs State, and that an Authentication Section fits
// inside Length.
DecodedPacket decode_control_packet(std::span<const uint8_t> bytes);

}  // namespace halink::bfd
