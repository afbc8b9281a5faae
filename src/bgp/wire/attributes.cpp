// Path attribute value helpers: AS_PATH arithmetic, community text, hashing.
#include "bgp/wire/attributes.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace halink::bgp {

const char* origin_name(Origin o) {
  switch (o) {
    case Origin::igp: return "IGP";
    case Origin::egp: return "EGP";
    case Origin::incomplete: return "incomplete";
  }
  return "invalid";
}

namespace {
bool is_confed(AsPathSegmentType t) {
  return t == AsPathSegmentType::confed_sequence || t == AsPathSegmentType::confed_set;
}
constexpr size_t max_segment_asns = 255;  // one octet of segment length (RFC 4271 §4.3)
}  // namespace

size_t AsPath::decision_length() const {
  size_t n = 0;
  for (const auto& s : segments) {
    if (s.type == AsPathSegmentType::as_sequence) n += s.asns.size();
    else if (s.type == AsPathSegmentType::as_set) n += 1;
  }
  return n;
}

bool AsPath::contains(uint32_t asn) const { return count(asn) > 0; }

size_t AsPath::count(uint32_t asn) const {
  size_t n = 0;
  for (const auto& s : segments) n += size_t(std::count(s.asns.begin(), s.asns.end(), asn));
  return n;
}

uint32_t AsPath::neighbor_as() const {
  // Confederation segments are skipped: the neighbour AS is the first AS
  // outside the local confederation (RFC 5065 §5.3).
  for (const auto& s : segments) {
    if (is_confed(s.type)) continue;
    if (s.type == AsPathSegmentType::as_sequence && !s.asns.empty()) return s.asns.front();
    return 0;
  }
  return 0;
}

uint32_t AsPath::origin_as() const {
  if (segments.empty()) return 0;
  const auto& last = segments.back();
  if (last.type != AsPathSegmentType::as_sequence || last.asns.empty()) return 0;
  return last.asns.back();
}

void AsPath::prepend(uint32_t asn, size_t times) {
  if (times == 0) return;
  // The common case, an eBGP export prepending its own AS once: the ASNs go
  // in front of the leading AS_SEQUENCE in place, or form a new one, without
  // rebuilding the path (this runs once per exported attribute set).
  const bool leading_sequence = !segments.empty() && segments.front().type == AsPathSegmentType::as_sequence;
  if (leading_sequence && segments.front().asns.size() + times <= max_segment_asns) {
    std::vector<uint32_t>& asns = segments.front().asns;
    asns.insert(asns.begin(), times, asn);
    return;
  }
  if (!leading_sequence && times <= max_segment_asns) {
    segments.insert(segments.begin(), AsPathSegment{AsPathSegmentType::as_sequence, std::vector<uint32_t>(times, asn)});
    return;
  }
  std::vector<uint32_t> combined(times, asn);
  if (!segments.empty() && segments.front().type == AsPathSegmentType::as_sequence) {
    combined.insert(combined.end(), segments.front().asns.begin(), segments.front().asns.end());
    segments.erase(segments.begin());
  }
  // RFC 4271 §5.1.2: on overflow a new AS_SEQUENCE is prepended, so the
  // segments further right stay full and the leftmost takes the remainder.
  std::vector<AsPathSegment> front;
  size_t end = combined.size();
  while (end > 0) {
    size_t begin = end > max_segment_asns ? end - max_segment_asns : 0;
    AsPathSegment seg;
    seg.type = AsPathSegmentType::as_sequence;
    seg.asns.assign(combined.begin() + long(begin), combined.begin() + long(end));
    front.insert(front.begin(), std::move(seg));
    end = begin;
  }
  segments.insert(segments.begin(), front.begin(), front.end());
}

std::string AsPath::to_string() const {
  std::string out;
  for (const auto& s : segments) {
    if (!out.empty()) out += ' ';
    const char* open = "";
    const char* close = "";
    const char* sep = " ";
    switch (s.type) {
      case AsPathSegmentType::as_sequence: break;
      case AsPathSegmentType::as_set: open = "{"; close = "}"; sep = ","; break;
      case AsPathSegmentType::confed_sequence: open = "("; close = ")"; break;
      case AsPathSegmentType::confed_set: open = "["; close = "]"; sep = ","; break;
    }
    out += open;
    for (size_t i = 0; i < s.asns.size(); ++i) {
      if (i) out += sep;
      out += std::to_string(s.asns[i]);
    }
    out += close;
  }
  return out;
}

std::string LargeCommunity::to_string() const {
  return std::to_string(global_admin) + ":" + std::to_string(local_data1) + ":" + std::to_string(local_data2);
}

