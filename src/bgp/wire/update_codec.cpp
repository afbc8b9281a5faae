// UPDATE (RFC 4271 §4.3) with MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760),
// ADD-PATH (RFC 7911) and the RFC 7606 outcome of every malformation.
#include "bgp/wire/update_codec.h"

#include <algorithm>

#include "bgp/wire/attribute_codec.h"
#include "bgp/wire/byte_io.h"
#include "bgp/wire/decode_outcome.h"
#include "bgp/wire/nlri_codec.h"

namespace halink::bgp {

using wire::add_problem;
using wire::put_u16;
using wire::put_u8;

namespace {

const AfiSafi ipv4_unicast{afi::ipv4, safi::unicast};

Notification update_error(uint8_t subcode, std::span<const uint8_t> data = {}) {
  return wire::make_notification(error_code::update_message, subcode, std::vector<uint8_t>(data.begin(), data.end()));
}

bool add_path_receive(const CodecContext& ctx, AfiSafi f) { return wire::contains(ctx.add_path_receive, f); }
bool add_path_send(const CodecContext& ctx, AfiSafi f) { return wire::contains(ctx.add_path_send, f); }

// Next hop lengths accepted for unicast: an IPv4 address (4), or IPv6
// global [+ link-local] (16/32, RFC 2545 §3; RFC 8950 §3 for IPv4 NLRI).
// An IPv4 next hop for IPv6 NLRI is sent by some speakers (ExaBGP); it is
// framed unambiguously, so it is accepted and judged usable or not later.
bool valid_next_hop_length(size_t n) { return n == 4 || n == 16 || n == 32; }

// Decodes MP_REACH_NLRI; RFC 7606 §7.11: any malformation is a session
// reset (we do not implement AFI/SAFI disable).
void decode_mp_reach(std::span<const uint8_t> value, std::span<const uint8_t> whole, const CodecContext& ctx,
                     Update& u, Decoded& d) {
  auto reset = [&](const std::string& why) {
    add_problem(d, ErrorAction::session_reset, update_error(update_subcode::optional_attribute_error, whole),
                "MP_REACH_NLRI: " + why + " (RFC 7606 §7.11, RFC 4760 §7)");
  };
  wire::ByteReader r(value);
  if (!r.has(5)) return reset("shorter than 5 octets");
  AfiSafi f;
  f.afi = r.u16();
  f.safi = r.u8();
  size_t next_hop_length = r.u8();
  if (!r.has(next_hop_length + 1)) return reset("next hop overruns the attribute");
  if (!f.is_unicast()) {
    u.unsupported.push_back(UnsupportedFamily{f, true, std::vector<uint8_t>(value.begin(), value.end())});
    return;
  }
  if (!valid_next_hop_length(next_hop_length))
    return reset("next hop length " + std::to_string(next_hop_length) + " for " + f.to_string());
  auto next_hop = r.take(next_hop_length);
  r.u8();  // Reserved (RFC 4760 §3)
  NlriList nlri;
  std::string why = wire::decode_prefixes(r.rest(), f.family(), add_path_receive(ctx, f), nlri);
  if (!why.empty()) return reset("NLRI " + why);
  if (next_hop_length == 4) {
    u.attributes.next_hop = IpAddress::from_bytes(Family::ipv4, next_hop);
  } else {
    u.attributes.next_hop = IpAddress::from_bytes(Family::ipv6, next_hop.first(16));
    if (next_hop_length == 32) u.attributes.link_local_next_hop = IpAddress::from_bytes(Family::ipv6, next_hop.subspan(16));
  }
  u.mp_reach_family = f;
  u.mp_nlri = std::move(nlri);
}

// RFC 7606 §7.12: like MP_REACH_NLRI, a malformation is a session reset.
void decode_mp_unreach(std::span<const uint8_t> value, std::span<const uint8_t> whole, const CodecContext& ctx,
                       Update& u, Decoded& d) {
  auto reset = [&](const std::string& why) {
    add_problem(d, ErrorAction::session_reset, update_error(update_subcode::optional_attribute_error, whole),
                "MP_UNREACH_NLRI: " + why + " (RFC 7606 §7.12, RFC 4760 §7)");
  };
  wire::ByteReader r(value);
  if (!r.has(3)) return reset("shorter than 3 octets");
  AfiSafi f;
  f.afi = r.u16();
  f.safi = r.u8();
  if (!f.is_unicast()) {
    u.unsupported.push_back(UnsupportedFamily{f, false, std::vector<uint8_t>(value.begin(), value.end())});
    return;
  }
  NlriList withdrawn;
  std::string why = wire::decode_prefixes(r.rest(), f.family(), add_path_receive(ctx, f), withdrawn);
  if (!why.empty()) return reset("withdrawn NLRI " + why);
  u.mp_unreach_family = f;
  u.mp_withdrawn = std::move(withdrawn);
}

// RFC 7606 §3(d): missing well-known mandatory attributes are
// treat-as-withdraw; NEXT_HOP is only mandatory with IPv4 NLRI-field routes
// (RFC 4760 §3 moved it into MP_REACH_NLRI for the others).
void check_mandatory(const wire::ParsedAttributes& p, const Update& u, Decoded& d) {
  bool reachable = !u.nlri.empty() || !u.mp_nlri.empty();
  if (!reachable) return;
  auto require = [&](AttrType t, const char* name) {
    if (p.seen[uint8_t(t)]) return;
    add_problem(d, ErrorAction::treat_as_withdraw,
                update_error(update_subcode::missing_well_known_attribute, std::vector<uint8_t>{uint8_t(t)}),
                std::string("missing ") + name + " (RFC 7606 §3(d))");
  };
  require(AttrType::origin, "ORIGIN");
  require(AttrType::as_path, "AS_PATH");
  if (!u.nlri.empty()) require(AttrType::next_hop, "NEXT_HOP");
}

}  // namespace

Decoded decode_update(std::span<const uint8_t> body, const CodecContext& ctx) {
  Decoded d;
  wire::ByteReader r(body);
  // RFC 4271 §6.3 / RFC 7606 §3(b): lengths that do not add up are a
  // Malformed Attribute List and reset the session.
  auto malformed_list = [&](const std::string& why) {
    return wire::session_reset(update_error(update_subcode::malformed_attribute_list), why + " (RFC 4271 §6.3)");
  };
  if (!r.has(2)) return malformed_list("no Withdrawn Routes Length");
  size_t withdrawn_length = r.u16();
  if (!r.has(withdrawn_length + 2)) return malformed_list("Withdrawn Routes Length overruns the UPDATE");
  auto withdrawn = r.take(withdrawn_length);
  size_t attributes_length = r.u16();
  if (!r.has(attributes_length)) return malformed_list("Total Path Attribute Length overruns the UPDATE");
  auto attributes = r.take(attributes_length);
  auto nlri = r.rest();

  Update u;
  // RFC 7606 §5.3 / §3(j): NLRI that cannot be parsed leave nothing to
  // withdraw, so the session is reset (RFC 4271 §6.3 Invalid Network Field).
  bool ipv4_add_path = add_path_receive(ctx, ipv4_unicast);
  std::string why = wire::decode_prefixes(withdrawn, Family::ipv4, ipv4_add_path, u.withdrawn);
  if (!why.empty())
    return wire::session_reset(update_error(update_subcode::invalid_network_field),
                               "Withdrawn Routes: " + why + " (RFC 7606 §5.3)");
  why = wire::decode_prefixes(nlri, Family::ipv4, ipv4_add_path, u.nlri);
  if (!why.empty())
    return wire::session_reset(update_error(update_subcode::invalid_network_field), "NLRI: " + why + " (RFC 7606 §5.3)");

  wire::ParsedAttributes p;
  wire::decode_attributes(attributes, ctx, p, d);
  if (d.action == ErrorAction::session_reset) return d;
  u.attributes = std::move(p.attributes);
  if (p.mp_unreach) decode_mp_unreach(*p.mp_unreach, *p.mp_unreach_whole, ctx, u, d);
  if (p.mp_reach) decode_mp_reach(*p.mp_reach, *p.mp_reach_whole, ctx, u, d);
  if (d.action == ErrorAction::session_reset) return d;
  check_mandatory(p, u, d);

  // RFC 7606 §5.2: with attributes but no reachable NLRI, an error worse
  // than attribute discard cannot be confined to routes: reset.
  bool reachable = !u.nlri.empty() || u.mp_reach_family.has_value();
  for (const auto& x : u.unsupported) reachable = reachable || x.reach;
  if (d.action == ErrorAction::treat_as_withdraw && !reachable) {
    Notification n;
    for (const auto& problem : d.problems)
      if (problem.action == ErrorAction::treat_as_withdraw) {
        n = problem.notification;
        break;
      }
    add_problem(d, ErrorAction::session_reset, n, "malformed attribute in an UPDATE without reachable NLRI (RFC 7606 §5.2)");
    return d;
  }
  d.message = std::move(u);
  return d;
}

// ---- Encoding

namespace {

void put_mp_unreach(const Update& u, const CodecContext& ctx, std::vector<uint8_t>& out) {
  AfiSafi f = *u.mp_unreach_family;
  size_t start = wire::start_attribute(out, attr_flag::optional, uint8_t(AttrType::mp_unreach_nlri));
  put_u16(out, f.afi);
  put_u8(out, f.safi);
  wire::encode_prefixes(u.mp_withdrawn, add_path_send(ctx, f), out);
  wire::finish_attribute(out, start);
}

// MP_REACH_NLRI's value up to its NLRI (RFC 4760 §3): AFI, SAFI, next hop, Reserved.
void put_mp_reach_head(AfiSafi f, const PathAttributes& a, std::vector<uint8_t>& out) {
  put_u16(out, f.afi);
  put_u8(out, f.safi);
  if (!a.next_hop) {
    put_u8(out, 0);
  } else if (a.next_hop->is_v4()) {
    put_u8(out, 4);
    wire::put_bytes(out, a.next_hop->bytes());
  } else {
    // RFC 2545 §3: global, then link-local when we have one.
    put_u8(out, a.link_local_next_hop ? 32 : 16);
    wire::put_bytes(out, a.next_hop->bytes());
    if (a.link_local_next_hop) wire::put_bytes(out, a.link_local_next_hop->bytes());
  }
  put_u8(out, 0);  // Reserved
}

void put_mp_reach(const Update& u, const CodecContext& ctx, std::vector<uint8_t>& out) {
  AfiSafi f = *u.mp_reach_family;
  size_t start = wire::start_attribute(out, attr_flag::optional, uint8_t(AttrType::mp_reach_nlri));
  put_mp_reach_head(f, u.attributes, out);
  wire::encode_prefixes(u.mp_nlri, add_path_send(ctx, f), out);
  wire::finish_attribute(out, start);
}

}  // namespace

std::vector<uint8_t> encode(const Update& u, const CodecContext& ctx) {
  std::vector<uint8_t> out;
  out.reserve(512);
  wire::start_message(out, MessageType::update);
  bool ipv4_add_path = add_path_send(ctx, ipv4_unicast);

  size_t withdrawn_at = out.size();
  put_u16(out, 0);
  wire::encode_prefixes(u.withdrawn, ipv4_add_path, out);
  wire::patch_u16(out, withdrawn_at, uint16_t(out.size() - withdrawn_at - 2));

  size_t attributes_at = out.size();
  put_u16(out, 0);
  // RFC 7606 §5.1: the MP attributes go first.
  if (u.mp_unreach_family) put_mp_unreach(u, ctx, out);
  if (u.mp_reach_family) put_mp_reach(u, ctx, out);
  for (const auto& x : u.unsupported)
    wire::put_attribute(out, attr_flag::optional,
                        uint8_t(x.reach ? AttrType::mp_reach_nlri : AttrType::mp_unreach_nlri), x.value);
  bool with_next_hop = !u.mp_reach_family || !u.nlri.empty();
  wire::encode_attributes(u.attributes, with_next_hop, ctx, out);
  wire::patch_u16(out, attributes_at, uint16_t(out.size() - attributes_at - 2));

  wire::encode_prefixes(u.nlri, ipv4_add_path, out);
  wire::finish_message(out);
  return out;
}

Update Update::end_of_rib(AfiSafi family) {
  Update u;
  // RFC 4724 §2: IPv4 unicast uses the empty UPDATE, others an empty
  // MP_UNREACH_NLRI.
  if (family != ipv4_unicast) u.mp_unreach_family = family;
  return u;
}

std::optional<AfiSafi> Update::end_of_rib_family() const {
  if (!withdrawn.empty() || !nlri.empty() || mp_reach_family || !mp_nlri.empty() || !mp_withdrawn.empty() ||
      !(attributes == PathAttributes{}))
    return std::nullopt;
  if (unsupported.empty()) return mp_unreach_family.value_or(ipv4_unicast);
  // An End-of-RIB of a family we do not route: MP_UNREACH with AFI/SAFI only.
  if (!mp_unreach_family && unsupported.size() == 1 && !unsupported[0].reach && unsupported[0].value.size() == 3)
    return unsupported[0].afi_safi;
  return std::nullopt;
}

// ---- Splitting

size_t encoded_size(const Update& u, const CodecContext& ctx) { return encode(u, ctx).size(); }

namespace {

// Moves prefixes [begin, end) of `from` into a new list.
NlriList slice(const NlriList& from, size_t begin, size_t end) {
  NlriList out;
  out.prefixes.assign(from.prefixes.begin() + long(begin), from.prefixes.begin() + long(end));
  if (!from.path_ids.empty()) {
    size_t id_end = std::min(end, from.path_ids.size());
    if (begin < id_end) out.path_ids.assign(from.path_ids.begin() + long(begin), from.path_ids.begin() + long(id_end));
  }
  return out;
}

// The MP attributes are measured with their two-octet length form and one
// octet more, so a part's budget is never optimistic.
constexpr size_t mp_long_header_slack = 1;

// Cuts `list` into runs whose encoded size each fits `budget`; returns the
// run boundaries, or nothing if a single prefix does not fit.
std::vector<std::pair<size_t, size_t>> runs(const NlriList& list, bool add_path, size_t budget) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t begin = 0, used = 0;
  for (size_t i = 0; i < list.prefixes.size(); ++i) {
    size_t n = wire::encoded_prefix_size(list.prefixes[i], add_path);
    if (n > budget) return {};
    if (used + n > budget) {
      out.emplace_back(begin, i);
      begin = i;
      used = 0;
    }
    used += n;
  }
  if (begin < list.prefixes.size()) out.emplace_back(begin, list.prefixes.size());
  return out;
}

}  // namespace

