// Path attribute decoding and encoding.
//
// Decoding follows RFC 7606: each attribute's section says whether a
// malformation means treat-as-withdraw, attribute discard or session reset,
// and a malformed attribute never reaches PathAttributes (so it can never be
// passed on). 2- versus 4-octet AS numbers follow the session (RFC 6793).
#include "bgp/wire/attribute_codec.h"

#include <algorithm>
#include <cstdio>

#include "bgp/wire/byte_io.h"
#include "bgp/wire/decode_outcome.h"

namespace halink::bgp::wire {
namespace {

using attr_flag::extended_length;
using attr_flag::optional;
using attr_flag::partial;
using attr_flag::transitive;

constexpr uint8_t well_known = transitive;  // RFC 4271 §5: O=0, T=1
constexpr uint8_t optional_transitive = optional | transitive;
constexpr uint8_t optional_non_transitive = optional;

// The Optional and Transitive bits each known attribute must carry.
std::optional<uint8_t> expected_flags(uint8_t type) {
  switch (AttrType(type)) {
    case AttrType::origin:
    case AttrType::as_path:
    case AttrType::next_hop:
    case AttrType::local_pref:
    case AttrType::atomic_aggregate: return well_known;
    case AttrType::multi_exit_disc:
    case AttrType::originator_id:
    case AttrType::cluster_list:
    case AttrType::mp_reach_nlri:
    case AttrType::mp_unreach_nlri: return optional_non_transitive;
    case AttrType::aggregator:
    case AttrType::communities:
    case AttrType::extended_communities:
    case AttrType::as4_path:
    case AttrType::as4_aggregator:
    case AttrType::large_communities: return optional_transitive;
  }
  return std::nullopt;
}

bool is_mp(uint8_t type) {
  return type == uint8_t(AttrType::mp_reach_nlri) || type == uint8_t(AttrType::mp_unreach_nlri);
}

Notification update_error(uint8_t subcode, std::span<const uint8_t> data = {}) {
  return make_notification(error_code::update_message, subcode, std::vector<uint8_t>(data.begin(), data.end()));
}

std::string name_of(uint8_t type) { return "attribute " + std::to_string(type); }

// AS_PATH / AS4_PATH segments (RFC 4271 §4.3, RFC 6793 §3). Returns an
// empty string when well-formed, else the RFC 7606 §7.2 malformation.
std::string decode_as_path(std::span<const uint8_t> value, size_t as_size, AsPath& out) {
  ByteReader r(value);
  while (!r.done()) {
    if (!r.has(2)) return "one octet left after the last segment";
    uint8_t type = r.u8();
    size_t count = r.u8();
    if (type < 1 || type > 4) return "unknown segment type " + std::to_string(type);
    if (count == 0) return "segment of zero length";
    if (!r.has(count * as_size)) return "segment overruns the attribute";
    AsPathSegment seg;
    seg.type = AsPathSegmentType(type);
    seg.asns.resize(count);
    for (size_t i = 0; i < count; ++i) seg.asns[i] = as_size == 4 ? r.u32() : r.u16();
    out.segments.push_back(std::move(seg));
  }
  return {};
}

// RFC 6793 §4.2.3: the number of ASes for the AS_PATH/AS4_PATH comparison
// counts an AS_SET as one and confederation segments as zero.
size_t rfc6793_count(const AsPath& p) { return p.decision_length(); }

// Leading part of `path` holding `n` counted ASes, followed by `as4`.
AsPath merge_as4_path(const AsPath& path, const AsPath& as4) {
  size_t take = rfc6793_count(path) - rfc6793_count(as4);
  AsPath merged;
  for (const auto& seg : path.segments) {
    if (take == 0 && seg.type != AsPathSegmentType::confed_sequence && seg.type != AsPathSegmentType::confed_set)
      break;
    if (seg.type == AsPathSegmentType::as_sequence) {
      size_t n = std::min(take, seg.asns.size());
      merged.segments.push_back({seg.type, {seg.asns.begin(), seg.asns.begin() + long(n)}});
      take -= n;
    } else {
      merged.segments.push_back(seg);
      if (seg.type == AsPathSegmentType::as_set) take -= 1;
    }
  }
  for (const auto& seg : as4.segments) {
    auto& segs = merged.segments;
    // Join the seam so the merged path reads as one AS_SEQUENCE.
    if (!segs.empty() && seg.type == AsPathSegmentType::as_sequence &&
        segs.back().type == AsPathSegmentType::as_sequence && segs.back().asns.size() + seg.asns.size() <= 255) {
      segs.back().asns.insert(segs.back().asns.end(), seg.asns.begin(), seg.asns.end());
    } else {
      segs.push_back(seg);
    }
  }
  return merged;
}

struct As4Attributes {
  std::optional<AsPath> path;
  std::optional<Aggregator> aggregator;
};

// Decodes one attribute whose header is already read and not a duplicate.
void decode_one(uint8_t flags, uint8_t type, std::span<const uint8_t> value, std::span<const uint8_t> whole,
                const CodecContext& ctx, ParsedAttributes& p, As4Attributes& as4, Decoded& d) {
  PathAttributes& a = p.attributes;
  auto expected = expected_flags(type);
  if (!expected) {
    if (!(flags & optional)) {
      add_problem(d, ErrorAction::session_reset, update_error(update_subcode::unrecognized_well_known_attribute, whole),
                  "unrecognized well-known " + name_of(type) + " (RFC 4271 §6.3)");
    } else if (flags & transitive) {
      // RFC 4271 §5: passed on with Partial set, since we did not recognize it.
      a.unknown.push_back(UnknownAttribute{uint8_t((flags | partial) & ~extended_length), type,
                                           std::vector<uint8_t>(value.begin(), value.end())});
    }
    // Unrecognized optional non-transitive: quietly ignored (RFC 4271 §5).
    return;
  }

  const size_t length = value.size();
  ByteReader r(value);
  auto treat_as_withdraw = [&](uint8_t subcode, const std::string& why, std::span<const uint8_t> data) {
    add_problem(d, ErrorAction::treat_as_withdraw, update_error(subcode, data), why);
  };
  auto discard = [&](uint8_t subcode, const std::string& why) {
    add_problem(d, ErrorAction::attribute_discard, update_error(subcode, whole), why);
  };
  auto length_error = [&](const std::string& section) {
    treat_as_withdraw(update_subcode::attribute_length_error,
                      name_of(type) + " has length " + std::to_string(length) + " (" + section + ")", whole);
  };

  if ((flags & (optional | transitive)) != *expected) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", flags);
    std::string why = name_of(type) + " has flags " + hex + " conflicting with its type";
    if (is_mp(type)) {
      // RFC 7606 §5.3 / §3(j): the MP attributes cannot be located safely.
      add_problem(d, ErrorAction::session_reset, update_error(update_subcode::attribute_flags_error, whole),
                  why + " (RFC 7606 §3(j), §5.3)");
    } else if (type == uint8_t(AttrType::as4_path) || type == uint8_t(AttrType::as4_aggregator)) {
      discard(update_subcode::attribute_flags_error, why + " (RFC 6793 §6: malformed AS4 attributes are discarded)");
    } else {
      treat_as_withdraw(update_subcode::attribute_flags_error, why + " (RFC 7606 §3(c))", whole);
    }
    return;
  }

