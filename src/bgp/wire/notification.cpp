// NOTIFICATION (RFC 4271 §4.5) and the shutdown communication (RFC 9003).
#include <cstdio>
#include <cstring>

#include "bgp/wire/byte_io.h"
#include "bgp/wire/codec.h"
#include "bgp/wire/decode_outcome.h"

namespace halink::bgp {
namespace {

constexpr size_t max_shutdown_communication = 255;  // RFC 9003 §2: one length octet

bool carries_shutdown_communication(uint8_t code, uint8_t subcode) {
  return code == error_code::cease &&
         (subcode == cease_subcode::administrative_shutdown || subcode == cease_subcode::administrative_reset);
}

// Length of the UTF-8 sequence `lead` starts, or 0 if it cannot start one.
size_t utf8_sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// RFC 3629 well-formedness (overlongs, surrogates and > U+10FFFF rejected).
bool valid_utf8(std::span<const uint8_t> s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t n = utf8_sequence_length(s[i]);
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((s[i + k] & 0xC0) != 0x80) return false;
    if (n == 3) {
      if (s[i] == 0xE0 && s[i + 1] < 0xA0) return false;  // overlong
      if (s[i] == 0xED && s[i + 1] > 0x9F) return false;  // surrogate
    }
    if (n == 4) {
      if (s[i] == 0xF0 && s[i + 1] < 0x90) return false;  // overlong
      if (s[i] == 0xF4 && s[i + 1] > 0x8F) return false;  // beyond U+10FFFF
    }
    i += n;
  }
  return true;
}

}  // namespace

Notification Notification::cease(uint8_t subcode, const std::string& shutdown_communication) {
  Notification n{error_code::cease, subcode, {}};
  if (!carries_shutdown_communication(error_code::cease, subcode) || shutdown_communication.empty()) return n;
  // Truncate to 255 octets without cutting a UTF-8 sequence in half.
  size_t length = 0;
  while (length < shutdown_communication.size()) {
    size_t step = utf8_sequence_length(uint8_t(shutdown_communication[length]));
    if (step == 0) step = 1;
    if (length + step > max_shutdown_communication) break;
    length += step;
  }
  n.data.resize(1 + length);
  n.data[0] = uint8_t(length);
  std::memcpy(n.data.data() + 1, shutdown_communication.data(), length);
  return n;
}

std::optional<std::string> Notification::shutdown_communication() const {
  if (!carries_shutdown_communication(code, subcode) || data.empty()) return std::nullopt;
  size_t length = data[0];
  // RFC 9003 §2: a length beyond the data, or invalid UTF-8, makes the
  // message unusable; it is then not shown (and never an error).
  if (length == 0 || length + 1 > data.size()) return std::nullopt;
  std::span<const uint8_t> text(data.data() + 1, length);
  if (!valid_utf8(text)) return std::nullopt;
  return std::string(text.begin(), text.end());
}

std::string Notification::describe() const {
  std::string out = error_code_name(code);
  const char* sub = error_subcode_name(code, subcode);
  if (*sub) {
    out += " / ";
    out += sub;
  } else if (subcode != 0) {
    out += " / subcode " + std::to_string(subcode);
  }
  if (auto message = shutdown_communication()) return out + ": \"" + *message + "\"";
  if (!data.empty()) {
    out += " (data ";
    char hex[3];
    for (uint8_t b : data) {
      std::snprintf(hex, sizeof hex, "%02x", b);
      out += hex;
    }
    out += ")";
  }
  return out;
}

std::vector<uint8_t> encode(const Notification& notification) {
  std::vector<uint8_t> out;
  wire::start_message(out, MessageType::notification);
  wire::put_u8(out, notification.code);
  wire::put_u8(out, notification.subcode);
  wire::put_bytes(out, notification.data);
  wire::finish_message(out);
  return out;
}

Decoded decode_notification(std::span<const uint8_t> body) {
  // RFC 4271 §4.5: code and subcode are mandatory. A short NOTIFICATION is
  // answered by nobody (the peer is closing); the reset only ends our side.
  if (body.size() < 2)
    return wire::session_reset(wire::make_notification(error_code::message_header, header_subcode::bad_message_length,
                                                       wire::u16_bytes(uint16_t(header_size + body.size()))),
                               "NOTIFICATION shorter than 21 octets (RFC 4271 §6.1)");
  Decoded d;
  d.message = Notification{body[0], body[1], std::vector<uint8_t>(body.begin() + 2, body.end())};
  return d;
}

}  // namespace halink::bgp
