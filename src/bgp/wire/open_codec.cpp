// OPEN (RFC 4271 §4.2), capabilities (RFC 5492) and extended optional
// parameters length (RFC 9072).
#include <algorithm>

#include "bgp/wire/byte_io.h"
#include "bgp/wire/codec.h"
#include "bgp/wire/decode_outcome.h"

namespace halink::bgp {
namespace {

using wire::put_bytes;
using wire::put_u16;
using wire::put_u32;
using wire::put_u8;

constexpr uint8_t capabilities_parameter = 2;       // RFC 5492 §4
constexpr uint8_t extended_parameters_marker = 255;  // RFC 9072 §2
constexpr size_t open_fixed_size = 10;               // version .. Opt Parm Len

// ADD-PATH Send/Receive field (RFC 7911 §4).
constexpr uint8_t add_path_receive = 1;
constexpr uint8_t add_path_send = 2;

// Graceful restart flags (RFC 4724 §3, RFC 8538 §2).
constexpr uint16_t gr_restart_state = 0x8000;
constexpr uint16_t gr_notification = 0x4000;
constexpr uint16_t gr_time_mask = 0x0FFF;
constexpr uint8_t gr_forwarding_preserved = 0x80;

// RFC 5492 §4: one length octet, so a value is at most 255 octets; a
// longer one (only a hand-built unknown capability can be) is cut there
// rather than framed wrongly.
void put_capability(std::vector<std::vector<uint8_t>>& caps, uint8_t code, const std::vector<uint8_t>& value) {
  size_t length = std::min<size_t>(value.size(), 255);
  std::vector<uint8_t> c{code, uint8_t(length)};
  c.insert(c.end(), value.begin(), value.begin() + long(length));
  caps.push_back(std::move(c));
}

void put_afi_safi(std::vector<uint8_t>& v, AfiSafi f) {
  put_u16(v, f.afi);
  put_u8(v, 0);  // RFC 4760 §8: Reserved
  put_u8(v, f.safi);
}

// Each capability as its own TLV, in a fixed order (stable bytes).
std::vector<std::vector<uint8_t>> encode_capabilities(const Capabilities& c) {
  std::vector<std::vector<uint8_t>> caps;
  for (const auto& f : c.multiprotocol) {
    std::vector<uint8_t> v;
    put_afi_safi(v, f);
    put_capability(caps, capability_code::multiprotocol, v);
  }
  if (c.route_refresh) put_capability(caps, capability_code::route_refresh, {});
  if (c.extended_message) put_capability(caps, capability_code::extended_message, {});
  if (c.graceful_restart) {
    const auto& gr = *c.graceful_restart;
    std::vector<uint8_t> v;
    uint16_t head = uint16_t(gr.restart_time & gr_time_mask);
    if (gr.restart_state) head |= gr_restart_state;
    if (gr.notification) head |= gr_notification;
    put_u16(v, head);
    for (const auto& f : gr.families) {
      put_u16(v, f.afi_safi.afi);
      put_u8(v, f.afi_safi.safi);
      put_u8(v, f.forwarding_preserved ? gr_forwarding_preserved : 0);
    }
    put_capability(caps, capability_code::graceful_restart, v);
  }
  if (c.four_octet_as) {
    std::vector<uint8_t> v;
    put_u32(v, *c.four_octet_as);
    put_capability(caps, capability_code::four_octet_as, v);
  }
  if (!c.add_path.empty()) {
    std::vector<uint8_t> v;
    for (const auto& a : c.add_path) {
      put_u16(v, a.afi_safi.afi);
      put_u8(v, a.afi_safi.safi);
      put_u8(v, uint8_t((a.receive ? add_path_receive : 0) | (a.send ? add_path_send : 0)));
    }
    put_capability(caps, capability_code::add_path, v);
  }
  if (c.enhanced_route_refresh) put_capability(caps, capability_code::enhanced_route_refresh, {});
  if (c.hostname) {
    std::vector<uint8_t> v;
    // Both names and their two length octets share the 255-octet value.
    std::string host = c.hostname->substr(0, 253);
    std::string domain = c.domain_name.value_or("").substr(0, 253 - host.size());
    put_u8(v, uint8_t(host.size()));
    v.insert(v.end(), host.begin(), host.end());
    put_u8(v, uint8_t(domain.size()));
    v.insert(v.end(), domain.begin(), domain.end());
    put_capability(caps, capability_code::fqdn, v);
  }
  for (const auto& u : c.unknown) put_capability(caps, u.code, u.value);
  return caps;
}

struct Parameter {
  uint8_t type;
  std::vector<uint8_t> value;
};

}  // namespace

std::vector<uint8_t> encode(const OpenMessage& open) {
  // Capabilities go into as few parameters as fit 255 octets each.
  std::vector<Parameter> params;
  for (auto& cap : encode_capabilities(open.capabilities)) {
    if (params.empty() || params.back().value.size() + cap.size() > 255)
      params.push_back({capabilities_parameter, {}});
    put_bytes(params.back().value, cap);
  }
  for (const auto& [type, value] : open.other_parameters) params.push_back({type, value});

  size_t plain_length = 0;
  bool any_long = false;
  for (const auto& p : params) {
    plain_length += 2 + p.value.size();
    any_long = any_long || p.value.size() > 255;
  }

  std::vector<uint8_t> out;
  wire::start_message(out, MessageType::open);
  put_u8(out, open.version);
  put_u16(out, open.my_as);
  put_u16(out, open.hold_time);
  put_u32(out, open.bgp_identifier);
  if (plain_length <= 255 && !any_long) {
    put_u8(out, uint8_t(plain_length));
    for (const auto& p : params) {
      put_u8(out, p.type);
      put_u8(out, uint8_t(p.value.size()));
      put_bytes(out, p.value);
    }
  } else {
    // RFC 9072 §2: Non-Ext OP Len 255, Non-Ext OP Type 255, a two-octet
    // length, then parameters with two-octet lengths.
    put_u8(out, extended_parameters_marker);
    put_u8(out, extended_parameters_marker);
    size_t length_at = out.size();
    put_u16(out, 0);
    for (const auto& p : params) {
      put_u8(out, p.type);
      put_u16(out, uint16_t(p.value.size()));
      put_bytes(out, p.value);
    }
    wire::patch_u16(out, length_at, uint16_t(out.size() - length_at - 2));
  }
  wire::finish_message(out);
  return out;
}

namespace {

Notification open_error(uint8_t subcode, std::vector<uint8_t> data = {}) {
  return wire::make_notification(error_code::open_message, subcode, std::move(data));
}

// Decodes one capability into `caps`; false if its value is malformed.
bool decode_capability(uint8_t code, std::span<const uint8_t> value, Capabilities& caps) {
  wire::ByteReader r(value);
  switch (code) {
    case capability_code::multiprotocol: {
      if (value.size() != 4) return false;
      AfiSafi f;
      f.afi = r.u16();
      r.u8();  // Reserved
      f.safi = r.u8();
      if (std::find(caps.multiprotocol.begin(), caps.multiprotocol.end(), f) == caps.multiprotocol.end())
        caps.multiprotocol.push_back(f);
      return true;
    }
    case capability_code::route_refresh:
      caps.route_refresh = true;  // RFC 2918 §2: length 0; extra octets ignored
      return true;
    case capability_code::enhanced_route_refresh:
      caps.enhanced_route_refresh = true;
      return true;
    case capability_code::extended_message:
      caps.extended_message = true;
      return true;
    case capability_code::four_octet_as:
      if (value.size() != 4) return false;
      caps.four_octet_as = r.u32();
      return true;
    case capability_code::graceful_restart: {
      if (value.size() < 2 || (value.size() - 2) % 4 != 0) return false;
      GracefulRestart gr;
      uint16_t head = r.u16();
      gr.restart_state = head & gr_restart_state;
      gr.notification = head & gr_notification;
      gr.restart_time = head & gr_time_mask;
      while (r.has(4)) {
        GracefulRestart::Family f;
        f.afi_safi.afi = r.u16();
        f.afi_safi.safi = r.u8();
        f.forwarding_preserved = r.u8() & gr_forwarding_preserved;
        gr.families.push_back(f);
      }
      caps.graceful_restart = gr;
      return true;
    }
    case capability_code::add_path: {
      if (value.empty() || value.size() % 4 != 0) return false;
      while (r.has(4)) {
        AddPath a;
        a.afi_safi.afi = r.u16();
        a.afi_safi.safi = r.u8();
        uint8_t mode = r.u8();
        if (mode == 0 || mode > 3) return false;  // RFC 7911 §4: values 1..3
        a.receive = mode & add_path_receive;
        a.send = mode & add_path_send;
        caps.add_path.push_back(a);
      }
      return true;
    }
    case capability_code::fqdn: {
      // draft-walton-bgp-hostname-capability §3: two length-prefixed strings.
      if (!r.has(1)) return false;
      size_t host_length = r.u8();
      if (!r.has(host_length + 1)) return false;
      auto host = r.take(host_length);
      size_t domain_length = r.u8();
      if (!r.has(domain_length)) return false;
      auto domain = r.take(domain_length);
      caps.hostname = std::string(host.begin(), host.end());
      caps.domain_name = std::string(domain.begin(), domain.end());
      return true;
    }
    default:
      caps.unknown.push_back(UnknownCapability{code, std::vector<uint8_t>(value.begin(), value.end())});
      return true;
  }
}

}  // namespace

Decoded decode_open(std::span<const uint8_t> body) {
  if (body.size() < open_fixed_size)
    return wire::session_reset(wire::make_notification(error_code::message_header, header_subcode::bad_message_length,
                                                       wire::u16_bytes(uint16_t(header_size + body.size()))),
                               "OPEN shorter than 29 octets (RFC 4271 §6.1)");
  wire::ByteReader r(body);
  OpenMessage open;
  open.version = r.u8();
  open.my_as = r.u16();
  open.hold_time = r.u16();
  open.bgp_identifier = r.u32();
  size_t params_length = r.u8();

  // RFC 4271 §6.2: the version we support is sent in the data.
  if (open.version != 4)
    return wire::session_reset(open_error(open_subcode::unsupported_version, wire::u16_bytes(4)),
                               "BGP version " + std::to_string(open.version) + " (RFC 4271 §6.2)");

  bool extended = false;
  if (params_length > 0 && r.has(1) && body[open_fixed_size] == extended_parameters_marker) {
    // RFC 9072 §2: the first parameter type 255 announces the extended form.
    r.u8();
    if (!r.has(2))
      return wire::session_reset(open_error(0), "truncated extended optional parameters length (RFC 9072 §2)");
    params_length = r.u16();
    extended = true;
  }
  if (r.remaining() != params_length)
    return wire::session_reset(open_error(0), "optional parameters length " + std::to_string(params_length) +
                                                  " does not match the " + std::to_string(r.remaining()) +
                                                  " octets present (RFC 4271 §6.2)");

  Decoded d;
  size_t length_size = extended ? 2 : 1;
  while (!r.done()) {
    if (!r.has(1 + length_size))
      return wire::session_reset(open_error(0), "truncated optional parameter header (RFC 4271 §4.2)");
    uint8_t type = r.u8();
    size_t length = extended ? r.u16() : r.u8();
    if (!r.has(length)) return wire::session_reset(open_error(0), "optional parameter overruns the OPEN (RFC 4271 §4.2)");
    auto value = r.take(length);
    if (type != capabilities_parameter) {
      // RFC 4271 §6.2: unrecognized optional parameters end the session;
      // the parameter is still returned so it can be logged.
      open.other_parameters.emplace_back(type, std::vector<uint8_t>(value.begin(), value.end()));
      wire::add_problem(d, ErrorAction::session_reset, open_error(open_subcode::unsupported_optional_parameter),
                        "unsupported optional parameter type " + std::to_string(type) + " (RFC 4271 §6.2)");
      continue;
    }
    // RFC 5492 §4: one parameter may hold several capabilities, and a
    // capability may be repeated across parameters.
    wire::ByteReader caps(value);
    while (!caps.done()) {
      if (!caps.has(2)) return wire::session_reset(open_error(0), "truncated capability header (RFC 5492 §4)");
      uint8_t code = caps.u8();
      size_t cap_length = caps.u8();
      if (!caps.has(cap_length))
        return wire::session_reset(open_error(0), "capability " + std::to_string(code) + " overruns its parameter (RFC 5492 §4)");
      if (!decode_capability(code, caps.take(cap_length), open.capabilities))
        return wire::session_reset(open_error(0), "malformed capability " + std::to_string(code) + " (RFC 5492 §4)");
    }
  }

  // RFC 4271 §6.2: hold time 1 or 2 is unacceptable; RFC 6286 §2.2: the
  // identifier must be non-zero.
  if (open.hold_time == 1 || open.hold_time == 2)
    wire::add_problem(d, ErrorAction::session_reset, open_error(open_subcode::unacceptable_hold_time),
                      "hold time " + std::to_string(open.hold_time) + " (RFC 4271 §6.2)");
  if (open.bgp_identifier == 0)
    wire::add_problem(d, ErrorAction::session_reset, open_error(open_subcode::bad_bgp_identifier),
                      "BGP identifier 0 (RFC 6286 §2.2)");
  d.message = std::move(open);
  return d;
}

}  // namespace halink::bgp