  switch (AttrType(type)) {
    case AttrType::origin: {
      if (length != 1) return length_error("RFC 7606 §7.1");
      uint8_t v = r.u8();
      if (v > uint8_t(Origin::incomplete))
        return treat_as_withdraw(update_subcode::invalid_origin_attribute,
                                 "ORIGIN value " + std::to_string(v) + " (RFC 7606 §7.1)", whole);
      a.origin = Origin(v);
      return;
    }
    case AttrType::as_path: {
      AsPath path;
      std::string why = decode_as_path(value, ctx.four_octet_as ? 4 : 2, path);
      if (!why.empty())
        return treat_as_withdraw(update_subcode::malformed_as_path, "AS_PATH: " + why + " (RFC 7606 §7.2)", {});
      a.as_path = std::move(path);
      return;
    }
    case AttrType::next_hop:
      // Only the length is the codec's business; whether the address is
      // usable depends on the session (RFC 4271 §5.1.3) and is checked there.
      if (length != 4) return length_error("RFC 7606 §7.3");
      a.next_hop = IpAddress::v4(r.u32());
      return;
    case AttrType::multi_exit_disc:
      if (length != 4) return length_error("RFC 7606 §7.4");
      a.med = r.u32();
      return;
    case AttrType::local_pref:
      if (!ctx.ibgp) return discard(0, "LOCAL_PREF from an external peer (RFC 7606 §7.5)");
      if (length != 4) return length_error("RFC 7606 §7.5");
      a.local_pref = r.u32();
      return;
    case AttrType::atomic_aggregate:
      if (length != 0)
        return discard(update_subcode::attribute_length_error,
                       "ATOMIC_AGGREGATE has length " + std::to_string(length) + " (RFC 7606 §7.6)");
      a.atomic_aggregate = true;
      return;
    case AttrType::aggregator: {
      size_t as_size = ctx.four_octet_as ? 4 : 2;
      if (length != as_size + 4)
        return discard(update_subcode::attribute_length_error,
                       "AGGREGATOR has length " + std::to_string(length) + " (RFC 7606 §7.7)");
      Aggregator agg;
      agg.asn = as_size == 4 ? r.u32() : r.u16();
      agg.address = IpAddress::v4(r.u32());
      a.aggregator = agg;
      return;
    }
    case AttrType::communities:
      if (length == 0 || length % 4 != 0) return length_error("RFC 7606 §7.8");
      a.communities.reserve(length / 4);
      while (!r.done()) a.communities.push_back(r.u32());
      return;
    case AttrType::originator_id:
      if (!ctx.ibgp) return discard(0, "ORIGINATOR_ID from an external peer (RFC 7606 §7.9)");
      if (length != 4) return length_error("RFC 7606 §7.9");
      a.originator_id = r.u32();
      return;
    case AttrType::cluster_list:
      if (!ctx.ibgp) return discard(0, "CLUSTER_LIST from an external peer (RFC 7606 §7.10)");
      if (length == 0 || length % 4 != 0) return length_error("RFC 7606 §7.10");
      a.cluster_list.reserve(length / 4);
      while (!r.done()) a.cluster_list.push_back(r.u32());
      return;
    case AttrType::mp_reach_nlri:
      p.mp_reach = value;
      p.mp_reach_whole = whole;
      return;
    case AttrType::mp_unreach_nlri:
      p.mp_unreach = value;
      p.mp_unreach_whole = whole;
      return;
    case AttrType::extended_communities:
      if (length == 0 || length % 8 != 0) return length_error("RFC 7606 §7.14");
      a.extended_communities.reserve(length / 8);
      while (!r.done()) a.extended_communities.push_back(r.u64());
      return;
    case AttrType::as4_path: {
      AsPath path;
      std::string why = decode_as_path(value, 4, path);
      for (const auto& s : path.segments)
        if (why.empty() && (s.type == AsPathSegmentType::confed_sequence || s.type == AsPathSegmentType::confed_set))
          why = "confederation segment";
      if (!why.empty()) return discard(update_subcode::malformed_as_path, "AS4_PATH: " + why + " (RFC 6793 §6)");
      as4.path = std::move(path);
      return;
    }
    case AttrType::as4_aggregator:
      if (length != 8)
        return discard(update_subcode::attribute_length_error,
                       "AS4_AGGREGATOR has length " + std::to_string(length) + " (RFC 6793 §6)");
      as4.aggregator = Aggregator{r.u32(), IpAddress::v4(r.u32())};
      return;
    case AttrType::large_communities:
      if (length == 0 || length % 12 != 0) return length_error("RFC 8092 §6");
      a.large_communities.reserve(length / 12);
      while (!r.done()) {
        LargeCommunity c;
        c.global_admin = r.u32();
        c.local_data1 = r.u32();
        c.local_data2 = r.u32();
        a.large_communities.push_back(c);
      }
      return;
  }
}

// RFC 6793 §4.2.3: rebuild the true path and aggregator from a 2-octet peer.
void reconcile_as4(const CodecContext& ctx, ParsedAttributes& p, As4Attributes& as4, Decoded& d) {
  if (!as4.path && !as4.aggregator) return;
  PathAttributes& a = p.attributes;
  if (ctx.four_octet_as) {
    // RFC 6793 §4.1: between NEW speakers these attributes are ignored.
    add_problem(d, ErrorAction::attribute_discard, Notification{},
                "AS4_PATH/AS4_AGGREGATOR from a 4-octet-AS peer ignored (RFC 6793 §4.1)");
    return;
  }
  if (a.aggregator && a.aggregator->asn != as_trans) {
    // The aggregating speaker was OLD: the AS4 attributes predate it.
    return;
  }
  if (as4.aggregator) a.aggregator = as4.aggregator;
  if (as4.path && a.as_path) {
    if (rfc6793_count(*a.as_path) < rfc6793_count(*as4.path)) return;  // ignore AS4_PATH
    a.as_path = merge_as4_path(*a.as_path, *as4.path);
  }
}

}  // namespace