std::vector<Update> split_update(const Update& update, const CodecContext& ctx) {
  const size_t max_size = ctx.max_size();
  std::vector<Update> out;
  bool has_nlri = !update.withdrawn.empty() || !update.nlri.empty() || !update.mp_nlri.empty() ||
                  !update.mp_withdrawn.empty();
  if (!has_nlri) {
    out.push_back(update);
    return out;
  }
  // Each part's budget is what remains once its fixed parts are encoded
  // (mp_long_header_slack below).

  if (!update.withdrawn.empty()) {
    Update empty;
    size_t budget = max_size - encoded_size(empty, ctx);
    bool ap = add_path_send(ctx, ipv4_unicast);
    auto parts = runs(update.withdrawn, ap, budget);
    if (parts.empty()) return {};
    for (auto [b, e] : parts) {
      Update part;
      part.withdrawn = slice(update.withdrawn, b, e);
      out.push_back(std::move(part));
    }
  }
  if (update.mp_unreach_family && !update.mp_withdrawn.empty()) {
    Update shell;
    shell.mp_unreach_family = update.mp_unreach_family;
    size_t budget = max_size - encoded_size(shell, ctx) - mp_long_header_slack;
    auto parts = runs(update.mp_withdrawn, add_path_send(ctx, *update.mp_unreach_family), budget);
    if (parts.empty()) return {};
    for (auto [b, e] : parts) {
      Update part = shell;
      part.mp_withdrawn = slice(update.mp_withdrawn, b, e);
      out.push_back(std::move(part));
    }
  }
  if (!update.nlri.empty()) {
    Update shell;
    shell.attributes = update.attributes;
    if (shell.attributes.next_hop && !shell.attributes.next_hop->is_v4()) shell.attributes.next_hop.reset();
    shell.attributes.link_local_next_hop.reset();
    size_t fixed = encoded_size(shell, ctx);
    if (fixed >= max_size) return {};
    auto parts = runs(update.nlri, add_path_send(ctx, ipv4_unicast), max_size - fixed);
    if (parts.empty()) return {};
    for (auto [b, e] : parts) {
      Update part = shell;
      part.nlri = slice(update.nlri, b, e);
      out.push_back(std::move(part));
    }
  }
  if (update.mp_reach_family && !update.mp_nlri.empty()) {
    Update shell;
    shell.attributes = update.attributes;
    shell.mp_reach_family = update.mp_reach_family;
    size_t fixed = encoded_size(shell, ctx) + mp_long_header_slack;
    if (fixed >= max_size) return {};
    auto parts = runs(update.mp_nlri, add_path_send(ctx, *update.mp_reach_family), max_size - fixed);
    if (parts.empty()) return {};
    for (auto [b, e] : parts) {
      Update part = shell;
      part.mp_nlri = slice(update.mp_nlri, b, e);
      out.push_back(std::move(part));
    }
  }
  if (!update.unsupported.empty()) {
    Update part;
    part.attributes = update.attributes;
    part.unsupported = update.unsupported;
    out.push_back(std::move(part));
  }
  return out;
}

