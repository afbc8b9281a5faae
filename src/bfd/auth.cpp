#include "bfd/auth.h"

#include <algorithm>
#include <array>

#include "bfd/sha1.h"

namespace halink::bfd {

namespace {

// RFC 5880 §4.4 layout after the 24-octet mandatory section.
constexpr size_t key_id_offset = 26;
constexpr size_t sequence_offset = 28;
constexpr size_t digest_offset = 32;

uint32_t read_u32(std::span<const uint8_t> b, size_t at) {
  return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) | (uint32_t(b[at + 2]) << 8) | uint32_t(b[at + 3]);
}

Sha1Digest keyed_digest(std::span<const uint8_t> packet, const std::vector<uint8_t>& key) {
  std::array<uint8_t, 64> copy{};
  std::copy(packet.begin(), packet.end(), copy.begin());
  std::fill(copy.begin() + digest_offset, copy.begin() + digest_offset + 20, uint8_t{0});
  std::copy(key.begin(), key.end(), copy.begin() + digest_offset);
  return sha1({copy.data(), packet.size()});
}

}  // namespace

Status validate_auth(const AuthConfig& auth) {
  switch (auth.type) {
    case AuthType::none:
      return Status::success();
    case AuthType::keyed_sha1:
    case AuthType::meticulous_keyed_sha1:
      if (auth.key.empty()) return Error{"BFD " + auth_type_name(auth.type) + " authentication needs a key"};
      if (auth.key.size() > keyed_sha1_max_key_length) {
        return Error{"BFD " + auth_type_name(auth.type) + " key is " + std::to_string(auth.key.size()) +
                     " octets, at most 20 are allowed (RFC 5880 §4.4)"};
      }
      return Status::success();
    default:
      return Error{"BFD authentication type " + auth_type_name(auth.type) +
                   " is not supported; use keyed-sha1 or meticulous-keyed-sha1"};
  }
}

uint8_t auth_section_length(const AuthConfig& auth) { return auth.enabled() ? keyed_sha1_auth_length : 0; }

void sign_packet(PacketBuffer& packet, const AuthConfig& auth, uint32_t sequence) {
  uint8_t* b = packet.data.data();
  b[key_id_offset] = auth.key_id;
  b[key_id_offset + 1] = 0;  // Reserved
  b[sequence_offset] = static_cast<uint8_t>(sequence >> 24);
  b[sequence_offset + 1] = static_cast<uint8_t>(sequence >> 16);
  b[sequence_offset + 2] = static_cast<uint8_t>(sequence >> 8);
  b[sequence_offset + 3] = static_cast<uint8_t>(sequence);
  Sha1Digest digest = keyed_digest(packet.bytes(), auth.key);
  std::copy(digest.begin(), digest.end(), b + digest_offset);
}

DropReason verify_packet(std::span<const uint8_t> bytes, const ControlPacket& header, const AuthConfig& auth,
                         AuthReceiveState& state) {
  if (header.auth_type != auth.type) return DropReason::auth_type_mismatch;
  if (header.auth_length != keyed_sha1_auth_length || header.length < minimum_length + keyed_sha1_auth_length ||
      bytes.size() < header.length) {
    return DropReason::auth_length_invalid;
  }
  std::span<const uint8_t> packet = bytes.first(header.length);
  // Only one key is configured per session; a key ID that is not it is unknown.
  if (packet[key_id_offset] != auth.key_id) return DropReason::auth_key_id_unknown;

  // §6.7.4: once a sequence number is known, Keyed SHA1 accepts
  // RcvAuthSeq .. RcvAuthSeq + 3 × Detect Mult and Meticulous Keyed SHA1
  // RcvAuthSeq + 1 .. RcvAuthSeq + 3 × Detect Mult, in 32-bit circular space.
  uint32_t sequence = read_u32(packet, sequence_offset);
  if (state.sequence_known) {
    uint32_t ahead = sequence - state.last_sequence;
    uint32_t window = 3u * header.detect_mult;
    uint32_t lowest = auth.meticulous() ? 1 : 0;
    if (ahead < lowest || ahead > window) return DropReason::auth_sequence_out_of_window;
  }

  Sha1Digest expected = keyed_digest(packet, auth.key);
  uint8_t difference = 0;  // compare all octets: no early exit to time
  for (size_t i = 0; i < expected.size(); ++i) difference |= expected[i] ^ packet[digest_offset + i];
  if (difference != 0) return DropReason::auth_digest_mismatch;

  state.last_sequence = sequence;
  state.sequence_known = true;
  return DropReason::none;
}

}  // namespace halink::bfd