void decode_attributes(std::span<const uint8_t> bytes, const CodecContext& ctx, ParsedAttributes& p, Decoded& d) {
  ByteReader r(bytes);
  As4Attributes as4;
  while (!r.done()) {
    size_t start = r.position();
    // RFC 7606 §4: a header or value that does not fit the Total Attribute
    // Length is treat-as-withdraw; the NLRI field is still found from it.
    // If the broken attribute is MP_REACH/MP_UNREACH its NLRI cannot be
    // located, so the session is reset (RFC 7606 §3(j), §5.3).
    uint8_t flags = r.u8();
    uint8_t type = r.has(1) ? r.u8() : 0;
    size_t length_size = (flags & extended_length) ? 2 : 1;
    bool header_fits = bytes.size() - start >= 2 + length_size;
    size_t length = 0;
    if (header_fits) length = length_size == 2 ? r.u16() : r.u8();
    if (!header_fits || !r.has(length)) {
      std::string why = header_fits ? name_of(type) + " length " + std::to_string(length) + " overruns the attributes"
                                    : "truncated attribute header";
      if (header_fits && is_mp(type))
        add_problem(d, ErrorAction::session_reset,
                    update_error(update_subcode::attribute_length_error, bytes.subspan(start)),
                    why + " (RFC 7606 §3(j), §5.3)");
      else
        add_problem(d, ErrorAction::treat_as_withdraw, update_error(update_subcode::malformed_attribute_list),
                    why + " (RFC 7606 §4)");
      break;
    }
    auto value = r.take(length);
    auto whole = bytes.subspan(start, r.position() - start);
    if (p.seen[type]) {
      // RFC 7606 §3(g): MP duplicates reset; others keep the first only.
      if (is_mp(type))
        add_problem(d, ErrorAction::session_reset, update_error(update_subcode::malformed_attribute_list),
                    "repeated " + name_of(type) + " (RFC 7606 §3(g))");
      else
        add_problem(d, ErrorAction::attribute_discard, update_error(update_subcode::malformed_attribute_list),
                    "repeated " + name_of(type) + " discarded (RFC 7606 §3(g))");
      continue;
    }
    p.seen[type] = true;
    decode_one(flags, type, value, whole, ctx, p, as4, d);
  }
  reconcile_as4(ctx, p, as4, d);
  std::sort(p.attributes.unknown.begin(), p.attributes.unknown.end(),
            [](const UnknownAttribute& x, const UnknownAttribute& y) { return x.type < y.type; });
}