// ---- Appending split messages without building them

namespace {

// The 19-octet header at the end of `out`; returns where the message starts.
size_t append_update_header(std::vector<uint8_t>& out) {
  const size_t at = out.size();
  out.insert(out.end(), 16, 0xFF);
  put_u16(out, 0);
  put_u8(out, uint8_t(MessageType::update));
  return at;
}

void finish_appended_message(std::vector<uint8_t>& out, size_t at) {
  wire::patch_u16(out, at + 16, uint16_t(out.size() - at));
}

void put_prefix(const Prefix& p, bool add_path, std::vector<uint8_t>& out) {
  if (add_path) wire::put_u32(out, 0);  // path id 0, as encode_prefixes without path ids
  put_u8(out, uint8_t(p.length()));
  const auto bytes = p.address().bytes();
  out.insert(out.end(), bytes.begin(), bytes.begin() + (p.length() + 7) / 8);
}

// Whether every prefix fits a message's NLRI budget on its own.
bool each_fits(std::span<const Prefix> prefixes, bool add_path, size_t budget) {
  for (const Prefix& p : prefixes)
    if (wire::encoded_prefix_size(p, add_path) > budget) return false;
  return true;
}

// Puts prefixes from `next` on while they fit `budget` (the greedy cut of
// runs() above, so the messages are split_update's); returns the new next.
size_t put_prefix_run(std::span<const Prefix> prefixes, size_t next, bool add_path, size_t budget,
                      std::vector<uint8_t>& out) {
  for (size_t used = 0; next < prefixes.size(); ++next) {
    const size_t n = wire::encoded_prefix_size(prefixes[next], add_path);
    if (used + n > budget) break;
    used += n;
    put_prefix(prefixes[next], add_path, out);
  }
  return next;
}

// Header, Withdrawn Routes Length and Total Path Attribute Length.
constexpr size_t empty_update_size = 19 + 2 + 2;
// An MP attribute without NLRI, as split_update measures its shell: flags,
// type and the one-octet length finish_attribute gives a short value; with
// mp_long_header_slack it is the two-octet form the parts may need.
constexpr size_t short_attribute_header = 3;

}  // namespace

