// BGP path attributes as values (RFC 4271 §4.3, §5 and the RFCs named below).
//
// The decoded form is the only form the rest of halink sees: AS numbers are
// always 4 octets here (AS4_PATH/AS4_AGGREGATOR are merged on decode and
// produced on encode, RFC 6793 §4.2.3), and unknown optional transitive
// attributes are carried as bytes so they can be passed on with Partial set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.h"

namespace halink::bgp {

// Attribute type codes (IANA "BGP Path Attributes").
enum class AttrType : uint8_t {
  origin = 1,
  as_path = 2,
  next_hop = 3,
  multi_exit_disc = 4,
  local_pref = 5,
  atomic_aggregate = 6,
  aggregator = 7,
  communities = 8,
  originator_id = 9,
  cluster_list = 10,
  mp_reach_nlri = 14,
  mp_unreach_nlri = 15,
  extended_communities = 16,
  as4_path = 17,
  as4_aggregator = 18,
  large_communities = 32,
};

// Attribute flag bits (RFC 4271 §4.3).
namespace attr_flag {
constexpr uint8_t optional = 0x80;
constexpr uint8_t transitive = 0x40;
constexpr uint8_t partial = 0x20;
constexpr uint8_t extended_length = 0x10;
}  // namespace attr_flag

enum class Origin : uint8_t { igp = 0, egp = 1, incomplete = 2 };
const char* origin_name(Origin o);  // "IGP", "EGP", "incomplete"

constexpr uint32_t as_trans = 23456;  // RFC 6793 §9

enum class AsPathSegmentType : uint8_t {
  as_set = 1,
  as_sequence = 2,
  confed_sequence = 3,  // RFC 5065
  confed_set = 4,
};

struct AsPathSegment {
  AsPathSegmentType type = AsPathSegmentType::as_sequence;
  std::vector<uint32_t> asns;
  bool operator==(const AsPathSegment&) const = default;
};

struct AsPath {
  std::vector<AsPathSegment> segments;

  // Length for the decision process (RFC 4271 §9.1.2.2 a): an AS_SET counts
  // as one, confederation segments count zero (RFC 5065 §5.3).
  size_t decision_length() const;
  bool contains(uint32_t asn) const;
  size_t count(uint32_t asn) const;
  // The AS the route was learned from: first AS of the first AS_SEQUENCE
  // (RFC 4271 §9.1.2.2 c "neighbor AS"); 0 when the path is empty.
  uint32_t neighbor_as() const;
  // The AS that originated the route (last AS of the path); 0 when empty/set.
  uint32_t origin_as() const;
  // Prepends `asn` `times` times, merging into a leading AS_SEQUENCE and
  // splitting at 255 ASNs per segment (RFC 4271 §5.1.2).
  void prepend(uint32_t asn, size_t times = 1);
  bool empty() const { return segments.empty(); }
  // "65001 65002 {65003,65004} (65010)" — BIRD/FRR-style text.
  std::string to_string() const;
  bool operator==(const AsPath&) const = default;
};

struct Aggregator {
  uint32_t asn = 0;
  IpAddress address;
  bool operator==(const Aggregator&) const = default;
};

struct LargeCommunity {  // RFC 8092
  uint32_t global_admin = 0;
  uint32_t local_data1 = 0;
  uint32_t local_data2 = 0;
  auto operator<=>(const LargeCommunity&) const = default;
  std::string to_string() const;  // "65000:1:2"
};

// RFC 1997 communities are 32-bit values; well-known ones are named.
namespace community {
constexpr uint32_t graceful_shutdown = 0xFFFF0000;  // RFC 8326
constexpr uint32_t accept_own = 0xFFFF0001;         // RFC 7611
constexpr uint32_t blackhole = 0xFFFF029A;          // RFC 7999
constexpr uint32_t no_export = 0xFFFFFF01;
constexpr uint32_t no_advertise = 0xFFFFFF02;
constexpr uint32_t no_export_subconfed = 0xFFFFFF03;
constexpr uint32_t no_peer = 0xFFFFFF04;  // RFC 3765
}  // namespace community
// "no-export", "graceful-shutdown", or "65000:100".
std::string community_to_string(uint32_t value);
std::optional<uint32_t> parse_community(const std::string& text);
// RFC 4360 / 4360bis text: "rt:65000:100", "soo:...", else "0x" + 16 hex digits.
std::string extended_community_to_string(uint64_t value);

// An attribute halink does not interpret, carried as received.
struct UnknownAttribute {
  uint8_t flags = 0;
  uint8_t type = 0;
  std::vector<uint8_t> value;
  bool operator==(const UnknownAttribute&) const = default;
};

// Every attribute of one path except the MP_REACH/MP_UNREACH NLRI carriers
// (those are parts of the UPDATE, see message.h). Interned by the RIB, so it
// is a plain comparable, hashable value.
struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<AsPath> as_path;
  std::optional<IpAddress> next_hop;  // NEXT_HOP (IPv4) or MP_REACH next hop after decode
  std::optional<IpAddress> link_local_next_hop;  // second IPv6 next hop of MP_REACH (RFC 2545 §3)
  std::optional<uint32_t> med;
  std::optional<uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::vector<uint32_t> communities;
  std::vector<uint64_t> extended_communities;
  std::vector<LargeCommunity> large_communities;
  std::optional<uint32_t> originator_id;  // RFC 4456
  std::vector<uint32_t> cluster_list;     // RFC 4456
  std::vector<UnknownAttribute> unknown;  // sorted by type

  bool operator==(const PathAttributes&) const = default;
  size_t hash() const;
};

}  // namespace halink::bgp
