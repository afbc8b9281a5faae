// Framing of the byte stream into messages (RFC 4271 §4.1, §6.1).
//
// feed() appends to one buffer; next() hands out views into it, so each
// body is copied once (socket read → buffer). Consumed bytes are dropped
// only at the next feed(), and then only the unconsumed tail (at most one
// partial message) is moved, never once per message.
#include <algorithm>

#include "bgp/wire/byte_io.h"
#include "bgp/wire/codec.h"

namespace halink::bgp {
namespace {

// Smallest length per type (RFC 4271 §4.2-§4.5); ROUTE-REFRESH lengths
// are judged by its decoder, which must quote the message (RFC 7313 §5).
size_t minimum_length(uint8_t type) {
  switch (MessageType(type)) {
    case MessageType::open: return 29;
    case MessageType::update: return 23;
    case MessageType::notification: return 21;
    case MessageType::keepalive: return 19;
    case MessageType::route_refresh: return 19;
  }
  return 19;
}

}  // namespace

void StreamDecoder::feed(std::span<const uint8_t> bytes) {
  if (read_pos_ == buffer_.size()) {
    buffer_.clear();
    read_pos_ = 0;
  } else if (read_pos_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + long(read_pos_));
    read_pos_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

StreamDecoder::FrameResult StreamDecoder::next() {
  FrameResult result;
  auto fail = [&](uint8_t subcode, std::vector<uint8_t> data, std::string reason) {
    failed_ = true;
    result.kind = FrameResult::Kind::error;
    result.error_notification = Notification{error_code::message_header, subcode, std::move(data)};
    result.reason = std::move(reason);
    failure_ = result;
    return result;
  };
  // After a framing error the stream has no message boundaries left.
  if (failed_) return failure_;
  if (buffered() < header_size) return result;

  const uint8_t* header = buffer_.data() + read_pos_;
  if (!std::all_of(header, header + 16, [](uint8_t b) { return b == 0xFF; }))
    return fail(header_subcode::connection_not_synchronized, {}, "marker is not all ones (RFC 4271 §6.1)");
  uint16_t length = uint16_t(header[16] << 8 | header[17]);
  uint8_t type = header[18];
  // RFC 8654 §4: OPEN and KEEPALIVE stay within 4096 octets even when
  // extended messages are negotiated.
  size_t limit = (type == uint8_t(MessageType::open) || type == uint8_t(MessageType::keepalive))
                     ? std::min(max_message_, max_message_size)
                     : max_message_;
  if (length < header_size || length > limit)
    return fail(header_subcode::bad_message_length, wire::u16_bytes(length),
                "length " + std::to_string(length) + " outside 19.." + std::to_string(limit) + " (RFC 4271 §6.1)");
  if (type < uint8_t(MessageType::open) || type > uint8_t(MessageType::route_refresh))
    return fail(header_subcode::bad_message_type, {type}, "message type " + std::to_string(type) + " (RFC 4271 §6.1)");
  if (length < minimum_length(type) || (type == uint8_t(MessageType::keepalive) && length != header_size))
    return fail(header_subcode::bad_message_length, wire::u16_bytes(length),
                std::string(message_type_name(type)) + " of length " + std::to_string(length) + " (RFC 4271 §6.1)");
  if (buffered() < length) return result;

  result.kind = FrameResult::Kind::frame;
  result.frame.type = type;
  result.frame.body = std::span<const uint8_t>(header + header_size, length - header_size);
  read_pos_ += length;
  return result;
}

}  // namespace halink::bgp
