// Dispatch of a framed message body to the decoder of its type.
#include "bgp/wire/byte_io.h"
#include "bgp/wire/codec.h"
#include "bgp/wire/decode_outcome.h"

namespace halink::bgp {

Decoded decode_message(uint8_t type, std::span<const uint8_t> body, const CodecContext& ctx) {
  switch (MessageType(type)) {
    case MessageType::open: return decode_open(body);
    case MessageType::update: return decode_update(body, ctx);
    case MessageType::notification: return decode_notification(body);
    case MessageType::route_refresh: return decode_route_refresh(body);
    case MessageType::keepalive: {
      // RFC 4271 §4.4: a KEEPALIVE is the header alone.
      if (!body.empty())
        return wire::session_reset(wire::make_notification(error_code::message_header, header_subcode::bad_message_length,
                                                           wire::u16_bytes(uint16_t(header_size + body.size()))),
                                   "KEEPALIVE longer than 19 octets (RFC 4271 §6.1)");
      Decoded d;
      d.message = Keepalive{};
      return d;
    }
  }
  return wire::session_reset(wire::make_notification(error_code::message_header, header_subcode::bad_message_type, {type}),
                             "message type " + std::to_string(type) + " (RFC 4271 §6.1)");
}

}  // namespace halink::bgp