bool append_announcement(const PathAttributes& attributes, Family family, std::span<const Prefix> prefixes,
                         const CodecContext& ctx, std::vector<uint8_t>& out) {
  if (prefixes.empty()) return true;
  const AfiSafi f = AfiSafi::unicast(family);
  const bool add_path = add_path_send(ctx, f);
  const bool nlri_field = f == ipv4_unicast;  // else MP_REACH_NLRI (RFC 4760 §3)
  // Every attribute but MP_REACH_NLRI: the same octets in each message.
  std::vector<uint8_t> common;
  wire::encode_attributes(attributes, nlri_field, ctx, common);
  std::vector<uint8_t> mp_head;  // MP_REACH_NLRI up to its NLRI
  if (!nlri_field) put_mp_reach_head(f, attributes, mp_head);
  const size_t fixed = empty_update_size + common.size() +
                       (nlri_field ? 0 : short_attribute_header + mp_head.size() + mp_long_header_slack);
  const size_t max_size = ctx.max_size();
  if (fixed >= max_size || !each_fits(prefixes, add_path, max_size - fixed)) return false;
  for (size_t next = 0; next < prefixes.size();) {
    const size_t at = append_update_header(out);
    put_u16(out, 0);  // no withdrawn routes
    const size_t attributes_at = out.size();
    put_u16(out, 0);
    if (!nlri_field) {
      // RFC 7606 §5.1: MP_REACH_NLRI first.
      const size_t mp_at = wire::start_attribute(out, attr_flag::optional, uint8_t(AttrType::mp_reach_nlri));
      wire::put_bytes(out, mp_head);
      next = put_prefix_run(prefixes, next, add_path, max_size - fixed, out);
      wire::finish_attribute(out, mp_at);
    }
    wire::put_bytes(out, common);
    wire::patch_u16(out, attributes_at, uint16_t(out.size() - attributes_at - 2));
    if (nlri_field) next = put_prefix_run(prefixes, next, add_path, max_size - fixed, out);
    finish_appended_message(out, at);
  }
  return true;
}

