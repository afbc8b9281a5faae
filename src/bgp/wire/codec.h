// Encoding and decoding of whole BGP messages.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgp/wire/message.h"

namespace halink::bgp {

// ---- Encoding: always produces a complete message with its 19-byte header.
// Encoders never fail on values built by halink; an UPDATE too large for
// ctx.max_size() is the caller's bug (see split_update in update_codec.h).
std::vector<uint8_t> encode(const OpenMessage& open);
std::vector<uint8_t> encode(const Update& update, const CodecContext& ctx);
std::vector<uint8_t> encode(const Notification& notification);
std::vector<uint8_t> encode(const Keepalive&);
std::vector<uint8_t> encode(const RouteRefresh& refresh);

// ---- Decoding outcomes (RFC 7606 §2, RFC 4271 §6).
enum class ErrorAction : uint8_t {
  none,               // message fine
  attribute_discard,  // RFC 7606 §2: the bad attribute is dropped, the rest used
  treat_as_withdraw,  // RFC 7606 §2: every NLRI in the UPDATE is withdrawn
  session_reset,      // RFC 4271 §6: send `notification`, close the session
};
const char* error_action_name(ErrorAction a);

struct DecodeProblem {
  ErrorAction action = ErrorAction::none;
  Notification notification;  // meaningful for session_reset
  std::string reason;         // for the log: what was wrong, and the RFC section
};

// A decoded message, or the reason it could not be used. For UPDATEs a
// decode may succeed with a worse-than-none outcome (treat-as-withdraw keeps
// the NLRI so they can be withdrawn; attribute-discard drops the attribute).
struct Decoded {
  Message message;
  ErrorAction action = ErrorAction::none;
  std::vector<DecodeProblem> problems;  // every non-fatal problem met
  std::optional<Notification> reset;    // set iff action == session_reset
};

// Decodes one framed message body (header already checked by the stream
// decoder). `type` is the header's type octet.
Decoded decode_message(uint8_t type, std::span<const uint8_t> body, const CodecContext& ctx);
Decoded decode_open(std::span<const uint8_t> body);
Decoded decode_update(std::span<const uint8_t> body, const CodecContext& ctx);
Decoded decode_notification(std::span<const uint8_t> body);
Decoded decode_route_refresh(std::span<const uint8_t> body);

// ---- The incremental stream decoder (RFC 4271 §4.1 framing).
//
// Bytes arrive in arbitrary pieces. feed() appends them once; next() returns
// each complete message as a view into the buffer (valid until the next
// feed()), so a message body is copied exactly once, from the socket read
// into the buffer.
class StreamDecoder {
public:
  struct Frame {
    uint8_t type = 0;
    std::span<const uint8_t> body;  // without the 19-byte header
  };
  // A bad marker, length or type is a session reset (RFC 4271 §6.1).
  struct FrameResult {
    // Scoped: an unscoped enumerator `frame` would clash with the member.
    enum class Kind { need_more, frame, error } kind = Kind::need_more;
    Frame frame;
    Notification error_notification;
    std::string reason;
  };

  explicit StreamDecoder(size_t max_message = max_message_size) : max_message_(max_message) {}
  void set_max_message(size_t n) { max_message_ = n; }  // after OPEN negotiation
  void feed(std::span<const uint8_t> bytes);
  FrameResult next();
  size_t buffered() const { return buffer_.size() - read_pos_; }

private:
  std::vector<uint8_t> buffer_;
  size_t read_pos_ = 0;
  size_t max_message_;
  bool failed_ = false;
  FrameResult failure_;  // returned again by every next() after a framing error
};

}  // namespace halink::bgp
