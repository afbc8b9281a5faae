// BFD authentication (RFC 5880 §6.7): Keyed SHA1 and Meticulous Keyed SHA1.
//
// Simple Password and the MD5 types are recognised on the wire (so a peer
// using them is dropped with a reason) but cannot be configured: RFC 5880
// §9 calls simple passwords insecure and MD5 is superseded by SHA1 here.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bfd/packet.h"
#include "core/result.h"

namespace halink::bfd {

// RFC 5880 §4.4: the Keyed SHA1 section is always 28 octets and the key is
// zero-padded to the 20 octets of the hash field.
constexpr uint8_t keyed_sha1_auth_length = 28;
constexpr size_t keyed_sha1_max_key_length = 20;

struct AuthConfig {
  AuthType type = AuthType::none;
  uint8_t key_id = 0;
  std::vector<uint8_t> key;  // 1..20 octets

  bool enabled() const { return type != AuthType::none; }
  bool meticulous() const { return type == AuthType::meticulous_keyed_sha1; }
  bool operator==(const AuthConfig&) const = default;
};

// A configuration error (unsupported type, missing or over-long key) as a value.
Status validate_auth(const AuthConfig& auth);

// Octets an authenticated packet adds after the 24-octet mandatory section.
uint8_t auth_section_length(const AuthConfig& auth);

// Fills the Authentication Section of `packet`, which was encoded with
// authentication_present, auth_type and auth_length set (RFC 5880 §6.7.4,
// transmission): key ID, sequence number, then SHA1 over the whole packet
// with the zero-padded key in the hash field, and the hash written over it.
void sign_packet(PacketBuffer& packet, const AuthConfig& auth, uint32_t sequence);

// bfd.RcvAuthSeq and bfd.AuthSeqKnown (RFC 5880 §6.8.1).
struct AuthReceiveState {
  uint32_t last_sequence = 0;
  bool sequence_known = false;
};

// RFC 5880 §6.7.4 reception for a packet whose A bit is set and whose header
// decoded cleanly. `bytes` is the packet (at least header.length octets).
// On success records the sequence number in `state` and returns none.
DropReason verify_packet(std::span<const uint8_t> bytes, const ControlPacket& header, const AuthConfig& auth,
                         AuthReceiveState& state);

}  // namespace halink::bfd
