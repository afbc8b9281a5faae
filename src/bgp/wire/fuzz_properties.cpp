#include "bgp/wire/fuzz_properties.h"

#include <type_traits>
#include <variant>

#include "bgp/wire/codec.h"

namespace halink::bgp::wire {
namespace {

bool has_four_octet_asn(const AsPath& p) {
  for (const auto& s : p.segments)
    for (uint32_t a : s.asns)
      if (a > 0xFFFF) return true;
  return false;
}

bool has_confed(const AsPath& p) {
  for (const auto& s : p.segments)
    if (s.type == AsPathSegmentType::confed_sequence || s.type == AsPathSegmentType::confed_set) return true;
  return false;
}

// Cases where one Update value has no single faithful wire form, so the
// round trip may legitimately differ:
// - IPv4 NLRI-field routes and MP_REACH routes in one UPDATE share the one
//   next_hop field (RFC 7606 §5.1 says senders must not mix them);
// - towards a 2-octet peer, the RFC 6793 §4.2.3 merge cannot restore
//   confederation segments or an AGGREGATOR whose ASN fits two octets.
bool round_trip_is_ambiguous(const Update& u, const CodecContext& ctx) {
  if (!u.nlri.empty() && u.mp_reach_family) return true;
  if (ctx.four_octet_as) return false;
  const auto& a = u.attributes;
  if (a.as_path && has_four_octet_asn(*a.as_path)) {
    if (has_confed(*a.as_path)) return true;
    if (a.aggregator && a.aggregator->asn <= 0xFFFF) return true;
  }
  return false;
}

// A message other than UPDATE that decodes cleanly must encode back to
// bytes that decode to the same value (UPDATEs: check_update_decoder_input).
std::string check_message_round_trip(uint8_t type, std::span<const uint8_t> body) {
  CodecContext ctx;
  ctx.extended_message = true;
  Decoded d = decode_message(type, body, ctx);
  if ((d.action == ErrorAction::session_reset) != d.reset.has_value()) return "reset set without session_reset";
  if (d.action != ErrorAction::none || type == uint8_t(MessageType::update)) return {};
  std::vector<uint8_t> bytes = std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Update>) return encode(m, ctx);
        else return encode(m);
      },
      d.message);
  Decoded again = decode_message(type, std::span(bytes).subspan(header_size), ctx);
  if (again.action != ErrorAction::none) return std::string(message_type_name(type)) + " re-decode failed: " + again.problems[0].reason;
  if (!(again.message == d.message)) return std::string(message_type_name(type)) + " re-decoded differently";
  return {};
}

}  // namespace

std::string check_update_decoder_input(std::span<const uint8_t> input) {
  if (input.empty()) return {};
  uint8_t options = input[0];
  CodecContext ctx;
  ctx.four_octet_as = !(options & 1);
  ctx.ibgp = options & 2;
  ctx.extended_message = true;
  if (options & 4) ctx.add_path_receive.push_back(AfiSafi::unicast(Family::ipv4));
  if (options & 8) ctx.add_path_receive.push_back(AfiSafi::unicast(Family::ipv6));
  ctx.add_path_send = ctx.add_path_receive;
  auto body = input.subspan(1);

  Decoded d = decode_update(body, ctx);
  if ((d.action == ErrorAction::session_reset) != d.reset.has_value()) return "reset set without session_reset";
  if (d.action != ErrorAction::none && d.problems.empty()) return "outcome without a problem";
  if (d.action != ErrorAction::none) return {};
  const auto* u = std::get_if<Update>(&d.message);
  if (!u) return "clean decode without an Update";
  if (round_trip_is_ambiguous(*u, ctx)) return {};
  auto bytes = encode(*u, ctx);
  if (bytes.size() < header_size) return "encoded UPDATE without a header";
  Decoded again = decode_update(std::span(bytes).subspan(header_size), ctx);
  if (again.action != ErrorAction::none)
    return std::string("re-decode: ") + error_action_name(again.action) + ": " + again.problems[0].reason;
  if (!(std::get<Update>(again.message) == *u)) return "re-decoded UPDATE differs";
  return {};
}

std::string check_stream_decoder_input(std::span<const uint8_t> input) {
  if (input.empty()) return {};
  size_t piece = size_t(input[0] % 32) + 1;
  auto stream = input.subspan(1);

  struct Seen {
    int kind;
    uint8_t type;
    std::vector<uint8_t> body;
    Notification error;
    bool operator==(const Seen&) const = default;
  };
  std::string first_failure;
  auto drain = [&first_failure](StreamDecoder& s, std::vector<Seen>& out, bool decode) {
    for (int guard = 0; guard < 100000; ++guard) {
      auto r = s.next();
      if (r.kind == StreamDecoder::FrameResult::Kind::need_more) return;
      out.push_back({int(r.kind), r.frame.type, {r.frame.body.begin(), r.frame.body.end()}, r.error_notification});
      if (r.kind == StreamDecoder::FrameResult::Kind::error) return;
      if (!decode) continue;
      // Every frame's body goes through the full decoder (once: the
      // piecewise pass yields the same bodies, compared below).
      std::string failure = check_message_round_trip(r.frame.type, r.frame.body);
      if (!failure.empty() && first_failure.empty()) first_failure = failure;
    }
  };

  std::vector<Seen> whole_seen, pieces_seen;
  StreamDecoder whole(extended_max_message_size);
  whole.feed(stream);
  drain(whole, whole_seen, true);

  StreamDecoder pieces(extended_max_message_size);
  for (size_t at = 0; at < stream.size(); at += piece) {
    pieces.feed(stream.subspan(at, std::min(piece, stream.size() - at)));
    drain(pieces, pieces_seen, false);
    if (!pieces_seen.empty() && pieces_seen.back().kind == int(StreamDecoder::FrameResult::Kind::error)) break;
  }
  if (!first_failure.empty()) return first_failure;
  if (whole_seen != pieces_seen) return "piecewise feeding changed the frames";
  size_t framed = 0;
  for (const auto& s : whole_seen) framed += s.body.size() + (s.kind == int(StreamDecoder::FrameResult::Kind::frame) ? header_size : 0);
  if (framed > stream.size()) return "frames longer than the input";
  return {};
}

}  // namespace halink::bgp::wire