namespace {
struct NamedCommunity {
  uint32_t value;
  const char* name;
};
constexpr NamedCommunity named_communities[] = {
    {community::graceful_shutdown, "graceful-shutdown"},
    {community::accept_own, "accept-own"},
    {community::blackhole, "blackhole"},
    {community::no_export, "no-export"},
    {community::no_advertise, "no-advertise"},
    {community::no_export_subconfed, "no-export-subconfed"},
    {community::no_peer, "no-peer"},
};

std::optional<uint32_t> parse_decimal(const std::string& text, uint64_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  if (v > max) return std::nullopt;
  return uint32_t(v);
}
}  // namespace

std::string community_to_string(uint32_t value) {
  for (const auto& n : named_communities)
    if (n.value == value) return n.name;
  return std::to_string(value >> 16) + ":" + std::to_string(value & 0xFFFF);
}

std::optional<uint32_t> parse_community(const std::string& text) {
  for (const auto& n : named_communities)
    if (text == n.name) return n.value;
  size_t colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto high = parse_decimal(text.substr(0, colon), 0xFFFF);
  auto low = parse_decimal(text.substr(colon + 1), 0xFFFF);
  if (!high || !low) return std::nullopt;
  return *high << 16 | *low;
}

std::string extended_community_to_string(uint64_t value) {
  // RFC 4360 §3 and RFC 5668: type (high octet), sub-type, six value octets.
  uint8_t type = uint8_t(value >> 56);
  uint8_t subtype = uint8_t(value >> 48);
  const char* kind = subtype == 0x02 ? "rt" : subtype == 0x03 ? "soo" : nullptr;
  char buf[64];
  if (kind) {
    switch (type & 0x3F) {  // the transitive bit does not change the layout
      case 0x00:            // Two-Octet AS Specific: AS(2) : local(4)
        std::snprintf(buf, sizeof buf, "%s:%u:%u", kind, unsigned(value >> 32 & 0xFFFF), unsigned(value & 0xFFFFFFFF));
        return buf;
      case 0x01:  // IPv4 Address Specific: address(4) : local(2)
        std::snprintf(buf, sizeof buf, "%s:%u.%u.%u.%u:%u", kind, unsigned(value >> 40 & 0xFF),
                      unsigned(value >> 32 & 0xFF), unsigned(value >> 24 & 0xFF), unsigned(value >> 16 & 0xFF),
                      unsigned(value & 0xFFFF));
        return buf;
      case 0x02:  // Four-Octet AS Specific: AS(4) : local(2)
        std::snprintf(buf, sizeof buf, "%s:%u:%u", kind, unsigned(value >> 16 & 0xFFFFFFFF), unsigned(value & 0xFFFF));
        return buf;
      default: break;
    }
  }
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(value));
  return buf;
}

namespace {
// boost::hash_combine's mixing step: cheap and good enough for interning.
void mix(size_t& seed, size_t v) { seed ^= v + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2); }
}  // namespace

size_t PathAttributes::hash() const {
  size_t h = 0;
  mix(h, origin ? size_t(*origin) + 1 : 0);
  if (as_path) {
    for (const auto& s : as_path->segments) {
      mix(h, size_t(s.type));
      for (uint32_t a : s.asns) mix(h, a);
    }
  }
  mix(h, next_hop ? std::hash<IpAddress>{}(*next_hop) : 1);
  mix(h, link_local_next_hop ? std::hash<IpAddress>{}(*link_local_next_hop) : 1);
  mix(h, med ? size_t(*med) + 1 : 0);
  mix(h, local_pref ? size_t(*local_pref) + 1 : 0);
  mix(h, atomic_aggregate);
  if (aggregator) {
    mix(h, aggregator->asn);
    mix(h, std::hash<IpAddress>{}(aggregator->address));
  }
  for (uint32_t c : communities) mix(h, c);
  mix(h, 0xEC);
  for (uint64_t c : extended_communities) mix(h, size_t(c));
  mix(h, 0x1C);
  for (const auto& c : large_communities) {
    mix(h, c.global_admin);
    mix(h, c.local_data1);
    mix(h, c.local_data2);
  }
  mix(h, originator_id ? size_t(*originator_id) + 1 : 0);
  for (uint32_t c : cluster_list) mix(h, c);
  for (const auto& u : unknown) {
    mix(h, u.type);
    mix(h, u.flags);
    for (uint8_t b : u.value) mix(h, b);
  }
  return h;
}

}  // namespace halink::bgp
