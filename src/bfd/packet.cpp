#include "bfd/packet.h"

#include <algorithm>

namespace halink::bfd {

namespace {

uint32_t read_u32(std::span<const uint8_t> b, size_t at) {
  return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) | (uint32_t(b[at + 2]) << 8) | uint32_t(b[at + 3]);
}

void write_u32(uint8_t* out, uint32_t v) {
  out[0] = static_cast<uint8_t>(v >> 24);
  out[1] = static_cast<uint8_t>(v >> 16);
  out[2] = static_cast<uint8_t>(v >> 8);
  out[3] = static_cast<uint8_t>(v);
}

// RFC 5880 §4.1: flag bits in the second octet, after the 2-bit state.
constexpr uint8_t flag_poll = 0x20;
constexpr uint8_t flag_final = 0x10;
constexpr uint8_t flag_control_plane_independent = 0x08;
constexpr uint8_t flag_authentication_present = 0x04;
constexpr uint8_t flag_demand = 0x02;
constexpr uint8_t flag_multipoint = 0x01;

}  // namespace

const char* state_name(State s) {
  switch (s) {
    case State::admin_down:
      return "AdminDown";
    case State::down:
      return "Down";
    case State::init:
      return "Init";
    case State::up:
      return "Up";
  }
  return "?";
}

std::string diag_name(Diag d) {
  switch (d) {
    case Diag::none:
      return "No Diagnostic";
    case Diag::control_detection_time_expired:
      return "Control Detection Time Expired";
    case Diag::echo_function_failed:
      return "Echo Function Failed";
    case Diag::neighbor_signaled_session_down:
      return "Neighbor Signaled Session Down";
    case Diag::forwarding_plane_reset:
      return "Forwarding Plane Reset";
    case Diag::path_down:
      return "Path Down";
    case Diag::concatenated_path_down:
      return "Concatenated Path Down";
    case Diag::administratively_down:
      return "Administratively Down";
    case Diag::reverse_concatenated_path_down:
      return "Reverse Concatenated Path Down";
  }
  return "reserved (" + std::to_string(static_cast<int>(d)) + ")";
}

std::string auth_type_name(AuthType t) {
  switch (t) {
    case AuthType::none:
      return "none";
    case AuthType::simple_password:
      return "simple password";
    case AuthType::keyed_md5:
      return "keyed MD5";
    case AuthType::meticulous_keyed_md5:
      return "meticulous keyed MD5";
    case AuthType::keyed_sha1:
      return "keyed SHA1";
    case AuthType::meticulous_keyed_sha1:
      return "meticulous keyed SHA1";
  }
  return "reserved (" + std::to_string(static_cast<int>(t)) + ")";
}

const char* drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::none:
      return "none";
    case DropReason::truncated:
      return "truncated";
    case DropReason::bad_version:
      return "bad version";
    case DropReason::length_too_short:
      return "length too short";
    case DropReason::length_exceeds_payload:
      return "length exceeds payload";
    case DropReason::detect_mult_zero:
      return "detect mult zero";
    case DropReason::multipoint_set:
      return "multipoint bit set";
    case DropReason::poll_and_final_set:
      return "poll and final both set";
    case DropReason::my_discriminator_zero:
      return "my discriminator zero";
    case DropReason::unknown_your_discriminator:
      return "unknown your discriminator";
    case DropReason::your_discriminator_zero_not_down:
      return "your discriminator zero in state not Down";
    case DropReason::no_session_for_source:
      return "no session for source";
    case DropReason::auth_section_malformed:
      return "authentication section malformed";
    case DropReason::auth_present_not_configured:
      return "authentication present but not configured";
    case DropReason::auth_missing:
      return "authentication missing";
    case DropReason::auth_type_mismatch:
      return "authentication type mismatch";
    case DropReason::auth_length_invalid:
      return "authentication length invalid";
    case DropReason::auth_key_id_unknown:
      return "authentication key id unknown";
    case DropReason::auth_sequence_out_of_window:
      return "authentication sequence out of window";
    case DropReason::auth_digest_mismatch:
      return "authentication digest mismatch";
    case DropReason::ttl_not_255:
      return "TTL not 255";
    case DropReason::ttl_below_minimum:
      return "TTL below minimum";
    case DropReason::local_admin_down:
      return "session administratively down";
  }
  return "?";
}