bool append_withdrawal(Family family, std::span<const Prefix> prefixes, const CodecContext& ctx,
                       std::vector<uint8_t>& out) {
  if (prefixes.empty()) return true;
  const AfiSafi f = AfiSafi::unicast(family);
  const bool add_path = add_path_send(ctx, f);
  const bool withdrawn_field = f == ipv4_unicast;  // else MP_UNREACH_NLRI (RFC 4760 §4)
  const size_t fixed =
      empty_update_size + (withdrawn_field ? 0 : short_attribute_header + 3 + mp_long_header_slack);
  const size_t max_size = ctx.max_size();
  if (!each_fits(prefixes, add_path, max_size - fixed)) return false;
  for (size_t next = 0; next < prefixes.size();) {
    const size_t at = append_update_header(out);
    if (withdrawn_field) {
      const size_t withdrawn_at = out.size();
      put_u16(out, 0);
      next = put_prefix_run(prefixes, next, add_path, max_size - fixed, out);
      wire::patch_u16(out, withdrawn_at, uint16_t(out.size() - withdrawn_at - 2));
      put_u16(out, 0);  // no attributes
    } else {
      put_u16(out, 0);  // no IPv4 withdrawn routes
      const size_t attributes_at = out.size();
      put_u16(out, 0);
      const size_t mp_at = wire::start_attribute(out, attr_flag::optional, uint8_t(AttrType::mp_unreach_nlri));
      put_u16(out, f.afi);
      put_u8(out, f.safi);
      next = put_prefix_run(prefixes, next, add_path, max_size - fixed, out);
      wire::finish_attribute(out, mp_at);
      wire::patch_u16(out, attributes_at, uint16_t(out.size() - attributes_at - 2));
    }
    finish_appended_message(out, at);
  }
  return true;
}

}  // namespace halink::bgp