// ---- Encoding

void put_attribute(std::vector<uint8_t>& out, uint8_t flags, uint8_t type, std::span<const uint8_t> value) {
  flags &= uint8_t(~extended_length);
  if (value.size() > 255) {
    put_u8(out, flags | extended_length);
    put_u8(out, type);
    put_u16(out, uint16_t(value.size()));
  } else {
    put_u8(out, flags);
    put_u8(out, type);
    put_u8(out, uint8_t(value.size()));
  }
  put_bytes(out, value);
}

size_t start_attribute(std::vector<uint8_t>& out, uint8_t flags, uint8_t type) {
  size_t start = out.size();
  put_u8(out, flags | extended_length);
  put_u8(out, type);
  put_u16(out, 0);
  return start;
}

void finish_attribute(std::vector<uint8_t>& out, size_t start) {
  size_t length = out.size() - start - 4;
  if (length <= 255) {
    // Short form when it fits: drop one length octet.
    out[start] &= uint8_t(~extended_length);
    out[start + 2] = uint8_t(length);
    out.erase(out.begin() + long(start) + 3);
  } else {
    patch_u16(out, start + 2, uint16_t(length));
  }
}

namespace {

bool needs_four_octets(const AsPath& path) {
  for (const auto& s : path.segments)
    for (uint32_t a : s.asns)
      if (a > 0xFFFF) return true;
  return false;
}

// AS_PATH value with `as_size` octets per AS; with 2 octets, larger ASes
// become AS_TRANS (RFC 6793 §4.2.2). Confederation segments are left out
// when `skip_confed` (AS4_PATH must not carry them).
void put_as_path(std::vector<uint8_t>& out, const AsPath& path, size_t as_size, bool skip_confed) {
  for (const auto& s : path.segments) {
    if (skip_confed && (s.type == AsPathSegmentType::confed_sequence || s.type == AsPathSegmentType::confed_set))
      continue;
    for (size_t begin = 0; begin < s.asns.size(); begin += 255) {
      size_t n = std::min<size_t>(255, s.asns.size() - begin);
      put_u8(out, uint8_t(s.type));
      put_u8(out, uint8_t(n));
      for (size_t i = begin; i < begin + n; ++i) {
        uint32_t asn = s.asns[i];
        if (as_size == 4) put_u32(out, asn);
        else put_u16(out, uint16_t(asn > 0xFFFF ? as_trans : asn));
      }
    }
  }
}

class AttributeWriter {
public:
  AttributeWriter(std::vector<uint8_t>& out, const std::vector<UnknownAttribute>& unknown)
      : out_(out), unknown_(unknown) {}
  // Unknown attributes with smaller type codes go first, keeping the order.
  void before(AttrType t) {
    while (next_ < unknown_.size() && unknown_[next_].type < uint8_t(t)) put_unknown(unknown_[next_++]);
  }
  void rest() {
    while (next_ < unknown_.size()) put_unknown(unknown_[next_++]);
  }

private:
  void put_unknown(const UnknownAttribute& u) {
    uint8_t flags = u.flags;
    if ((flags & optional) && (flags & transitive)) flags |= partial;  // RFC 4271 §5
    put_attribute(out_, flags, u.type, u.value);
  }
  std::vector<uint8_t>& out_;
  const std::vector<UnknownAttribute>& unknown_;
  size_t next_ = 0;
};

}  // namespace