PacketBuffer encode_control_packet(const ControlPacket& p) {
  PacketBuffer out;
  uint8_t* b = out.data.data();
  b[0] = static_cast<uint8_t>((protocol_version << 5) | (static_cast<uint8_t>(p.diag) & 0x1f));
  b[1] = static_cast<uint8_t>((static_cast<uint8_t>(p.state) << 6) | (p.poll ? flag_poll : 0) |
                              (p.final ? flag_final : 0) |
                              (p.control_plane_independent ? flag_control_plane_independent : 0) |
                              (p.authentication_present ? flag_authentication_present : 0) |
                              (p.demand ? flag_demand : 0) | (p.multipoint ? flag_multipoint : 0));
  b[2] = p.detect_mult;
  write_u32(b + 4, p.my_discriminator);
  write_u32(b + 8, p.your_discriminator);
  write_u32(b + 12, p.desired_min_tx_us);
  write_u32(b + 16, p.required_min_rx_us);
  write_u32(b + 20, p.required_min_echo_rx_us);
  out.size = minimum_length;
  if (p.authentication_present) {
    // An auth section longer than the buffer is a programming error of the
    // caller; clamp instead of overrunning.
    uint8_t auth_length = std::min<uint8_t>(p.auth_length, uint8_t(out.data.size() - minimum_length));
    b[24] = static_cast<uint8_t>(p.auth_type);
    b[25] = auth_length;
    out.size = static_cast<uint8_t>(minimum_length + auth_length);
  }
  b[3] = out.size;
  return out;
}

DecodedPacket decode_control_packet(std::span<const uint8_t> bytes) {
  DecodedPacket result;
  ControlPacket& p = result.packet;
  auto drop = [&](DropReason reason) {
    result.drop = reason;
    return result;
  };
  if (bytes.empty()) return drop(DropReason::truncated);
  p.version = bytes[0] >> 5;
  if (p.version != protocol_version) return drop(DropReason::bad_version);
  if (bytes.size() < 4) return drop(DropReason::truncated);
  p.diag = static_cast<Diag>(bytes[0] & 0x1f);
  p.state = static_cast<State>(bytes[1] >> 6);
  p.poll = bytes[1] & flag_poll;
  p.final = bytes[1] & flag_final;
  p.control_plane_independent = bytes[1] & flag_control_plane_independent;
  p.authentication_present = bytes[1] & flag_authentication_present;
  p.demand = bytes[1] & flag_demand;
  p.multipoint = bytes[1] & flag_multipoint;
  p.detect_mult = bytes[2];
  p.length = bytes[3];
  if (p.length < (p.authentication_present ? minimum_length_with_auth : minimum_length)) {
    return drop(DropReason::length_too_short);
  }
  if (p.length > bytes.size()) return drop(DropReason::length_exceeds_payload);
  if (p.detect_mult == 0) return drop(DropReason::detect_mult_zero);
  if (p.multipoint) return drop(DropReason::multipoint_set);
  // §6.5 forbids sending both; a receiver cannot tell a Poll from a Final.
  if (p.poll && p.final) return drop(DropReason::poll_and_final_set);
  p.my_discriminator = read_u32(bytes, 4);
  p.your_discriminator = read_u32(bytes, 8);
  p.desired_min_tx_us = read_u32(bytes, 12);
  p.required_min_rx_us = read_u32(bytes, 16);
  p.required_min_echo_rx_us = read_u32(bytes, 20);
  if (p.my_discriminator == 0) return drop(DropReason::my_discriminator_zero);
  if (p.your_discriminator == 0 && p.state != State::down && p.state != State::admin_down) {
    return drop(DropReason::your_discriminator_zero_not_down);
  }
  if (p.authentication_present) {
    p.auth_type = static_cast<AuthType>(bytes[24]);
    p.auth_length = bytes[25];
    // §4.2: Auth Len counts the whole section including Type and Len; the
    // section ends the packet, so it must fit inside Length.
    if (p.auth_length < 2 || minimum_length + p.auth_length > p.length) {
      return drop(DropReason::auth_section_malformed);
    }
  }
  return result;
}

}  // namespace halink::bfd
