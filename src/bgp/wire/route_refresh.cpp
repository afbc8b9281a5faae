// KEEPALIVE (RFC 4271 §4.4) and ROUTE-REFRESH (RFC 2918, RFC 7313).
#include "bgp/wire/byte_io.h"
#include "bgp/wire/codec.h"
#include "bgp/wire/decode_outcome.h"

namespace halink::bgp {

std::vector<uint8_t> encode(const Keepalive&) {
  std::vector<uint8_t> out;
  wire::start_message(out, MessageType::keepalive);
  wire::finish_message(out);
  return out;
}

std::vector<uint8_t> encode(const RouteRefresh& refresh) {
  std::vector<uint8_t> out;
  wire::start_message(out, MessageType::route_refresh);
  wire::put_u16(out, refresh.afi_safi.afi);
  wire::put_u8(out, refresh.subtype);  // RFC 7313 §3.2: the former Reserved octet
  wire::put_u8(out, refresh.afi_safi.safi);
  wire::finish_message(out);
  return out;
}

Decoded decode_route_refresh(std::span<const uint8_t> body) {
  constexpr size_t body_size = 4;  // AFI(2) Subtype(1) SAFI(1)
  if (body.size() != body_size) {
    // RFC 7313 §5: a BoRR/EoRR of the wrong length is a ROUTE-REFRESH
    // Message Error quoting the whole message; RFC 2918 has only the
    // header error for a plain refresh.
    bool enhanced = body.size() >= 3 && (body[2] == RouteRefresh::begin_of_rib || body[2] == RouteRefresh::end_of_rib);
    if (enhanced)
      return wire::session_reset(wire::make_notification(error_code::route_refresh, 1,
                                                         wire::reframe(MessageType::route_refresh, body)),
                                 "BoRR/EoRR ROUTE-REFRESH body is not 4 octets (RFC 7313 §5)");
    return wire::session_reset(wire::make_notification(error_code::message_header, header_subcode::bad_message_length,
                                                       wire::u16_bytes(uint16_t(header_size + body.size()))),
                               "ROUTE-REFRESH body is not 4 octets (RFC 2918 §3, RFC 4271 §6.1)");
  }
  Decoded d;
  RouteRefresh r;
  r.afi_safi.afi = uint16_t(body[0] << 8 | body[1]);
  // RFC 7313 §4: subtypes other than 0, 1, 2 are ignored by the receiver;
  // the value is passed up unchanged so the session can ignore it.
  r.subtype = body[2];
  r.afi_safi.safi = body[3];
  d.message = r;
  return d;
}

}  // namespace halink::bgp