void encode_attributes(const PathAttributes& a, bool with_next_hop, const CodecContext& ctx, std::vector<uint8_t>& out) {
  AttributeWriter w(out, a.unknown);
  uint8_t v[16];
  auto put_u32_attribute = [&](uint8_t flags, AttrType t, uint32_t x) {
    v[0] = uint8_t(x >> 24), v[1] = uint8_t(x >> 16), v[2] = uint8_t(x >> 8), v[3] = uint8_t(x);
    put_attribute(out, flags, uint8_t(t), {v, 4});
  };
  const bool as4_needed_path = !ctx.four_octet_as && a.as_path && needs_four_octets(*a.as_path);
  const bool as4_needed_aggregator = !ctx.four_octet_as && a.aggregator && a.aggregator->asn > 0xFFFF;

  w.before(AttrType::origin);
  if (a.origin) {
    v[0] = uint8_t(*a.origin);
    put_attribute(out, well_known, uint8_t(AttrType::origin), {v, 1});
  }
  w.before(AttrType::as_path);
  if (a.as_path) {
    size_t start = start_attribute(out, well_known, uint8_t(AttrType::as_path));
    put_as_path(out, *a.as_path, ctx.four_octet_as ? 4 : 2, false);
    finish_attribute(out, start);
  }
  w.before(AttrType::next_hop);
  if (with_next_hop && a.next_hop && a.next_hop->is_v4())
    put_u32_attribute(well_known, AttrType::next_hop, a.next_hop->v4_host_order());
  w.before(AttrType::multi_exit_disc);
  if (a.med) put_u32_attribute(optional_non_transitive, AttrType::multi_exit_disc, *a.med);
  w.before(AttrType::local_pref);
  if (a.local_pref) put_u32_attribute(well_known, AttrType::local_pref, *a.local_pref);
  w.before(AttrType::atomic_aggregate);
  if (a.atomic_aggregate) put_attribute(out, well_known, uint8_t(AttrType::atomic_aggregate), {});
  w.before(AttrType::aggregator);
  if (a.aggregator) {
    std::vector<uint8_t> value;
    if (ctx.four_octet_as) put_u32(value, a.aggregator->asn);
    else put_u16(value, uint16_t(a.aggregator->asn > 0xFFFF ? as_trans : a.aggregator->asn));
    put_u32(value, a.aggregator->address.is_v4() ? a.aggregator->address.v4_host_order() : 0);
    put_attribute(out, optional_transitive, uint8_t(AttrType::aggregator), value);
  }
  w.before(AttrType::communities);
  if (!a.communities.empty()) {
    size_t start = start_attribute(out, optional_transitive, uint8_t(AttrType::communities));
    for (uint32_t c : a.communities) put_u32(out, c);
    finish_attribute(out, start);
  }
  w.before(AttrType::originator_id);
  if (a.originator_id) put_u32_attribute(optional_non_transitive, AttrType::originator_id, *a.originator_id);
  w.before(AttrType::cluster_list);
  if (!a.cluster_list.empty()) {
    size_t start = start_attribute(out, optional_non_transitive, uint8_t(AttrType::cluster_list));
    for (uint32_t c : a.cluster_list) put_u32(out, c);
    finish_attribute(out, start);
  }
  w.before(AttrType::extended_communities);
  if (!a.extended_communities.empty()) {
    size_t start = start_attribute(out, optional_transitive, uint8_t(AttrType::extended_communities));
    for (uint64_t c : a.extended_communities) put_u64(out, c);
    finish_attribute(out, start);
  }
  w.before(AttrType::as4_path);
  if (as4_needed_path) {
    size_t start = start_attribute(out, optional_transitive, uint8_t(AttrType::as4_path));
    put_as_path(out, *a.as_path, 4, true);
    finish_attribute(out, start);
  }
  w.before(AttrType::as4_aggregator);
  if (as4_needed_aggregator) {
    std::vector<uint8_t> value;
    put_u32(value, a.aggregator->asn);
    put_u32(value, a.aggregator->address.is_v4() ? a.aggregator->address.v4_host_order() : 0);
    put_attribute(out, optional_transitive, uint8_t(AttrType::as4_aggregator), value);
  }
  w.before(AttrType::large_communities);
  if (!a.large_communities.empty()) {
    size_t start = start_attribute(out, optional_transitive, uint8_t(AttrType::large_communities));
    for (const auto& c : a.large_communities) {
      put_u32(out, c.global_admin);
      put_u32(out, c.local_data1);
      put_u32(out, c.local_data2);
    }
    finish_attribute(out, start);
  }
  w.rest();
}

}  // namespace halink::bgp::wire
